package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a failed command's message keeps of its stderr ({@link CommandRunner#reason}). */
class CommandRunnerTest {
  @Test
  void rpmOstreesReasonOverSeveralLinesIsKeptWhole() {
    // src/daemon/rpmostreed-utils.cxx, check_sd_inhibitor_locks, through finalize-deployment
    RecordingRunner runner = new RecordingRunner().answer(1, "", "error: Reboot blocked by a systemd inhibitor lock in"
        + " `block` mode\nHeld by: backup-agent\nReason: writing the nightly archive\n");
    HostException e = assertThrows(HostException.class,
        () -> runner.check(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", "abc")));
    assertEquals("rpm-ostree finalize-deployment --allow-unlocked abc failed with exit code 1: error: Reboot blocked by"
        + " a systemd inhibitor lock in `block` mode / Held by: backup-agent / Reason: writing the nightly archive",
        e.getMessage());
  }

  @Test
  void dnfsProgressLinesBeforeItsErrorAreLeftOut() {
    assertEquals("Error: Unable to find a match: microshift-4.99.0", CommandRunner.reason(
        "Updating Subscription Management repositories.\nLast metadata expiration check: 0:01:02 ago.\n"
            + "No match for argument: microshift-4.99.0\nError: Unable to find a match: microshift-4.99.0\n"));
  }

  @Test
  void withoutAnErrorLineTheLastThreeLinesAreKept() {
    assertEquals("Job for microshift.service failed because the control process exited with error code. / See"
        + " \"systemctl status microshift.service\" and \"journalctl -xeu microshift.service\" for details.",
        CommandRunner.reason("Job for microshift.service failed because the control process exited with error code.\n"
            + "See \"systemctl status microshift.service\" and \"journalctl -xeu microshift.service\" for details.\n"));
    assertEquals("b / c / d", CommandRunner.reason("a\nb\nc\nd\n"));
    assertEquals("", CommandRunner.reason(" \n"));
  }

  @Test
  void controlCharactersAndLengthAreBounded() {
    String r = CommandRunner.reason("error: \u001b[31mred\u001b[0m " + "x".repeat(1000));
    assertEquals(503, r.length(), r);
    assertEquals("error: ?[31mred?[0m ", r.substring(0, 20));
  }
}
