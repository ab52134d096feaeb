package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FakeHostCommands#downloadTakes} slows the staging command of each update type, as the
 * download inside it would: rpm-ostree's rebase, dnf's {@code --downloadonly} install (host/Dnf)
 * and bootc's {@code switch} and {@code upgrade --download-only} (host/Bootc); each is recorded.
 */
class FakeDownloadTest {
  private static final Duration DOWNLOAD = Duration.ofSeconds(2);

  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  @Test
  void dnfDownloadOnlyTakesTheDownload() {
    TestHost h = new TestHost(root, false);
    h.runner.downloadTakes(DOWNLOAD);
    assertStagedSlowly(h, List.of(List.of("dnf", "install", "-y", "--downloadonly", "microshift-" + TestHost.TARGET)));
  }

  @Test
  void bootcSwitchAndUpgradeDownloadOnlyTakeTheDownload() {
    TestHost h = new TestHost(root, true).imageMode();
    h.runner.downloadTakes(DOWNLOAD);
    assertStagedSlowly(h, List.of(List.of("bootc", "switch", TestHost.IMAGE_TARGET),
        List.of("bootc", "upgrade", "--download-only")));
  }

  private static void assertStagedSlowly(TestHost h, List<List<String>> commands) {
    for (List<String> argv : commands) {
      long started = System.nanoTime();
      CommandRunner.Result r = h.runner.run(argv);
      long took = System.nanoTime() - started;
      assertEquals(0, r.exitCode(), argv + ": " + r.stderr());
      assertTrue(took >= DOWNLOAD.toNanos(), argv + " took " + took / 1_000_000 + " ms, want the download's "
          + DOWNLOAD.toMillis());
    }
    List<FakeHostCommands.Staging> stagings = h.runner.stagings();
    assertEquals(commands.size(), stagings.size(), "one staging recorded per command");
    for (FakeHostCommands.Staging s : stagings) {
      assertTrue(s.endNanos() - s.startNanos() >= DOWNLOAD.toNanos(), "the staging includes the download");
    }
  }
}
