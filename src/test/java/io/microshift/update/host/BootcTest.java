package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact argv of every {@link Bootc} call, checked against bootc-dev/bootc crates/lib/src/cli.rs:
 * {@code Opt::Status} ({@code StatusOpts.json}: {@code --json}, hidden but kept, superseded by
 * {@code --format}), {@code Opt::Switch} ({@code SwitchOpts.target}, positional),
 * {@code Opt::Upgrade} ({@code UpgradeOpts}: {@code --download-only} conflicts with
 * {@code --apply}; {@code --from-downloaded} may go with {@code --apply}), {@code Opt::Rollback}.
 */
class BootcTest {
  static final String SUM = "c".repeat(64);
  static final String DIGEST = "sha256:" + "d".repeat(64);

  private final RecordingRunner runner = new RecordingRunner();
  private final Bootc bootc = new Bootc(runner);

  @Test
  void statusIsReadAsJson() {
    runner.answer(0, "{\"status\":{\"booted\":{\"image\":{\"image\":{\"image\":\"quay.io/x/os:1\"},\"imageDigest\":\""
        + DIGEST + "\"},\"ostree\":{\"checksum\":\"" + SUM + "\"}},\"staged\":null}}", "");
    Bootc.Status st = bootc.status();
    assertEquals(List.of(List.of("bootc", "status", "--json")), runner.calls);
    assertTrue(st.bootsImage());
    assertEquals(DIGEST, st.booted().orElseThrow().imageDigest());
    assertFalse(st.staged().isPresent());
  }

  /** clap prints "bootc VERSION" for --version (crates/lib/src/cli.rs, Opt: name "bootc", version). */
  @Test
  void theVersionIsClapsNameAndVersionLine() {
    runner.answer(0, "bootc 1.12.1\n", "");
    assertEquals(java.util.Optional.of("1.12.1"), bootc.version());
    assertEquals(List.of(List.of("bootc", "--version")), runner.calls);
    runner.answer(0, "something else 1.2.3\n", "");
    assertEquals(java.util.Optional.empty(), bootc.version());
    runner.answer(127, "", "cannot run bootc");
    assertEquals(java.util.Optional.empty(), bootc.version());
  }

  @Test
  void switchesLocksAppliesAndRollsBack() {
    bootc.switchTo("quay.io/x/os@" + DIGEST);
    bootc.lockStaged();
    bootc.applyStaged();
    bootc.rollback();
    assertEquals(List.of(
        List.of("bootc", "switch", "quay.io/x/os@" + DIGEST),
        List.of("bootc", "upgrade", "--download-only"),
        List.of("bootc", "upgrade", "--from-downloaded", "--apply"),
        List.of("bootc", "rollback")), runner.calls);
  }

  @Test
  void aRefusedRollbackThrowsWithBootcsReason() {
    runner.answer(1, "", "error: No rollback available\n");
    HostException e = assertThrows(HostException.class, bootc::rollback);
    assertEquals("bootc rollback failed with exit code 1: error: No rollback available", e.getMessage());
  }
}
