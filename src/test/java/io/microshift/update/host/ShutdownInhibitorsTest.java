package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A systemd shutdown inhibitor lock in block mode (a firmware update, a user's {@code
 * systemd-inhibit --mode=block}) refuses the reboot that applies an update: rpm-ostree's
 * finalize-deployment refuses it ({@code check_sd_inhibitor_locks}), and so do logind (systemd
 * 257+) and therefore bootc. The agent refuses first, where refusing costs nothing: at Prepare, and
 * at Apply before the snapshot and the stop; a lock taken during the data copy undoes an ostree or
 * image update, and leaves an rpm update, whose packages are installed, waiting for the reboot.
 */
class ShutdownInhibitorsTest extends HostWithEtcd {
  private static final String FWUPD = "held by fwupd (pid 4242, uid 0): Updating the firmware";

  private static void firmwareUpdateTakesTheLock(TestHost h) {
    h.runner.inhibitorLock("shutdown:sleep", "fwupd", "Updating the firmware", "block");
  }

  /** apply, the firmware update taking its lock as the agent reaches {@code point}. */
  private static int applyTakingTheLockAt(TestHost h, String point) {
    return new ApplyCommand(h.ctx(reached -> {
      if (reached.equals(point)) {
        firmwareUpdateTakesTheLock(h);
      }
    })).run();
  }

  // ---------------------------------------------------------------- busctl's reply

  @Test
  void busctlsReplyIsReadAsLogindListsItAndOnlyBlockModeShutdownLocksCount() throws Exception {
    List<ShutdownInhibitors.Lock> locks = ShutdownInhibitors.parse("{\"type\":\"a(ssssuu)\",\"data\":[["
        + "[\"shutdown\",\"kubelet\",\"Kubelet needs time to handle node shutdown\",\"delay\",0,812],"
        + "[\"sleep:shutdown\",\"fwupd\",\"Updating the firmware\",\"block\",0,77],"
        + "[\"shutdown\",\"gdm\",\"weak\",\"block-weak\",42,90],"
        + "[\"idle\",\"a session\",\"watching\",\"block\",1000,91]]]}\n");
    assertEquals(4, locks.size());
    assertEquals(List.of("fwupd"), locks.stream().filter(ShutdownInhibitors.Lock::blocksShutdown)
        .map(ShutdownInhibitors.Lock::who).toList());
    assertEquals(new ShutdownInhibitors.Lock("sleep:shutdown", "fwupd", "Updating the firmware", "block", 0, 77),
        locks.get(1));
    assertTrue(ShutdownInhibitors.parse("{\"type\":\"a(ssssuu)\",\"data\":[[]]}").isEmpty());
  }

  @Test
  void aReplyThatIsNotListInhibitorsIsRefusedAndAHostileNameIsMadePrintable() throws Exception {
    for (String bad : List.of("{\"type\":\"as\",\"data\":[[]]}", "{\"type\":\"a(ssssuu)\",\"data\":[]}",
        "{\"type\":\"a(ssssuu)\",\"data\":[[[\"shutdown\",\"x\",\"y\",\"block\",0]]]}",
        "{\"type\":\"a(ssssuu)\",\"data\":[[[\"shutdown\",1,\"y\",\"block\",0,1]]]}", "not json")) {
      assertThrows(Exception.class, () -> ShutdownInhibitors.parse(bad), bad);
    }
    ShutdownInhibitors.Lock l = ShutdownInhibitors.parse("{\"type\":\"a(ssssuu)\",\"data\":[[[\"shutdown\","
        + "\"evil\\u001b[2J\\nFailed\",\"" + "x".repeat(5000) + "\",\"block\",0,1]]]}").get(0);
    assertFalse(l.who().chars().anyMatch(c -> c < 0x20), l.who());
    assertTrue(l.why().length() <= 203, "bounded, with its ellipsis");
  }

  @Test
  void withoutLogindNothingCanBeToldAndNothingIsRefused() {
    CommandRunner noBus = argv -> new CommandRunner.Result(1, "", "Failed to connect to bus: No such file or directory\n");
    assertTrue(ShutdownInhibitors.list(noBus).isEmpty());
  }

  @Test
  void anUnreadableReplyIsLoggedAndTheUpdateGoesOnAsRpmOstreeStillChecksBeforeTheReboot() {
    TestHost h = host(root, true);
    h.runner.inhibitorReply("{\"type\":\"a(ssssuu)\",\"data\":[[[\"shutdown\"]]]}\n");
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
  }

  // ---------------------------------------------------------------- Prepare

  @Test
  void prepareIsRefusedWhileABlockModeShutdownLockIsHeldAndNothingIsStaged() {
    TestHost h = host(root, true);
    firmwareUpdateTakesTheLock(h);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(1, apply(h));
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains(FWUPD), s.message());
    assertTrue(s.message().contains("systemd-inhibit --list"), s.message());
    assertEquals(List.of(), h.runner.actions(), "nothing staged");
    assertTrue(h.microshiftActive);
    assertTrue(h.runner.calls().contains(ShutdownInhibitors.LIST_INHIBITORS));
  }

  @Test
  void aDelayLockAsTheKubeletTakesOneDoesNotStopTheUpdate() {
    TestHost h = host(root, true);
    h.runner.inhibitorLock("shutdown", "kubelet", "Kubelet needs time to handle node shutdown", "delay");
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertTrue(h.rebootRequested, h.status().message());
  }

  @Test
  void anRpmZStreamThatOnlyRestartsMicroShiftIsNotHeldBackByTheLock() {
    TestHost h = host(root, false);
    firmwareUpdateTakesTheLock(h);
    UpdateRequest r = h.request(UpdateRequest.Reboot.IfNeeded);
    h.writeRequest(r);
    h.whileWaiting = () -> h.statusIfAny().filter(st -> st.state() == HostState.Booted)
        .ifPresent(st -> h.verify(r, UpdateRequest.VerificationResult.Passed)); // the operator
    assertEquals(0, apply(h), h.status().message());
    assertTrue(h.runner.actions().contains(List.of("systemctl", "restart", "microshift.service")),
        h.runner.actions().toString());
    assertFalse(h.rebootRequested);
    assertEquals(TestHost.TARGET, h.installedPackageVersion);
  }

  // ---------------------------------------------------------------- Apply

  @Test
  void aLockTakenAfterPrepareFailsTheApplyBeforeTheSnapshotAndTheStop() {
    TestHost h = host(root, true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    firmwareUpdateTakesTheLock(h);
    h.runner.clearCalls();
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(1, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains(FWUPD) && s.message().contains("nothing was stopped"), s.message());
    assertEquals(List.of(List.of("rpm-ostree", "cleanup", "--pending")), h.runner.actions());
    assertTrue(h.microshiftActive);
    assertFalse(h.rebootRequested);
    assertTrue(h.ctx().ostree().pending().isEmpty(), "no deployment left for the next boot");
  }

  @Test
  void aLockTakenDuringTheDataCopyUndoesAnOstreeUpdateAndTheOldDeploymentBoots() {
    TestHost h = host(root, true);
    h.writeRequest(request(h, 1, Action.Apply, false));
    assertEquals(1, applyTakingTheLockAt(h, CrashPoints.APPLY_DATA_COPIED));
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains(FWUPD) && s.message().contains("did not take effect"), s.message());
    assertTrue(s.message().contains("MicroShift started again"), s.message());
    assertTrue(h.microshiftActive);
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.contains("finalize-deployment")), h.runner.actions().toString());
    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum());
  }

  @Test
  void aLockTakenDuringTheDataCopyOfAnImageUpdateNeverLeavesBootcWaitingForever() {
    TestHost h = host(root, true).imageMode();
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(1, applyTakingTheLockAt(h, CrashPoints.APPLY_DATA_COPIED));
    assertEquals(HostState.Failed, h.status().state(), h.status().message());
    assertEquals(List.of(), h.runner.unexpected(), "bootc --apply was never run under the lock");
    assertTrue(h.microshiftActive);
    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum());
  }

  @Test
  void anRpmUpdateWhoseLockCameAfterTheInstallWaitsInRebootingAndRebootsOnceReleased() {
    TestHost h = host(root, false);
    UpdateRequest r = h.request(UpdateRequest.Reboot.Always);
    h.writeRequest(r);
    assertEquals(1, applyTakingTheLockAt(h, CrashPoints.APPLY_PACKAGES_INSTALLED));
    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state());
    assertTrue(s.message().contains(FWUPD) && s.message().contains("is installed and stopped"), s.message());
    assertFalse(h.rebootRequested);
    assertEquals(TestHost.TARGET, h.installedPackageVersion);

    h.runner.releaseInhibitorLocks();
    h.runner.clearCalls();
    assertEquals(0, apply(h)); // systemctl start microshift-update-apply.service
    assertTrue(h.rebootRequested);
    assertEquals(List.of(List.of("systemctl", "reboot")), h.runner.actions(), "installed once, copied once");
  }

  // ---------------------------------------------------------------- the fakes refuse as upstream does

  @Test
  void theFakesRefuseTheRebootUnderTheLockAsUpstreamDoes() {
    TestHost h = host(root, true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    firmwareUpdateTakesTheLock(h);
    CommandRunner.Result finalize = h.runner.run(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked",
        h.commitTarget));
    assertEquals(1, finalize.exitCode());
    assertEquals("error: Reboot blocked by a systemd inhibitor lock in `block` mode\nHeld by: fwupd\n"
        + "Reason: Updating the firmware\n", finalize.stderr());
    assertTrue(h.runner.finalizationLocked(), "refused before the lock changes");
    CommandRunner.Result reboot = h.runner.run(List.of("systemctl", "reboot"));
    assertEquals(1, reboot.exitCode());
    assertFalse(h.rebootRequested);
  }
}
