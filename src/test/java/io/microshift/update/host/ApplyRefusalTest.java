package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What apply refuses, and Cancel. A refusal never stops MicroShift or touches packages. */
class ApplyRefusalTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private static UpdateRequest withTarget(UpdateRequest r, String version, boolean allowDowngrade) {
    UpdateRequest.Target t = r.target();
    List<String> pkgs = t.packages() == null ? null : List.of("microshift-" + version);
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(), r.from(),
        new UpdateRequest.Target(version, t.ostreeRef(), t.ostreeCommit(), pkgs), allowDowngrade, r.backup(),
        r.healthCheckTimeoutSeconds(), r.backupRetention(), r.verification());
  }

  private static void assertNothingTouched(TestHost h) {
    assertTrue(h.microshiftActive, "MicroShift still runs");
    assertEquals(List.of(), h.runner.actions().stream()
        .filter(a -> !a.equals(List.of("systemctl", "start", "microshift.service"))).toList());
  }

  @Test
  void diskTooSmallForTheBackupIsRefusedBeforeAnythingChanges() {
    TestHost h = new TestHost(root, false);
    long data = DiskSpace.treeBytes(h.paths.microshiftData());
    h.usableBytes = data; // less than data x 1.1
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("not enough free space for the update"), s.message());
    assertNothingTouched(h);
  }

  @Test
  void ostreeCountsMicroShiftsOwnPreRunBackupToo() {
    TestHost h = new TestHost(root, true);
    long data = DiskSpace.treeBytes(h.paths.microshiftData());
    h.usableBytes = (long) (data * 1.5); // enough for one copy, not for two
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("MicroShift's pre-run backup on the target's first boot"),
        h.status().message());
    assertNothingTouched(h);

    TestHost rpm = new TestHost(root.resolve("rpm"), false);
    rpm.usableBytes = (long) (data * 1.5);
    rpm.writeRequest(rpm.request());
    assertEquals(0, new ApplyCommand(rpm.ctx()).run(), "rpm hosts need one copy only");
  }

  @Test
  void refusesADowngradeUnlessAllowedAndAWrongFromVersion() throws Exception {
    TestHost h = new TestHost(root, false);
    Files.writeString(h.paths.microshiftVersionFile(), "4.17.5\n"); // older plain-text version file
    UpdateRequest down = withTarget(h.request(), "4.17.3", false);
    down = new UpdateRequest(down.apiVersion(), down.plan(), down.sequence(), down.action(), down.type(),
        new UpdateRequest.From("4.17.5"), down.target(), false, down.backup(), 600, 2, null);
    // the file-level validation already refuses it
    UpdateRequest finalDown = down;
    io.microshift.update.marker.MarkerProblems p = org.junit.jupiter.api.Assertions.assertThrows(
        io.microshift.update.marker.MarkerProblems.class, () -> h.writeRequest(finalDown));
    assertTrue(p.getMessage().contains("older than the running 4.17.5: set spec.allowDowngrade"), p.getMessage());

    // the host checks the installed version against the request's from
    h.writeRequest(h.request()); // from 4.17.1, installed 4.17.5
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("installed MicroShift is 4.17.5 but the request is from 4.17.1"), h.status().message());
    assertNothingTouched(h);
  }

  @Test
  void anRpmTargetThatDoesNotRunOnTheHostsRhelIsRefusedBeforeAnythingChanges() throws Exception {
    TestHost h = new TestHost(root, false);
    h.writeOsRelease("9.2");
    Files.writeString(h.paths.microshiftVersionFile(), "4.14.9\n");
    h.runner.useDnf(FakeDnf.microshiftHost("4.14.9", List.of("4.16.2")));
    h.installedPackageVersion = "4.14.9";
    UpdateRequest r = h.request();
    UpdateRequest y2 = new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(),
        new UpdateRequest.From("4.14.9"), new UpdateRequest.Target("4.16.2", null, null,
            List.of("microshift-4.16.2", "microshift-networking-4.16.2", "microshift-selinux-4.16.2"),
            List.of(FakeDnf.rhocpRepo("4.16.2")), UpdateRequest.Reboot.Always),
        false, r.backup(), 600, 2, null);
    h.writeRequest(y2);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("MicroShift 4.16 runs on RHEL 9.4 and this rpm host runs RHEL 9.2"), s.message());
    assertTrue(s.message().contains("move the host to RHEL 9.4 first (subscription-manager release --set=9.4,"
        + " then dnf update)"), s.message());
    assertNothingTouched(h);

    h.writeOsRelease("9.4"); // the same request once the host is on RHEL 9.4 (a new sequence)
    h.writeRequest(y2.withAction(UpdateRequest.Action.Apply, 2));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals("4.16.2", h.installedPackageVersion);
  }

  @Test
  void refusesTheWrongHostTypeAndAnIncompleteBackupSet() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest rpmReq = new TestHost(root.resolve("other"), false).request();
    Files.delete(h.ctx().backups().manifest(TestHost.BACKUP_ID));
    h.writeRequest(rpmReq);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    String m = h.status().message();
    assertTrue(m.contains("request type rpm but this host is ostree-based"), m);
    assertTrue(m.contains("backup set upd-4-17-3-1 is not complete"), m);
    assertNothingTouched(h);
  }

  @Test
  void stagingFailureRestartsNothingAndRecordsFailed() {
    TestHost h = new TestHost(root, true);
    h.runner.failStaging(true);
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Failed, h.status().state());
    assertTrue(h.status().message().startsWith("staging failed"), h.status().message());
    assertTrue(h.microshiftActive);
  }

  @Test
  void aHostileRequestFileRunsNothing() throws Exception {
    TestHost h = new TestHost(root, true);
    Path evil = root.resolve("evil.json");
    Files.writeString(evil, "{}");
    Files.createSymbolicLink(MarkerFiles.requestFile(h.paths.stateDir()), evil);
    io.microshift.update.marker.MarkerProblems p = org.junit.jupiter.api.Assertions.assertThrows(
        io.microshift.update.marker.MarkerProblems.class, () -> new ApplyCommand(h.ctx()).run());
    assertTrue(p.getMessage().contains("is a symlink"), p.getMessage());
    Files.delete(MarkerFiles.requestFile(h.paths.stateDir()));
    Files.writeString(MarkerFiles.requestFile(h.paths.stateDir()),
        new String(io.microshift.update.marker.MarkerJson.serialize(io.microshift.update.marker.MarkerCodec.Kind.REQUEST,
            h.request())).replace(TestHost.REF_TARGET, "--sysroot=/tmp/x"));
    p = org.junit.jupiter.api.Assertions.assertThrows(io.microshift.update.marker.MarkerProblems.class,
        () -> new ApplyCommand(h.ctx()).run());
    assertTrue(p.getMessage().contains("target.ostreeRef: '--sysroot=/tmp/x' does not match"), p.getMessage());
    assertEquals(List.of(), h.runner.calls(), "nothing ran, not even a query");
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state(), "the refusal is reported against the request's uid and sequence");
    assertEquals(new HostStatus.RequestRef(TestHost.PLAN_UID, 1), s.request());
    assertTrue(s.message().startsWith("request.json refused: target.ostreeRef: '--sysroot=/tmp/x' does not match"), s.message());
  }

  @Test
  void aRefusedRequestIsNotReportedOverAnUpdateInFlight() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    CrashAt crash = new CrashAt(CrashPoints.APPLY_STAGED_RECORDED);
    org.junit.jupiter.api.Assertions.assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(crash)).run());
    Files.writeString(MarkerFiles.requestFile(h.paths.stateDir()), "{\"plan\":{\"uid\":\"" + TestHost.PLAN_UID
        + "\"},\"sequence\":2}");
    org.junit.jupiter.api.Assertions.assertThrows(io.microshift.update.marker.MarkerProblems.class,
        () -> new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Staged, h.status().state());
  }

  @Test
  void aFailedDataCopyUndoesTheStagingStartsMicroShiftAndRecordsFailed() {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    h.runner.failNextCopy("cp: error writing 'data.tmp/etcd/member/snap/db': No space left on device");
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("No space left on device") && s.message().contains("the host is unchanged"),
        s.message());
    assertTrue(h.microshiftActive, "MicroShift started again");
    assertEquals(1, h.ostreeSysroot.deployments().size(), "the staged deployment is gone");
    assertFalse(java.nio.file.Files.exists(h.ctx().backups().dir(TestHost.BACKUP_ID).resolve("data.tmp")));
    assertFalse(h.rebootRequested);
    assertEquals(0, new ApplyCommand(h.ctx()).run(), "the apply unit at the next boot has nothing to do");
    assertEquals(HostState.Failed, h.status().state());
  }

  @Test
  void cancelBeforeStagingWritesNothing() {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request().withAction(UpdateRequest.Action.Cancel, 2));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertFalse(Files.exists(MarkerFiles.hostStatusFile(h.paths.stateDir())));
    assertNothingTouched(h);
  }

  @Test
  void cancelAfterStagingUndoesItAndRecordsFailedCancelled() {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    CrashAt crash = new CrashAt(CrashPoints.APPLY_DATA_COPIED);
    org.junit.jupiter.api.Assertions.assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(crash)).run());
    assertFalse(h.microshiftActive);
    h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, 2));
    h.runner.clearCalls();
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(List.of(List.of("rpm-ostree", "cleanup", "--pending"), List.of("systemctl", "start", "microshift.service")),
        h.runner.actions());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertEquals(2, s.request().sequence());
    assertTrue(s.message().startsWith(ApplyCommand.CANCELLED), s.message());
    assertEquals(1, h.ostreeSysroot.deployments().size(), "the staged deployment is gone");
  }

  @Test
  void aCancelWrittenWhileApplyRunsIsHonouredBeforeTheNextIrreversibleStep() {
    for (String point : List.of(CrashPoints.APPLY_STAGED_RECORDED, CrashPoints.APPLY_DATA_COPY_RECORDED)) {
      TestHost h = new TestHost(root.resolve(point), true);
      UpdateRequest req = h.request();
      h.writeRequest(req);
      io.microshift.update.marker.CrashHook operatorCancels = name -> {
        if (name.equals(point)) {
          h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, 2));
        }
      };
      assertEquals(0, new ApplyCommand(h.ctx(operatorCancels)).run());
      HostStatus s = h.status();
      assertEquals(HostState.Failed, s.state(), point);
      assertTrue(s.message().startsWith(ApplyCommand.CANCELLED), s.message());
      assertTrue(h.microshiftActive, point);
      assertFalse(h.rebootRequested, point);
      assertEquals(1, h.ostreeSysroot.deployments().size(), point);
      TestHost.unlockSysroot(root.resolve(point));
    }
  }

  @Test
  void cancelAfterTheRebootWasRecordedIsPastThePointOfNoReturn() {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, 2));
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state());
  }

  @Test
  void anotherUpdateInFlightIsNotOverwritten() {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    UpdateRequest other = new UpdateRequest(Markers.API_VERSION,
        new UpdateRequest.Plan("other", "11111111-2222-4333-8444-555555555555", 1), 1, UpdateRequest.Action.Apply,
        req.type(), req.from(), req.target(), false, req.backup(), 600, 2, null);
    h.writeRequest(other);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertEquals(TestHost.PLAN_UID, h.status().request().uid());
  }
}
