package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.UpdateRequest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The exact argv of every {@link Dnf} call, checked against dnf(8) of dnf 4 (rpm-software-management/dnf
 * dnf/cli/option_parser.py: {@code -y}/{@code --assumeyes}, {@code --downloadonly},
 * {@code --enablerepo}; dnf/cli/commands/install.py: {@code install PACKAGE...}),
 * dnf-plugins-core plugins/needs_restarting.py ({@code needs-restarting -r}/{@code --reboothint})
 * and rpm(8) ({@code -q --queryformat FMT NAME}).
 */
class DnfTest {
  private final RecordingRunner runner = new RecordingRunner();
  private final Dnf dnf = new Dnf(runner);
  private final UpdateRequest.Target target = new UpdateRequest.Target("4.18.5", null, null,
      List.of("microshift-4.18.5", "microshift-greenboot-4.18.5"),
      List.of("rhocp-4.18-for-rhel-9-x86_64-rpms", "fast-datapath-for-rhel-9-x86_64-rpms"), null, null);

  @Test
  void resolvesAndDownloadsTheExactSetWithThePlansRepositories() {
    dnf.resolveAndDownload(target);
    assertEquals(List.of(List.of("dnf", "install", "-y", "--downloadonly",
        "--enablerepo=rhocp-4.18-for-rhel-9-x86_64-rpms", "--enablerepo=fast-datapath-for-rhel-9-x86_64-rpms",
        "microshift-4.18.5", "microshift-greenboot-4.18.5")), runner.calls);
  }

  @Test
  void installsTheExactSet() {
    dnf.install(new UpdateRequest.Target("4.18.5", null, null, List.of("microshift-4.18.5")));
    assertEquals(List.of(List.of("dnf", "install", "-y", "microshift-4.18.5")), runner.calls);
  }

  @Test
  void aSetThatDoesNotResolveNamesDnfsReason() {
    runner.answer(1, "No match for argument: microshift-4.18.5\n", "Error: Unable to find a match: microshift-4.18.5\n");
    HostException e = assertThrows(HostException.class, () -> dnf.resolveAndDownload(target));
    assertTrue(e.getMessage().startsWith("the packages do not resolve: dnf install -y --downloadonly"), e.getMessage());
    assertTrue(e.getMessage().contains("No match for argument: microshift-4.18.5"), e.getMessage());
  }

  @Test
  void needsRestartingDecidesTheReboot() {
    runner.answer(0, "No core libraries or services have been updated since boot-up.\n", "")
        .answer(1, "Reboot is required to fully utilize these updates.\n", "");
    assertFalse(dnf.rebootNeeded());
    assertTrue(dnf.rebootNeeded());
    assertEquals(List.of("dnf", "needs-restarting", "-r"), runner.calls.get(0));
  }

  @Test
  void theInstalledVersionComesFromRpm() {
    runner.answer(0, "4.18.4", "").answer(1, "package microshift is not installed\n", "");
    assertEquals(Optional.of("4.18.4"), dnf.installedVersion("microshift"));
    assertEquals(Optional.empty(), dnf.installedVersion("microshift"));
    assertEquals(List.of("rpm", "-q", "--queryformat", "%{VERSION}", "microshift"), runner.calls.get(0));
  }
}
