package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 2: once the host accepted a request, what it acts on is fixed. A rewritten
 * request.json for the same plan (the same or a later sequence, an Apply or a Cancel) that
 * changes anything but the action and the verification is refused, and the update in flight
 * continues as accepted; the backup set is verified again when the agent resumes.
 */
class InFlightRequestTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** Applies {@code req} on {@code h} until the agent stops right after recording Staged. */
  private static void applyUntilStaged(TestHost h, UpdateRequest req) {
    h.writeRequest(req);
    assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(new CrashAt(CrashPoints.APPLY_STAGED_RECORDED))).run());
    assertEquals(HostState.Staged, h.status().state());
  }

  private static UpdateRequest with(UpdateRequest r, long sequence, UpdateRequest.Action action,
      UpdateRequest.Target target, UpdateRequest.Backup backup) {
    return new UpdateRequest(r.apiVersion(), r.plan(), sequence, action, r.type(), r.from(), target,
        r.allowDowngrade(), backup, r.healthCheckTimeoutSeconds(), r.backupRetention(), r.verification(),
        r.allowUnsupportedPath(), r.bypassUpdateDriver());
  }

  @Test
  void anotherTargetCommitForTheSameSequenceIsRefusedAndTheAcceptedUpdateContinues() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    applyUntilStaged(h, req);
    String other = h.ostreeSysroot.commit(root, "rhel/9/x86_64/other", "4.17.9");
    h.writeRequest(with(req, req.sequence(), req.action(),
        new UpdateRequest.Target(TestHost.TARGET, "rhel/9/x86_64/other", other, null), req.backup()));
    h.runner.clearCalls();
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state(), s.message());
    assertEquals(h.commitTarget, s.targetDeployment(), "the accepted target, not the rewritten one");
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.contains("rebase") || a.contains("deploy")),
        "nothing staged again: " + h.runner.actions());
    assertEquals(h.commitTarget, h.ostreeSysroot.deployments().get(0).checksum());
  }

  @Test
  void anotherBackupSetIsRefusedAndTheDataGoesIntoTheAcceptedOne() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    applyUntilStaged(h, req);
    UpdateRequest.Backup b = req.backup();
    h.writeRequest(with(req, req.sequence() + 1, req.action(), req.target(), new UpdateRequest.Backup("elsewhere",
        Markers.etcdSnapshotPath("elsewhere"), b.etcdSnapshotBytes(), b.etcdSnapshotSha256(), b.etcdRevision(),
        Markers.dataPath("elsewhere"))));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state());
    assertEquals(TestHost.BACKUP_ID, h.status().dataCopy().backupId());
    assertFalse(Files.exists(h.paths.stateDir().resolve("backups/elsewhere")));
  }

  @Test
  void aCancelThatCarriesNewContentIsRefusedToo() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    applyUntilStaged(h, req);
    UpdateRequest.Backup b = req.backup();
    h.writeRequest(with(req, req.sequence() + 1, UpdateRequest.Action.Cancel, req.target(),
        new UpdateRequest.Backup(b.id(), b.etcdSnapshotPath(), b.etcdSnapshotBytes(), "c".repeat(64), b.etcdRevision(),
            b.dataPath())));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state(), "not cancelled: " + h.status().message());
  }

  @Test
  void aCancelOfTheSameRequestIsStillHonoured() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    applyUntilStaged(h, req);
    h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, req.sequence() + 1));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith(ApplyCommand.CANCELLED), s.message());
  }

  @Test
  void aSnapshotChangedBeforeTheAgentResumesFailsTheUpdateWithTheHostAsItWas() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    String booted = h.bootedChecksum();
    applyUntilStaged(h, req);
    Path snapshot = h.paths.stateDir().resolve("backups/" + TestHost.BACKUP_ID + "/etcd.snapshot");
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[0] ^= 1;
    Files.write(snapshot, bytes);
    h.microshiftActive = true;
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("the backup set changed since the host accepted the request"), s.message());
    assertTrue(h.microshiftActive);
    assertEquals(booted, h.ostreeSysroot.deployments().get(0).checksum(), "the staged deployment is removed");
  }

  @Test
  void greenbootDoesNotTrustAVerificationInARewrittenRequest() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    UpdateRequest rewritten = with(req, req.sequence(), req.action(),
        new UpdateRequest.Target(TestHost.TARGET, req.target().ostreeRef(), h.commitFrom, null), req.backup());
    h.verify(rewritten, UpdateRequest.VerificationResult.Passed);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(1, new GreenbootCommands(h.ctx()).check(new PrintStream(out, true, StandardCharsets.UTF_8)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("request.json changes target since the host accepted it"),
        out.toString(StandardCharsets.UTF_8));
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    assertEquals(0, new GreenbootCommands(h.ctx()).check(new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8)), "the accepted request with its verification passes");
  }
}
