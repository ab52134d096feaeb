package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host agent against fakes that behave as the upstream tools do (issue 13): MicroShift's own
 * restore (which needs the live data dir), its etcd scope (which stops after the service), a
 * target that never boots, rpm-ostree's refspec completion, layered hosts, update drivers and
 * image-mode hosts. Each test failed against the agent before its fix.
 */
class UpstreamFidelityTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  // ---------------------------------------------------------------- microshift restore

  @Test
  void rollbackRestoresWithMicroShiftsRestoreVerbAndKeepsTheFailedDataDir() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.microshiftHasBackupVerbs(true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    Map<String, String> migrated = TestHost.digest(h.paths.microshiftData());
    assertNotEquals(original, migrated);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    h.rebootIntoPrevious();
    h.runner.clearCalls();
    assertEquals(0, new BootCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertTrue(h.runner.actions().stream().anyMatch(a -> a.subList(0, 2).equals(List.of("microshift", "restore"))),
        h.runner.actions().toString());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()));
    assertEquals(migrated, TestHost.digest(h.paths.host(s.failedDataPath())), "the failed data dir is kept aside, whole");
    assertFalse(Files.exists(h.paths.host("/var/lib/microshift.saved")));
  }

  @Test
  void twoManualRestoresInTheSameSecondBothRestoreFromTheirOwnSet() throws Exception {
    TestHost h = new TestHost(root, false);
    h.runner.microshiftHasBackupVerbs(true);
    h.microshiftActive = false;
    Path setAData = h.paths.stateDir().resolve("backups/" + TestHost.BACKUP_ID + "/data");
    Path setB = h.paths.stateDir().resolve("backups/other-set/data");
    Files.createDirectories(setB.getParent());
    new ProcessCommandRunner().check(List.of("cp", "-a", h.paths.microshiftData().toString(), setAData.toString()));
    new ProcessCommandRunner().check(List.of("cp", "-a", h.paths.microshiftData().toString(), setB.toString()));
    Files.writeString(setAData.resolve("etcd/member/snap/db"), "set A");
    Files.writeString(setB.resolve("etcd/member/snap/db"), "set B");
    Map<String, String> setA = TestHost.digest(setAData);
    Map<String, String> b = TestHost.digest(setB);

    assertEquals(0, restore(h, TestHost.BACKUP_ID));
    assertEquals(setA, TestHost.digest(h.paths.microshiftData()));
    assertEquals(0, restore(h, "other-set")); // the same clock second: h.now does not move
    assertEquals(b, TestHost.digest(h.paths.microshiftData()), "the second restore is not taken for the first");
    try (var s = Files.list(h.paths.host("/var/lib"))) {
      assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith("microshift.failed-")).count(),
          "each restore keeps its own failed dir");
    }
  }

  private static int restore(TestHost h, String id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = new RestoreCommand(h.ctx()).run(id, new PrintStream(out, true, StandardCharsets.UTF_8));
    System.out.print(out.toString(StandardCharsets.UTF_8));
    return rc;
  }

  // ---------------------------------------------------------------- the etcd scope

  @Test
  void applyWaitsForTheEtcdScopeToStopBeforeMicroShiftsBackup() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.microshiftHasBackupVerbs(true);
    h.runner.etcdScopeLingers(4);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    assertEquals(HostStatus.CopyMethod.microshift, h.status().dataCopy().method());
  }

  @Test
  void anEtcdScopeThatNeverStopsFailsTheUpdateAndLeavesTheHostAsItWas() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.microshiftHasBackupVerbs(true);
    h.runner.etcdScopeStuck(true);
    String booted = h.bootedChecksum();
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("microshift-etcd.scope (deactivating) is still running 120s after systemctl stop"), s.message());
    assertTrue(s.message().contains("the staged deployment was removed"), s.message());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "cleanup", "--pending")));
    assertTrue(h.microshiftActive, "MicroShift runs again");
    assertEquals(booted, h.ostreeSysroot.deployments().get(0).checksum(), "no deployment left for the next boot");
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.get(0).equals("microshift") || a.get(0).equals("cp")));
  }

  // ---------------------------------------------------------------- a target that never boots

  @Test
  void aTargetThatNeverBootsIsARollbackAndIsNeverStagedAgain() throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    // the target's kernel never reaches user space; grub's counter runs out and greenboot's
    // fallback unit runs rpm-ostree rollback on the previous deployment's boot
    h.rebootIntoPrevious();
    h.runner.rollback();
    assertEquals(h.commitTarget, h.ostreeSysroot.deployments().get(1).checksum());
    h.runner.clearCalls();
    assertEquals(0, new BootCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertTrue(s.history().stream().anyMatch(t -> t.message().contains("never came up")), s.history().toString());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()));
    h.microshiftActive = true;
    assertEquals(0, new ApplyCommand(h.ctx()).run()); // the apply unit at boot
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.get(0).equals("rpm-ostree") && a.get(1).equals("rebase")),
        "the same request is never staged twice: " + h.runner.actions());
    assertFalse(h.rebootRequested);
  }

  @Test
  void thePreviousDeploymentBootedWhileTheTargetIsStillTheDefaultIsRolledBackFirst() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    h.rebootIntoPrevious(); // picked in the boot menu: the target is still deployments[0]
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "rollback")));
    assertEquals(h.commitFrom, h.ostreeSysroot.deployments().get(0).checksum(), "the next boot is the previous deployment");
    assertEquals(HostState.Restored, h.status().state());
  }

  /**
   * greenboot-rs sets its rollback trigger to the target at the shutdown; when the previous
   * deployment boots instead, its health check (after the boot unit) makes that permanent with
   * rpm-ostree rollback (fedora-iot/greenboot-rs src/main.rs, detect_grub_fallback,
   * handle_rollback(RollbackMode::Forced)): a rollback of the agent's own first would be undone.
   */
  @Test
  void underGreenbootRsTheAgentLeavesTheRollbackToGreenbootsGrubFallbackDetection() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    h.runner.grubenv().put("boot_success", "0");
    h.runner.grubenv().put("greenboot_next_deployment_id", h.commitTarget);
    h.runner.grubenv().put("fallback", "1");
    h.rebootIntoPrevious(); // grub's fallback=1: the target's kernel did not load; the target is still deployments[0]
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertFalse(h.runner.actions().contains(List.of("rpm-ostree", "rollback")), h.runner.actions().toString());
    assertTrue(h.runner.calls().contains(List.of("grub2-editenv", "/boot/grub2/grubenv", "list")));
    assertEquals(h.commitTarget, h.ostreeSysroot.deployments().get(0).checksum(), "greenboot-rs rolls back, later");
    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertTrue(s.history().stream().anyMatch(t -> t.message().contains("greenboot-rs makes")),
        s.history().toString());
  }

  /**
   * A third deployment kept after the booted one (pinned: ostree's finalization keeps it):
   * rpm-ostree rollback moves that one to the top, not the booted one (rollback_transaction_execute),
   * so the agent runs it again until the booted deployment is the default.
   */
  @Test
  void thePreviousDeploymentBecomesTheDefaultAlsoWithAPinnedDeploymentAfterIt() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    h.rebootIntoPrevious(); // picked in the boot menu
    // a pinned deployment, which ostree keeps after the booted one: [target, previous (booted), pinned],
    // laid out with ostree itself: the target out, the pinned one after the previous, the target back on top
    String pinned = h.ostreeSysroot.commit(root.resolve("scratch-pinned"), "rhel/9/x86_64/edge-4.16.9", "4.16.9");
    String targetOrigin = h.ostreeSysroot.deployments().get(0).origin();
    h.ostreeSysroot.undeploy(0);
    ProcessCommandRunner ostree = new ProcessCommandRunner();
    String sysroot = "--sysroot=" + h.ostreeSysroot.path();
    assertEquals(0, ostree.run(List.of("ostree", "admin", "deploy", sysroot, "--os=rhel", "--retain", "--not-as-default",
        pinned)).exitCode());
    Path origin = root.resolve("target.origin");
    Files.writeString(origin, "[origin]\nrefspec=" + targetOrigin + "\n");
    assertEquals(0, ostree.run(List.of("ostree", "admin", "deploy", sysroot, "--os=rhel", "--retain",
        "--origin-file=" + origin, h.commitTarget)).exitCode());
    assertEquals(List.of(h.commitTarget, h.commitFrom, pinned), h.runner.rpmOstreeDeployments());
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(h.commitFrom, h.runner.rpmOstreeDeployments().get(0), "the booted deployment is the default: "
        + h.runner.rpmOstreeDeployments());
    assertEquals(2, h.runner.actions().stream().filter(a -> a.equals(List.of("rpm-ostree", "rollback"))).count());
    assertEquals(HostState.Restored, h.status().state(), h.status().message());
  }

  /** rpm-ostree rollback's refusals, as modelled (rollback_transaction_execute). */
  @Test
  void rpmOstreeRollbackRefusesWithoutAnotherDeploymentOrWithAStagedOne() throws Exception {
    TestHost h = new TestHost(root, true);
    CommandRunner.Result alone = h.runner.run(List.of("rpm-ostree", "rollback"));
    assertEquals(1, alone.exitCode());
    assertTrue(alone.stderr().contains("No rollback deployment found"), alone.stderr());
    assertEquals(0, h.runner.run(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget)).exitCode());
    CommandRunner.Result staged = h.runner.run(List.of("rpm-ostree", "rollback"));
    assertTrue(staged.stderr().contains("Staged deployment (remove with cleanup -p)"), staged.stderr());
  }

  @Test
  void aStagedDeploymentLostToAPowerCutIsStagedAgain() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    h.powerCut(); // not finalized: the target is not among the deployments
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertTrue(h.rebootRequested);
  }

  // ---------------------------------------------------------------- rpm-ostree staging

  @Test
  void aRefWithoutRemoteIsRecognisedWithTheRemoteRpmOstreeAdds() throws Exception {
    TestHost h = new TestHost(root, true);
    // the booted deployment came from remote rhel-edge
    h.ostreeSysroot.pulledFrom("rhel-edge", TestHost.REF_TARGET, h.commitTarget);
    h.ostreeSysroot.pulledFrom("rhel-edge", "rhel/9/x86_64/edge-4.17.1", h.commitFrom);
    h.ostreeSysroot.undeploy(0);
    assertTrue(h.ostreeSysroot.deploy(h.commitFrom, "rhel-edge:rhel/9/x86_64/edge-4.17.1").ok());
    h.writeRequest(h.request()); // ostreeRef rhel/9/x86_64/edge, no remote
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    assertEquals("rhel-edge:" + TestHost.REF_TARGET, h.ostreeSysroot.deployments().get(0).origin());
    assertEquals(HostState.Rebooting, h.status().state());
  }

  @Test
  void onALayeredHostTheTargetCommitIsTheBaseChecksum() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.layered(true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state(), s.message());
    assertNotEquals(h.commitTarget, s.targetDeployment(), "the deployment is a local layered commit");
    assertEquals(h.commitTarget, h.runner.baseOf(s.targetDeployment()));
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state());
  }

  @Test
  void aRegisteredUpdateDriverIsRefusedByNameUnlessThePlanBypassesIt() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.updateDriver("flightctl-agent", "flightctl-agent.service");
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("driven by flightctl-agent (flightctl-agent.service)"), s.message());
    assertTrue(s.message().contains("spec.bypassUpdateDriver: true"), s.message());
    assertTrue(h.runner.actions().isEmpty(), h.runner.actions().toString());

    UpdateRequest r = h.request();
    UpdateRequest bypass = new UpdateRequest(r.apiVersion(), r.plan(), 2, r.action(), r.type(), r.from(), r.target(),
        false, r.backup(), 600, 2, null, false, true);
    h.writeRequest(bypass);
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization",
        "--bypass-driver")),
        h.runner.actions().toString());
  }

  /**
   * rpm-ostree rebase REF COMMIT checks that COMMIT is in REF's history (src/daemon/
   * rpmostreed-transaction-types.cxx apply_revision_override, "Checksum %s not found in %s"): a
   * plan naming a commit of another branch fails at staging with that reason, nothing changed.
   */
  @Test
  void aCommitThatIsNotInTheRefsHistoryFailsStagingWithRpmOstreesReason() throws Exception {
    TestHost h = new TestHost(root, true);
    String otherBranch = h.ostreeSysroot.commit(root.resolve("scratch-other"), "rhel/9/x86_64/edge-other", TestHost.TARGET);
    UpdateRequest r = h.request();
    UpdateRequest wrong = new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(), r.from(),
        new UpdateRequest.Target(TestHost.TARGET, TestHost.REF_TARGET, otherBranch, null), false, r.backup(), 600, 2,
        null, false, false);
    h.writeRequest(wrong);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state(), s.message());
    assertTrue(s.message().contains("Checksum " + otherBranch + " not found in"), s.message());
    assertTrue(h.microshiftActive, "MicroShift was not stopped");
    assertEquals(List.of(h.commitFrom), h.runner.rpmOstreeDeployments(), "nothing staged");
  }

  @Test
  void anImageModeHostIsRefusedClearly() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.bootedImage("ostree-unverified-registry:quay.io/example/microshift-bootc:4.17.1");
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("boots a container image (image mode, bootc"), h.status().message());
    assertTrue(h.runner.actions().isEmpty(), h.runner.actions().toString());
  }

  @Test
  void anotherStagedDeploymentIsRefusedNotReplaced() throws Exception {
    TestHost h = new TestHost(root, true);
    String other = h.ostreeSysroot.commit(root, "rhel/9/x86_64/hotfix", "4.17.2");
    assertTrue(h.ostreeSysroot.deploy(other).ok());
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("another deployment is staged for the next boot (" + other), h.status().message());
    assertEquals(other, h.ostreeSysroot.deployments().get(0).checksum(), "left as it was");
  }
}
