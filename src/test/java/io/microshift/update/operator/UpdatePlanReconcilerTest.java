package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@EnableKubernetesMockClient(crud = true)
class UpdatePlanReconcilerTest {
  static KubernetesClient client;

  @RegisterExtension final OperatorHarness harness = new OperatorHarness(() -> client);
  final FakeHost host = harness.host;
  final RecordingWorkloads work = harness.work;

  static UpdatePlan ostreePlan(String name, String version) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).build());
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = UpdateType.OSTREE;
    spec.target = new UpdateTarget(version);
    spec.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    plan.setSpec(spec);
    return plan;
  }

  UpdatePlan get(String name) {
    return harness.get(name);
  }

  UpdatePlan awaitPhase(String name, Phase phase) {
    return harness.awaitPhase(name, phase);
  }

  List<String> eventReasons(String plan) {
    return harness.eventReasons(plan);
  }

  @Test
  void aRefusedHostStatusIsAStepErrorThatSaysWhatIsWrongAndThePlanContinuesOnceItIsReadable() {
    client.resource(ostreePlan("refused", "4.17.3")).create();
    awaitPhase("refused", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    host.refusedStatus = "state: \"Exploded\" is not a host state";

    await().atMost(Duration.ofSeconds(20)).until(() -> Conditions.find(get("refused").getStatus(), "StepError")
        .filter(c -> "True".equals(c.getStatus())).isPresent());
    var condition = Conditions.find(get("refused").getStatus(), "StepError").orElseThrow();
    assertEquals("MarkerRefused", condition.getReason());
    assertTrue(condition.getMessage().contains("host-status.json refused"), condition.getMessage());
    assertTrue(condition.getMessage().contains("\"Exploded\" is not a host state"), condition.getMessage());
    assertEquals(Phase.AwaitingReboot, get("refused").getStatus().phase, "a refused marker changes no phase");

    host.refusedStatus = null;
    host.report("Staging", "boot-1", 0, "rpm-ostree finalize-deployment");
    UpdatePlan p = awaitPhase("refused", Phase.Applying);
    assertFalse(Conditions.find(p.getStatus(), "StepError").isPresent(), "the StepError clears once the file is readable");
  }

  @Test
  void walksAnOstreeUpdateThroughEveryPhaseToSucceeded() {
    client.resource(ostreePlan("z-stream", "4.17.3")).create();

    UpdatePlan p = awaitPhase("z-stream", Phase.AwaitingReboot);
    assertEquals("4.17.1", p.getStatus().fromVersion);
    assertEquals("4.17.3", p.getStatus().toVersion);
    assertEquals(1L, p.getStatus().acceptedGeneration);
    String backupId = p.getStatus().backup.id;
    assertTrue(backupId.startsWith("z-stream-"), backupId);
    // issue 16: the etcd snapshot and retention are the host agent's (Apply), not the operator's
    assertEquals(List.of("hooks:pre-update", "pause"), work.calls());
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    assertEquals("Prepare", host.requests.get(0).action(), "the host prepared first");
    assertTrue(host.requests.get(1).sequence() > host.requests.get(0).sequence(), "Apply has a new sequence");
    assertEquals(p.getMetadata().getUid(), host.lastRequest().get().planUid());
    assertTrue(p.getMetadata().getFinalizers().contains(UpdatePlanReconciler.FINALIZER));

    host.report("Staging", "boot-1", 0, "rpm-ostree rebase");
    awaitPhase("z-stream", Phase.Applying);
    host.report("Booted", "boot-2", 1, "target deployment booted");
    awaitPhase("z-stream", Phase.Verifying);
    await().until(() -> !host.verifications.isEmpty());
    assertEquals("boot-2", host.verifications.get(0).bootId());
    assertTrue(work.calls().contains("resume"), "AfterBoot resumes once the target booted");
    assertEquals(Phase.Verifying, get("z-stream").getStatus().phase, "a boot alone is not success");

    host.report("Committed", "boot-2", 1, "greenboot healthy, committed");
    p = awaitPhase("z-stream", Phase.Succeeded);
    assertTrue(work.calls().contains("hooks:post-update"));
    assertTrue(Conditions.isTrue(p.getStatus(), Conditions.READY));
    assertFalse(Conditions.isTrue(p.getStatus(), Conditions.PROGRESSING));
    assertEquals(p.getMetadata().getGeneration(),
        Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getObservedGeneration());
    assertTrue(p.getStatus().completionTime != null && p.getStatus().startTime != null);
    await().until(() -> eventReasons("z-stream").contains("UpdateCommitted"));
    assertEquals(1.0, harness.registry().get("microshift_update_plan_phase")
        .tags("plan", "z-stream", "phase", "Succeeded").gauge().value());
    assertEquals(0.0, harness.registry().get("microshift_update_plan_phase")
        .tags("plan", "z-stream", "phase", "Verifying").gauge().value());
    assertEquals(1.0, harness.registry().get("microshift_update_plans_completed")
        .tags("outcome", "Succeeded").counter().count());
    assertEquals(1, harness.registry().get("microshift_update_duration")
        .tags("outcome", "Succeeded", "dry_run", "false").timer().count(), "the update's duration is observed once");
    assertEquals(1, harness.registry().get("microshift_update_phase_duration").tags("phase", "Verifying").timer().count());
    assertTrue(eventReasons("z-stream").containsAll(
        List.of("Started", "PreflightPassed", "WorkloadBackupsDone", "WorkloadsPaused", "HostAccepted")));
  }

  /**
   * rpm, no reboot needed: the host reports Restarting, then Booted with the boot id it had
   * before (no new boot); the operator verifies that boot and waits for the commit as after a reboot.
   */
  @Test
  void aRestartInsteadOfARebootIsVerifiedOnTheSameBoot() {
    client.resource(ostreePlan("restart", "4.17.3")).create();
    awaitPhase("restart", Phase.AwaitingReboot);
    host.report("Restarting", "boot-1", 0, "restarting MicroShift without a reboot");
    awaitPhase("restart", Phase.Applying);
    host.report("Booted", "boot-1", 0, "MicroShift restarted without a reboot");
    awaitPhase("restart", Phase.Verifying);
    await().until(() -> !host.verifications.isEmpty());
    assertEquals("boot-1", host.verifications.get(0).bootId(), "the verification is keyed on the unchanged boot");
    host.report("Committed", "boot-1", 0, "committed");
    awaitPhase("restart", Phase.Succeeded);
  }

  @Test
  void afterBootVerifiesTheBootOnlyOnceTheResumedWorkloadsAreReady() {
    work.notReady = "Deployment shop/web 0/2 ready";
    client.resource(ostreePlan("gated", "4.17.3")).create();
    awaitPhase("gated", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().isPresent());
    host.report("Booted", "boot-2", 1, "target deployment booted");
    awaitPhase("gated", Phase.Verifying);
    await().until(() -> get("gated").getStatus().message.contains("once the resumed workloads are ready"));
    assertTrue(work.calls().contains("resume"));
    assertTrue(host.verifications.isEmpty(), "no verification while the resumed workloads are not ready");

    work.notReady = null;
    // the resumed pod turning ready is a pod change: the operator's pod informer wakes the plan
    client.pods().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName("web-ready").withNamespace("shop").endMetadata().build()).create();
    await().until(() -> !host.verifications.isEmpty());
    client.pods().inNamespace("shop").withName("web-ready").delete();
    assertEquals("boot-2", host.verifications.get(0).bootId());
    assertTrue(host.verifications.get(0).passed());
    assertEquals(Phase.Verifying, get("gated").getStatus().phase);
  }

  @Test
  void rollbackResumesWorkloadsRunsRestoreHooksAndReportsAttemptsAndBackup() {
    client.resource(ostreePlan("y-stream", "4.18.0")).create();
    awaitPhase("y-stream", Phase.AwaitingReboot);
    host.report("Rebooting", "boot-1", 0, "rebooting");
    awaitPhase("y-stream", Phase.Applying);
    host.report("Unhealthy", "boot-2", 1, "health check failed");
    awaitPhase("y-stream", Phase.Verifying);
    host.report("RolledBack", "boot-4", 3, "greenboot fell back");
    awaitPhase("y-stream", Phase.RollingBack);
    assertFalse(work.calls().contains("hooks:post-rollback"), "restore hooks wait for the data restore");
    host.report("Restored", "boot-4", 3, "data restored");
    UpdatePlan p = awaitPhase("y-stream", Phase.RolledBack);
    assertTrue(p.getStatus().message.contains("3 greenboot attempts"), p.getStatus().message);
    assertTrue(p.getStatus().message.contains("backup backup restored"), p.getStatus().message);
    assertTrue(work.calls().contains("hooks:post-rollback"));
    assertFalse(work.paused);
    assertEquals("Restored", p.getStatus().host.state);
  }

  @Test
  void aSecondPlanWaitsQueuedUntilTheFirstEnds() {
    client.resource(ostreePlan("first", "4.17.3")).create();
    awaitPhase("first", Phase.AwaitingReboot);
    client.resource(ostreePlan("second", "4.17.4")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      UpdatePlan p = get("second");
      return p.getStatus() != null && Conditions.isTrue(p.getStatus(), Conditions.QUEUED);
    });
    UpdatePlan second = get("second");
    assertEquals(Phase.Pending, second.getStatus().phase);
    assertTrue(second.getStatus().message.contains("first"), second.getStatus().message);

    host.report("Failed", "boot-1", 0, "rpm-ostree: no space left");
    awaitPhase("first", Phase.Failed);
    awaitPhase("second", Phase.AwaitingReboot);
    assertFalse(Conditions.isTrue(get("second").getStatus(), Conditions.QUEUED));
  }

  @Test
  void invalidSpecFailsWithAMessageNamingTheField() {
    UpdatePlan bad = ostreePlan("bad", "4.17");
    bad.getSpec().target.ostreeRef = "x;rm -rf /";
    client.resource(bad).create();
    UpdatePlan p = awaitPhase("bad", Phase.Failed);
    assertEquals("InvalidSpec", Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getReason());
    assertTrue(p.getStatus().message.contains("spec.target.version"), p.getStatus().message);
    assertTrue(p.getStatus().message.contains("spec.target.ostreeRef"), p.getStatus().message);
    assertTrue(work.calls().isEmpty(), "nothing was touched: " + work.calls());
  }

  @Test
  void unsupportedVersionJumpFailsBeforeAnythingChanges() {
    client.resource(ostreePlan("too-far", "4.20.0")).create();
    UpdatePlan p = awaitPhase("too-far", Phase.Failed);
    assertTrue(p.getStatus().message.contains("MicroShift 4.20.0 refuses data more than 2 minor versions older"
        + " (4.17.1 is 3 older): update to the latest 4.18.z first, then to 4.20.0"), p.getStatus().message);
    assertTrue(work.calls().isEmpty());
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void aNonEusSkipNeedsAllowUnsupportedPath() {
    client.resource(ostreePlan("skip", "4.19.0")).create();
    UpdatePlan p = awaitPhase("skip", Phase.Failed);
    assertEquals("VersionJumpNotSupported", Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getReason());
    assertTrue(p.getStatus().message.contains("skips a minor and is supported only between EUS releases"),
        p.getStatus().message);
    assertTrue(p.getStatus().message.contains("or set spec.allowUnsupportedPath: true"), p.getStatus().message);
    assertTrue(work.calls().isEmpty());
    assertTrue(host.requests.isEmpty());

    UpdatePlan optedIn = ostreePlan("skip-anyway", "4.19.0");
    optedIn.getSpec().allowUnsupportedPath = true;
    client.resource(optedIn).create();
    awaitPhase("skip-anyway", Phase.AwaitingReboot);
    assertTrue(eventReasons("skip-anyway").contains("PreflightPassed"), eventReasons("skip-anyway").toString());
  }

  @Test
  void anRpmTargetThatDoesNotRunOnTheNodesRhelFailsBeforeAnythingIsPaused() {
    client.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
        .withName("edge-1").endMetadata().withNewStatus().withNewNodeInfo()
        .withOsImage("Red Hat Enterprise Linux 9.2 (Plow)").endNodeInfo().endStatus().build()).create();
    try {
      UpdatePlan rpm = ostreePlan("rpm-on-9-2", "4.17.3");
      rpm.getSpec().type = UpdateType.RPM;
      rpm.getSpec().target.ostreeRef = null;
      rpm.getSpec().target.packages = List.of("microshift-4.17.3");
      client.resource(rpm).create();
      UpdatePlan p = awaitPhase("rpm-on-9-2", Phase.Failed);
      assertEquals("RhelVersionNotSupported", Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getReason());
      assertTrue(p.getStatus().message.contains("MicroShift 4.17 runs on RHEL 9.4 and this rpm host runs RHEL 9.2"),
          p.getStatus().message);
      assertTrue(p.getStatus().message.contains("move the host to RHEL 9.4 first"), p.getStatus().message);
      assertTrue(work.calls().isEmpty(), "nothing was paused or run: " + work.calls());
      assertTrue(host.requests.isEmpty());

      client.resource(ostreePlan("ostree-on-9-2", "4.17.3")).create();
      awaitPhase("ostree-on-9-2", Phase.AwaitingReboot); // an ostree target brings its own RHEL
    } finally {
      client.nodes().withName("edge-1").delete();
    }
  }

  @Test
  void failingPreUpdateHookFailsThePlanWithNothingPaused() {
    work.failStage = "pre-update";
    client.resource(ostreePlan("hook-fails", "4.17.3")).create();
    UpdatePlan p = awaitPhase("hook-fails", Phase.Failed);
    assertTrue(p.getStatus().message.contains("exited 1"));
    assertFalse(work.calls().contains("pause"));
    // the host had prepared (before any hook ran); the failed plan withdraws that Prepare, never applies
    assertEquals(List.of("Prepare", "Cancel"), host.requests.stream().map(FakeHost.Request::action).toList());
  }

  @Test
  void deletingAPlanBeforeTheHostActsResumesWorkloadsAndWithdrawsTheRequest() {
    client.resource(ostreePlan("cancel-me", "4.17.3")).create();
    awaitPhase("cancel-me", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().isPresent());
    assertTrue(work.paused);

    client.resources(UpdatePlan.class).withName("cancel-me").delete();

    await().atMost(Duration.ofSeconds(10)).until(() -> get("cancel-me") == null);
    assertFalse(work.paused, "workloads resumed");
    assertEquals("Cancel", host.lastRequest().get().action());
    assertTrue(host.lastRequest().get().sequence() > host.requests.get(0).sequence(), "sequence is monotonic");
  }

  @Test
  void deletingAPlanTheHostActsOnWaitsForTheOutcome() {
    client.resource(ostreePlan("in-flight", "4.17.3")).create();
    awaitPhase("in-flight", Phase.AwaitingReboot);
    host.report("Staging", "boot-1", 0, "staging");
    awaitPhase("in-flight", Phase.Applying);

    client.resources(UpdatePlan.class).withName("in-flight").delete();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Conditions.isTrue(get("in-flight").getStatus(), Conditions.DELETION_BLOCKED));
    assertEquals("Apply", host.lastRequest().get().action(), "an update under way is not withdrawn");

    host.report("Committed", "boot-2", 1, "committed");
    await().atMost(Duration.ofSeconds(15)).until(() -> get("in-flight") == null);
    assertFalse(work.paused);
  }

  @Test
  void aRestartedOperatorContinuesFromStatus() {
    client.resource(ostreePlan("restart", "4.17.3")).create();
    awaitPhase("restart", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    long sequence = host.lastRequest().get().sequence();
    harness.stopOperator();

    work.calls.clear();
    harness.startOperator();
    host.report("Booted", "boot-2", 1, "booted");
    UpdatePlan p = awaitPhase("restart", Phase.Verifying);
    assertEquals(sequence, p.getStatus().handoff.sequence, "the same request, not a new one");
    assertFalse(work.calls().contains("hooks:pre-update"), "pre-update hooks are not run again");
  }

  /**
   * The rollback restored etcd from the snapshot the host took on Apply: the plan is back in
   * AwaitingReboot and the host reports Restored. The plan says what happened (not HostAccepted)
   * and mirrors the host's history, the only record of the update left on the cluster.
   */
  @Test
  void aPlanBackInAwaitingRebootAfterTheRestoreTellsTheRollbackAndMirrorsTheHostsHistory() {
    client.resource(ostreePlan("restored-plan", "4.18.0")).create();
    awaitPhase("restored-plan", Phase.AwaitingReboot);
    io.microshift.update.api.HostUpdateRecord r = new io.microshift.update.api.HostUpdateRecord();
    r.plan = "restored-plan";
    r.outcome = "RolledBack";
    r.restoredBackupId = "backup";
    host.updates = List.of(r);
    host.report("Restored", "boot-4", 3, "restored /var/lib/microshift from backup backup");
    UpdatePlan p = awaitPhase("restored-plan", Phase.RolledBack);
    await().until(() -> eventReasons("restored-plan").contains("RolledBack"));
    List<String> reasons = eventReasons("restored-plan");
    assertTrue(reasons.contains("GreenbootRollback"), reasons.toString());
    assertFalse(reasons.contains("HostAccepted"), "the host did not merely accept the request: " + reasons);
    String m = p.getStatus().message;
    assertTrue(m.contains("the update to 4.18.0 failed greenboot's health checks (3 greenboot attempts)"), m);
    assertTrue(m.contains("greenboot rolled back to deployment deploy-boot-4"), m);
    assertTrue(m.contains("were lost with the restored etcd"), m);
    assertEquals("RolledBack", Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getReason());
    assertEquals(m, Conditions.find(p.getStatus(), Conditions.DEGRADED).orElseThrow().getMessage());
    assertEquals(List.of("RolledBack"), p.getStatus().host.history.stream().map(h -> h.outcome).toList());
  }

  @Test
  void statusRestoredFromAnOlderEtcdCopyContinuesFromTheHostMarker() {
    client.resource(ostreePlan("restored", "4.18.0")).create();
    UpdatePlan p = awaitPhase("restored", Phase.AwaitingReboot);
    host.report("Rebooting", "boot-1", 0, "rebooting");
    awaitPhase("restored", Phase.Applying);
    harness.stopOperator();
    // etcd came back from the snapshot taken while Pausing: status is behind the host
    p = get("restored");
    p.getStatus().phase = Phase.Pausing;
    p.getStatus().handoff = null;
    client.resource(p).updateStatus();
    host.report("Restored", "boot-3", 3, "data restored");

    harness.startOperator();
    p = awaitPhase("restored", Phase.RolledBack);
    assertEquals("Apply", host.lastRequest().get().action());
    assertEquals(1, host.requests.stream().filter(r -> r.action().equals("Apply")).count(),
        "no second Apply was written: " + host.requests);
  }

  @Test
  void specChangesAfterTheStartAreRefusedNotApplied() {
    client.resource(ostreePlan("frozen", "4.17.3")).create();
    awaitPhase("frozen", Phase.AwaitingReboot);
    UpdatePlan p = get("frozen");
    p.getSpec().target.version = "4.17.9";
    p.getMetadata().setGeneration(2L);
    client.resource(p).update();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Conditions.isTrue(get("frozen").getStatus(), Conditions.SPEC_CHANGE_REFUSED));
    p = get("frozen");
    assertEquals("4.17.3", p.getStatus().acceptedSpec.target.version);
    assertEquals("4.17.3", p.getStatus().toVersion);
  }

  @Test
  void dryRunReportsAndChangesNothing() {
    UpdatePlan plan = ostreePlan("preview", "4.18.2");
    plan.getSpec().dryRun = true;
    client.resource(plan).create();
    UpdatePlan p = awaitPhase("preview", Phase.Succeeded);
    assertTrue(Conditions.isTrue(p.getStatus(), Conditions.DRY_RUN));
    assertEquals("4.17.1 -> 4.18.2 (y-stream upgrade)", p.getStatus().preview.versionPath);
    assertEquals(List.of("Deployment/apps/web"), p.getStatus().preview.workloadsToPause);
    assertTrue(work.calls().isEmpty(), "nothing ran: " + work.calls());
    // the host checked (a dry-run Prepare) and nothing else was handed over
    assertEquals(List.of("Prepare"), host.requests.stream().map(FakeHost.Request::action).toList());
    assertTrue(p.getStatus().message.contains("the host checks passed"), p.getStatus().message);
    assertNull(p.getStatus().backup);
  }
}
