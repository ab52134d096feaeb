package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 1: Prepare (checks, etcd through jetcd, download and staging with rpm-ostree's
 * finalization lock, before any workload is touched), then Apply (the agent's own etcd snapshot
 * with MicroShift running, stop, copy, {@code rpm-ostree finalize-deployment}), Cancel after
 * Prepare, an unplanned reboot between them, a dry run, and the order of actions the host accepts.
 */
class PrepareFlowTest extends HostWithEtcd {
  private TestHost host(boolean ostree) {
    return host(root, ostree);
  }

  @Test
  void prepareStagesWithTheFinalizationLockedAndTouchesNothingElse() {
    TestHost h = host(true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Prepared, s.state(), s.message());
    assertEquals(List.of(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization")),
        h.runner.actions(), "only the staging: MicroShift runs, no copy, no reboot");
    assertTrue(h.microshiftActive);
    assertFalse(h.rebootRequested);
    assertTrue(h.runner.finalizationLocked());
    HostStatus.Prepared p = s.prepared();
    assertNotNull(p);
    assertFalse(p.dryRun());
    assertEquals(h.commitFrom, p.bootedDeployment());
    assertEquals(h.commitTarget, p.stagedDeployment());
    assertTrue(p.finalizationLocked());
    assertTrue(p.etcd().healthy());
    assertTrue(p.etcd().dbSizeBytes() > 0, "etcd's db size through jetcd");
    assertTrue(p.etcd().alarms().isEmpty());
    assertTrue(p.requiredBytes() > 0 && p.freeBytes() > p.requiredBytes(), p.toString());
    assertFalse(Files.exists(h.paths.stateDir().resolve("backups/" + HOST_BACKUP)), "no snapshot before Apply");
  }

  /** rpm-ostree before v2024.6 locks with the legacy file, which status --json reports and ostree admin status does not. */
  @Test
  void theLegacyLockFileOfAnOlderRpmOstreeIsReportedAsLockedAndApplyFinalizesTheSame() throws Exception {
    TestHost h = host(true);
    h.runner.legacyFinalizationLockFile(true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertTrue(h.status().prepared().finalizationLocked(), h.status().message());
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertTrue(h.rebootRequested, h.status().message());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", h.commitTarget)));
    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum());
  }

  @Test
  void applyAfterPrepareTakesTheSnapshotOnTheHostThenFinalizesTheStagedDeployment() throws Exception {
    TestHost h = host(true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    h.runner.clearCalls();
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state(), s.message());
    assertEquals(2, s.request().sequence());
    assertEquals(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", h.commitTarget),
        h.runner.actions().get(h.runner.actions().size() - 1));
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.contains("rebase")), "staged once, by Prepare");
    assertTrue(h.rebootRequested);
    Path set = h.paths.stateDir().resolve("backups/" + HOST_BACKUP);
    Path snap = set.resolve("etcd.snapshot");
    assertTrue(Files.size(snap) > 0);
    assertEquals(TestHost.sha256(Files.readAllBytes(snap)), s.etcdSnapshot().sha256());
    assertEquals(Files.size(snap), s.etcdSnapshot().bytes());
    assertTrue(Files.readString(set.resolve("etcd.snapshot.sha256")).startsWith(s.etcdSnapshot().sha256()));
    assertTrue(Files.exists(set.resolve("manifest.json")));
    assertEquals(HOST_BACKUP, s.dataCopy().backupId());
    assertEquals(2, h.statusIfAny().orElseThrow().request().sequence());
    // accepted-request.json is now the Apply: the greenboot check trusts its verification
    assertEquals(Action.Apply, h.ctx().recorder().acceptedRequest(TestHost.PLAN_UID, 2).orElseThrow().action());

    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state());
    assertEquals(h.commitTarget, h.bootedChecksum());
  }

  @Test
  void anUnplannedRebootAfterPrepareBootsTheOldDeploymentAndApplyStagesAgain() {
    TestHost h = host(true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));

    h.rebootIntoDefault(); // e.g. a kernel panic, or someone ran systemctl reboot
    assertEquals(h.commitFrom, h.bootedChecksum(), "the locked staged deployment was not finalized");
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Prepared, h.status().state(), "nothing to decide at boot: the update did not start");
    h.startMicroShift(TestHost.FROM);

    h.runner.clearCalls();
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    assertTrue(h.runner.actions().contains(
        List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization")),
        "staged again: " + h.runner.actions());
    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum());
  }

  @Test
  void cancelAfterPrepareRemovesTheStagedDeploymentAndLeavesTheHostAsItWas() {
    TestHost h = host(true);
    List<String> before = h.ostreeSysroot.deployments().stream().map(d -> d.checksum()).toList();
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    h.writeRequest(request(h, 2, Action.Cancel, false));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("cancelled by request sequence 2"), s.message());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "cleanup", "--pending")));
    assertEquals(before, h.ostreeSysroot.deployments().stream().map(d -> d.checksum()).toList());
    assertTrue(h.microshiftActive);
    assertFalse(h.rebootRequested);
    assertFalse(Files.exists(h.paths.inFlightFlag()));
  }

  @Test
  void aDryRunPrepareChecksEverythingAndStagesNothing() {
    TestHost h = host(true);
    h.writeRequest(request(h, 1, Action.Prepare, true));
    assertEquals(0, apply(h));
    HostStatus s = h.status();
    assertEquals(HostState.Checked, s.state(), s.message());
    assertTrue(s.state().isTerminal());
    assertTrue(h.runner.actions().isEmpty(), h.runner.actions().toString());
    assertTrue(s.prepared().dryRun());
    assertTrue(s.prepared().etcd().healthy());
    assertEquals(h.commitFrom, s.prepared().bootedDeployment());
    assertNull(s.prepared().stagedDeployment());
    assertFalse(Files.exists(h.paths.inFlightFlag()), "no update in flight after a dry run");
  }

  @Test
  void aPrepareThatCannotReachEtcdFailsWithNothingStaged() {
    TestHost h = new TestHost(root, true);
    h.etcd = EtcdClientConfig.plaintext("http://127.0.0.1:1").withTimeouts(java.time.Duration.ofMillis(300),
        java.time.Duration.ofMillis(500));
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(1, apply(h));
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("prepare refused:") && s.message().contains("etcd"), s.message());
    assertTrue(h.runner.actions().isEmpty(), h.runner.actions().toString());
    assertFalse(s.prepared().etcd().healthy());
  }

  @Test
  void onlyPrepareThenApplyOrCancelMayFollowAnAcceptedPrepare() {
    TestHost h = host(true);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    // an Apply that changes a fixed field (the target) is refused: the host stays Prepared
    UpdateRequest apply = request(h, 2, Action.Apply, false);
    UpdateRequest otherTarget = new UpdateRequest(apply.apiVersion(), apply.plan(), 2, Action.Apply, apply.type(),
        apply.from(), new UpdateRequest.Target(TestHost.TARGET, "rhel/9/x86_64/other", null, null),
        apply.allowDowngrade(), apply.backup(), apply.healthCheckTimeoutSeconds(), apply.backupRetention(), null,
        false, false, false);
    h.writeRequest(otherTarget);
    h.runner.clearCalls();
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state());
    assertEquals(1, h.status().request().sequence());
    assertTrue(h.runner.actions().isEmpty(), h.runner.actions().toString());

    // the Apply is accepted; after it, a Prepare (a step back) is refused and the update continues
    h.writeRequest(apply);
    assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(new CrashAt(CrashPoints.APPLY_STAGED_RECORDED))).run());
    h.writeRequest(request(h, 3, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    assertEquals(2, h.status().request().sequence());
  }

  @Test
  void aCrashAnywhereInPrepareOrTheApplyAfterItResumes() {
    for (String point : CrashPoints.PREPARE) {
      Path dir = root.resolve(point);
      TestHost h = host(dir, true);
      h.writeRequest(request(h, 1, Action.Prepare, false));
      assertThrows(CrashAt.SimulatedCrash.class, () -> new ApplyCommand(h.ctx(new CrashAt(point))).run(), point);
      assertEquals(0, apply(h), point);
      assertEquals(HostState.Prepared, h.status().state(), point + ": " + h.status().message());
      assertEquals(1, h.runner.actions().stream().filter(a -> a.contains("rebase")).count(), point);
      h.writeRequest(request(h, 2, Action.Apply, false));
      for (String applyPoint : CrashPoints.APPLY_AFTER_PREPARE) {
        assertThrows(CrashAt.SimulatedCrash.class, () -> new ApplyCommand(h.ctx(new CrashAt(applyPoint))).run(),
            applyPoint);
      }
      assertEquals(0, apply(h), point);
      assertEquals(HostState.Rebooting, h.status().state(), point + ": " + h.status().message());
      h.rebootIntoDefault();
      assertEquals(h.commitTarget, h.bootedChecksum(), point);
      TestHost.unlockSysroot(dir);
    }
  }

  @Test
  void rpmPrepareOnlyDownloadsAndApplyInstallsFromTheCache() {
    TestHost h = host(false);
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertTrue(h.runner.actions().stream().allMatch(a -> a.contains("--downloadonly")), h.runner.actions().toString());
    assertEquals(TestHost.FROM, h.installedPackageVersion);
    assertEquals(h.request().target().packages(), h.status().prepared().packages());
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertEquals(TestHost.TARGET, h.installedPackageVersion);
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
  }

  @Test
  void theAgentReachesEtcdWithMicroShiftsClientCertificateUnderTheHostRoot() throws Exception {
    try (EtcdServerFixture tls = EtcdServerFixture.builder().mutualTls().start()) {
      TestHost h = new TestHost(root, true);
      Path certs = h.paths.host("/var/lib/microshift/certs");
      copyTree(tls.certsDir(), certs);
      h.writeRequest(request(h, 1, Action.Prepare, false));
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
      int rc = HostCli.run(new String[] {"--root", root.toString(), "--booted-deployment-file",
          h.bootedFile.toString(), "--marker-owner", Integer.toString(TestHost.UID), "--etcd-endpoints",
          tls.endpoint(), "apply"}, out, out, h.runner, io.microshift.update.marker.CrashHook.NONE, p -> h.usableBytes);
      assertEquals(0, rc, log.toString(StandardCharsets.UTF_8));
      assertTrue(h.status().prepared().etcd().healthy(), h.status().message());
    }
  }

  /**
   * rpm-ostree finalize-deployment as modelled (coreos/rpm-ostree
   * src/daemon/rpmostreed-transaction-types.cxx, finalize_deployment_transaction_execute): its
   * refusals, and a clean reboot with the lock held boots the booted deployment again.
   */
  @Test
  void finalizeDeploymentRefusesWhatRpmOstreeRefuses() {
    TestHost h = host(true);
    FakeHostCommands c = h.runner;
    assertTrue(c.run(List.of("rpm-ostree", "finalize-deployment", h.commitTarget)).stderr()
        .contains("No pending staged deployment found"));
    assertEquals(0, c.run(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization"))
        .exitCode());
    // rpm-ostree since v2024.6 locks through ostree's staged metadata: status --json says only
    // "staged" (rust/src/daemon.rs, deployment_populate_variant), ostree admin status says locked
    String json = c.run(List.of("rpm-ostree", "status", "--json")).stdout();
    assertTrue(json.contains("\"staged\":true") && !json.contains("finalization-locked"), json);
    assertTrue(c.run(List.of("ostree", "admin", "status")).stdout()
        .contains(" rhel " + h.commitTarget + ".0 (finalization locked)\n"));
    c.legacyFinalizationLockFile(true); // before v2024.6: the lock file, which status --json reports
    assertTrue(c.run(List.of("rpm-ostree", "status", "--json")).stdout().contains("\"finalization-locked\":true"));
    assertTrue(c.run(List.of("ostree", "admin", "status")).stdout().contains(h.commitTarget + ".0 (staged)\n"));
    c.legacyFinalizationLockFile(false);
    CommandRunner.Result wrong = c.run(List.of("rpm-ostree", "finalize-deployment", h.commitFrom));
    assertEquals(1, wrong.exitCode());
    assertTrue(wrong.stderr().contains("Expected staged base checksum " + h.commitFrom + ", but found " + h.commitTarget),
        wrong.stderr());
    assertTrue(c.run(List.of("rpm-ostree", "finalize-deployment")).stderr()
        .contains("Must provide expected CHECKSUM or --allow-missing-checksum"));
    assertFalse(h.rebootRequested);
    assertEquals(0, c.run(List.of("rpm-ostree", "finalize-deployment", h.commitTarget)).exitCode());
    assertTrue(h.rebootRequested, "finalize-deployment reboots");
    assertFalse(c.finalizationLocked());
    assertTrue(c.run(List.of("rpm-ostree", "finalize-deployment", h.commitTarget)).stderr()
        .contains("Staged deployment already unlocked"));
    h.rebootRequested = false;
    assertEquals(0, c.run(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", h.commitTarget)).exitCode());
    assertTrue(h.rebootRequested, "--allow-unlocked: an unlocked one reboots too");
    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum(), "unlocked: the staged deployment is finalized at shutdown");
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
