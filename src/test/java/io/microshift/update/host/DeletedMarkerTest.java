package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 10: a marker file deleted by hand in the middle of an update. Nothing is lost
 * and the outcome tells the truth.
 */
class DeletedMarkerTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private static String check(TestHost h, int[] rc) throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    rc[0] = new GreenbootCommands(h.ctx()).check(new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void greenbootsCheckWaitsForADeletedRequestToBeWrittenAgainInsteadOfFailingAHealthyBoot() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    Files.delete(MarkerFiles.requestFile(h.paths.stateDir()));
    int[] polls = {0};
    h.whileWaiting = () -> {
      if (++polls[0] == 3) {
        h.verify(req, UpdateRequest.VerificationResult.Passed); // the operator writes it again
      }
    };
    int[] rc = {-1};
    String out = check(h, rc);
    assertEquals(0, rc[0], out);
    assertTrue(polls[0] >= 3, "the check waited for request.json");
  }

  @Test
  void aRequestThatNeverComesBackFailsTheCheckAtTheAcceptedRequestsTimeout() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    Files.delete(MarkerFiles.requestFile(h.paths.stateDir()));
    java.time.Instant start = h.now;
    int[] rc = {-1};
    String out = check(h, rc);
    assertEquals(1, rc[0], out);
    assertTrue(out.contains("timed out after " + req.healthCheckTimeoutSeconds() + "s waiting for request.json, which is missing"),
        out);
    assertTrue(!h.now.isBefore(start.plusSeconds(req.healthCheckTimeoutSeconds())), "waited the whole timeout");
  }

  private static void deleteStatus(TestHost h) throws Exception {
    Files.delete(MarkerFiles.hostStatusFile(h.paths.stateDir()));
  }

  @Test
  void statusDeletedBeforeTheCopyStopsTheUpdateTruthfullyAndLeavesTheHostAsItWas() throws Exception {
    TestHost h = new TestHost(root, true);
    String before = h.bootedChecksum();
    int deployments = h.ostreeSysroot.deployments().size();
    UpdateRequest req = h.request();
    h.writeRequest(req);
    org.junit.jupiter.api.Assertions.assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(new CrashAt(CrashPoints.APPLY_STAGED_RECORDED))).run());
    deleteStatus(h);

    assertEquals(1, new ApplyCommand(h.ctx()).run());

    io.microshift.update.marker.HostStatus s = h.status();
    assertEquals(io.microshift.update.marker.HostState.Failed, s.state());
    assertTrue(s.message().contains("host-status.json was missing (deleted?)")
        && s.message().contains("the staged deployment was removed")
        && s.message().contains("microshift-update restore " + req.backup().id()), s.message());
    assertTrue(h.microshiftActive, "MicroShift runs");
    assertEquals(deployments, h.ostreeSysroot.deployments().size(), "the staged deployment is gone");
    assertEquals(before, h.ostreeSysroot.deployments().get(0).checksum(), "the next boot runs the old deployment");
  }

  @Test
  void statusDeletedBeforeTheRebootIsRebuiltOnTheTargetBootAndTheUpdateCommits() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(io.microshift.update.marker.HostState.Rebooting, h.status().state());
    deleteStatus(h);
    h.rebootIntoDefault();

    assertEquals(0, new BootCommand(h.ctx()).run(), "boot");
    io.microshift.update.marker.HostStatus s = h.status();
    assertEquals(io.microshift.update.marker.HostState.Booted, s.state());
    assertTrue(s.message().contains("rebuilt from the accepted request"), s.message());
    assertEquals(h.bootId(), s.bootIdAfter());
    assertEquals(req.backup().id(), s.dataCopy().backupId(), "the complete data copy is known again");
    h.startMicroShift(TestHost.TARGET);
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    int[] rc = {-1};
    String out = check(h, rc);
    assertEquals(0, rc[0], out);
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(io.microshift.update.marker.HostState.Committed, h.status().state());
  }

  @Test
  void statusDeletedAfterTheTargetRanAndRolledBackRestoresTheDataAtBoot() throws Exception {
    TestHost h = new TestHost(root, true);
    java.util.Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req); // the target MicroShift migrated the data dir
    java.util.Map<String, String> migrated = TestHost.digest(h.paths.microshiftData());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    deleteStatus(h);
    h.rebootIntoPrevious(); // greenboot's fallback: the old MicroShift refuses data of a newer version

    assertEquals(0, new BootCommand(h.ctx()).run(), "boot");

    io.microshift.update.marker.HostStatus s = h.status();
    assertEquals(io.microshift.update.marker.HostState.Restored, s.state(), s.message());
    assertTrue(s.history().get(0).message().contains("host-status.json was missing (deleted?)")
        && s.history().get(0).message().contains("last run by MicroShift " + TestHost.TARGET), s.history().get(0).message());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()), "the data dir is the one from before the update");
    assertEquals(migrated, TestHost.digest(h.paths.host(s.failedDataPath())), "the target's data dir is kept aside");
    // the next boot has nothing to do
    h.powerCut();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(io.microshift.update.marker.HostState.Restored, h.status().state());
  }

  @Test
  void statusDeletedBeforeTheRebootAndTheOldBootBackIsNotTakenForARollback() throws Exception {
    TestHost h = new TestHost(root, true);
    java.util.Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    deleteStatus(h);
    h.rebootIntoPrevious(); // the target never ran: the data dir is still the old version's

    assertEquals(1, new BootCommand(h.ctx()).run(), "boot");
    io.microshift.update.marker.HostStatus s = h.status();
    assertEquals(io.microshift.update.marker.HostState.Failed, s.state(), s.message());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()), "nothing restored");
  }
}
