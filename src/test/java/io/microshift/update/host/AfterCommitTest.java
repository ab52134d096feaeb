package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * green.d records Committed before greenboot tells grub that the target's boot was good
 * (greenboot-rs: {@code run_green} then {@code set_boot_status(true)}; the bash greenboot:
 * greenboot-grub2-set-success.service beside greenboot-task-runner.service). A power cut in
 * between, on the last boot attempt, makes grub fall back to the previous deployment, which would
 * meet the data the target migrated. The commit-unconfirmed flag keeps the next boot unit watching.
 */
class AfterCommitTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** The update to the target, booted, verified and committed by green.d; returns the data dir before it. */
  private static Map<String, String> committed(TestHost h) {
    Map<String, String> before = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(HostState.Committed, h.status().state(), h.status().message());
    assertNotEquals(before, TestHost.digest(h.paths.microshiftData()), "the target migrated the data dir");
    return before;
  }

  private static boolean flagged(TestHost h) {
    return Files.exists(h.paths.commitUnconfirmedFlag(), LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void theNextBootOfTheTargetConfirmsTheCommitAndClearsTheFlag() {
    TestHost h = new TestHost(root, true);
    committed(h);
    assertTrue(flagged(h), "set by green.d");
    assertFalse(Files.exists(h.paths.inFlightFlag()), "nothing is in flight: greenboot's scripts start no JVM");
    assertEquals(0, new BootCommand(h.ctx()).run(), "the boot unit again on the same boot");
    assertTrue(flagged(h), "the boot of the commit itself proves nothing");

    h.rebootIntoDefault();
    Map<String, String> migrated = TestHost.digest(h.paths.microshiftData());
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertFalse(flagged(h));
    assertEquals(HostState.Committed, h.status().state());
    assertEquals(migrated, TestHost.digest(h.paths.microshiftData()), "nothing restored");
  }

  @Test
  void grubsFallbackAfterTheCommitRestoresTheDataAsAfterAnyRollback() {
    TestHost h = new TestHost(root, true);
    Map<String, String> before = committed(h);
    // power cut before grub learnt the boot was good, on the last attempt: grub boots entry 1 and
    // greenboot's fallback unit (before the boot unit) runs rpm-ostree rollback
    assertTrue(h.runner.run(List.of("rpm-ostree", "rollback")).ok());
    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum());
    assertEquals(0, new BootCommand(h.ctx()).run());

    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertEquals(before, TestHost.digest(h.paths.microshiftData()), "the pre-update data dir is back");
    assertTrue(s.history().stream().anyMatch(e -> e.state() == HostState.RolledBack
        && e.message().contains("grub fell back before greenboot recorded the target's boot as good")), s.history().toString());
    assertFalse(flagged(h));
    assertFalse(Files.exists(h.paths.inFlightFlag()));
  }

  @Test
  void underGreenbootRsTheTriggerStillSetMeansItsHealthCheckWillRollBackSoTheDataIsRestored() {
    TestHost h = new TestHost(root, true);
    Map<String, String> before = committed(h);
    // greenboot-rs unsets its trigger only after set_boot_status(true): the power cut left it set
    h.runner.grubenv().put(Grubenv.ROLLBACK_TRIGGER, h.commitTarget);
    h.rebootIntoPrevious(); // grub's fallback: the target is still the default
    h.runner.clearCalls();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Restored, h.status().state(), h.status().message());
    assertEquals(before, TestHost.digest(h.paths.microshiftData()));
    assertFalse(h.runner.actions().contains(List.of("rpm-ostree", "rollback")), "greenboot-rs's health check rolls back");
  }

  @Test
  void thePreviousDeploymentPickedByHandWhileTheTargetStaysTheDefaultIsLeftAlone() {
    TestHost h = new TestHost(root, true);
    committed(h);
    Map<String, String> migrated = TestHost.digest(h.paths.microshiftData());
    h.rebootIntoPrevious();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Committed, h.status().state());
    assertEquals(migrated, TestHost.digest(h.paths.microshiftData()));
    assertFalse(flagged(h));
  }

  @Test
  void aFallbackAfterTheFlagWasClearedNeverRestores() {
    TestHost h = new TestHost(root, true);
    committed(h);
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run()); // confirmed
    Map<String, String> current = TestHost.digest(h.paths.microshiftData());
    assertTrue(h.runner.run(List.of("rpm-ostree", "rollback")).ok()); // weeks later, by hand
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Committed, h.status().state());
    assertEquals(current, TestHost.digest(h.paths.microshiftData()));
  }

  @Test
  void rpmHostsHaveNoFallbackAndNoFlag() {
    TestHost h = new TestHost(root, false);
    committed(h);
    assertFalse(flagged(h));
  }
}
