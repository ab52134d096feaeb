package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact argv of every {@link Systemctl} call, checked against systemd/systemd
 * src/systemctl/systemctl.c (the verbs table: is-active, show, start, stop, restart, reboot; the
 * options -p/--property, --value, -q/--quiet in {@code systemctl_parse_argv}).
 */
class SystemctlTest {
  private final RecordingRunner runner = new RecordingRunner();
  private final Systemctl systemctl = new Systemctl(runner);

  @Test
  void isActiveAsksQuietlyAndReadsTheExitCode() {
    runner.answer(0, "", "").answer(3, "", "");
    assertTrue(systemctl.isActive("microshift.service"));
    assertFalse(systemctl.isActive("microshift.service"));
    assertEquals(List.of("systemctl", "is-active", "--quiet", "microshift.service"), runner.calls.get(0));
  }

  @Test
  void activeStateIsTheBarePropertyValue() {
    runner.answer(0, "deactivating\n", "");
    assertEquals("deactivating", systemctl.activeState("microshift-etcd.scope"));
    assertEquals(List.of("systemctl", "show", "-p", "ActiveState", "--value", "microshift-etcd.scope"), runner.calls.get(0));
  }

  @Test
  void activeStateThatCannotBeReadIsAnError() {
    runner.answer(1, "", "Failed to connect to bus\n");
    HostException e = assertThrows(HostException.class, () -> systemctl.activeState("microshift.service"));
    assertEquals("cannot tell whether microshift.service is active: systemctl show exited 1: Failed to connect to bus",
        e.getMessage());
  }

  @Test
  void startStopRestartAndReboot() {
    systemctl.start("microshift.service");
    systemctl.stop("microshift.service");
    systemctl.restart("microshift.service");
    systemctl.reboot();
    assertEquals(List.of(
        List.of("systemctl", "start", "microshift.service"),
        List.of("systemctl", "stop", "microshift.service"),
        List.of("systemctl", "restart", "microshift.service"),
        List.of("systemctl", "reboot")), runner.calls);
  }

  @Test
  void aFailedJobThrowsWithSystemctlsReason() {
    runner.answer(1, "", "Job for microshift.service failed.\n");
    HostException e = assertThrows(HostException.class, () -> systemctl.start("microshift.service"));
    assertEquals("systemctl start microshift.service failed with exit code 1: Job for microshift.service failed.",
        e.getMessage());
  }
}
