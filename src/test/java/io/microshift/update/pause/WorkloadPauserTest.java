package io.microshift.update.pause;

import static io.microshift.update.pause.Fixtures.getCronJob;
import static io.microshift.update.pause.Fixtures.getDeployment;
import static io.microshift.update.pause.Fixtures.getStatefulSet;
import static io.microshift.update.pause.Fixtures.ours;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.hooks.TestPlans;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class WorkloadPauserTest {
  static final Map<String, String> PAUSE = Map.of(PauseAnnotations.PAUSE, "true");

  KubernetesClient client;
  final TestPlans.Events events = new TestPlans.Events();

  WorkloadPauser pauser() {
    return new WorkloadPauser(client, "microshift-update");
  }

  static WorkloadSelection namespaces(String... ns) {
    WorkloadSelection s = new WorkloadSelection();
    s.namespaces = List.of(ns);
    return s;
  }

  static Map<String, String> record(String plan, String key, String value) {
    return new java.util.TreeMap<>(Map.of(PauseAnnotations.PAUSED_BY, plan, key, value));
  }

  /** The record the operator writes today: the plan's name and uid. */
  static Map<String, String> record(UpdatePlan plan, String key, String value) {
    Map<String, String> r = record(plan.getMetadata().getName(), key, value);
    r.put(PauseAnnotations.PAUSED_BY_UID, plan.getMetadata().getUid());
    return r;
  }

  static String states(UpdatePlan plan) {
    return String.join("; ", plan.getStatus().pausedWorkloads.stream()
        .map(p -> p.kind + " " + p.namespace + "/" + p.name + " " + p.state + " " + p.originalReplicas
            + " " + p.originalSuspend).toList());
  }

  @Test
  void selectionByNamespaceLabelsAndAnnotationNeverSystemOrOperatorNamespaces() {
    String webVersion = Fixtures.deployment(client, "app", "web", 2, Map.of("tier", "frontend"), Map.of())
        .getMetadata().getResourceVersion();
    Fixtures.statefulSet(client, "app", "db", 1, Map.of("tier", "db"));
    Fixtures.deployment(client, "shop", "api", 1, Map.of("tier", "frontend"), Map.of());
    Fixtures.cronJob(client, "default", "report", false, Map.of("tier", "frontend"), Map.of());
    Fixtures.deployment(client, "other", "opted-in", 1, Map.of(), PAUSE);
    Fixtures.deployment(client, "kube-system", "dns", 1, Map.of("tier", "frontend"), PAUSE);
    Fixtures.deployment(client, "openshift-ingress", "router", 1, Map.of("tier", "frontend"), PAUSE);
    Fixtures.deployment(client, "microshift-update", "operator", 1, Map.of("tier", "frontend"), PAUSE);
    WorkloadSelection selection = namespaces("app", "default", "kube-system");
    selection.selector = new LabelSelectorBuilder().addToMatchLabels("tier", "frontend").build();

    assertEquals(List.of(
        new WorkloadRef("Deployment", "app", "web"),
        new WorkloadRef("CronJob", "default", "report"),
        new WorkloadRef("Deployment", "other", "opted-in")), pauser().select(selection));
    assertEquals(List.of(new WorkloadRef("Deployment", "other", "opted-in")), pauser().select(null),
        "without namespaces and selector only annotated workloads");
    assertEquals(List.of(
        new WorkloadRef("Deployment", "app", "web"),
        new WorkloadRef("StatefulSet", "app", "db"),
        new WorkloadRef("Deployment", "other", "opted-in")), pauser().select(namespaces("app")));
    WorkloadSelection expression = new WorkloadSelection();
    expression.selector = new LabelSelectorBuilder().addNewMatchExpression().withKey("tier")
        .withOperator("In").withValues("db").endMatchExpression().build();
    assertEquals(List.of(
        new WorkloadRef("StatefulSet", "app", "db"),
        new WorkloadRef("Deployment", "other", "opted-in")), pauser().select(expression));
    assertEquals(webVersion, getDeployment(client, "app", "web").getMetadata().getResourceVersion(),
        "select is read-only");
  }

  @Test
  void pauseAndResumeRoundTripRestoresExactlyWhatWasRecorded() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    Fixtures.statefulSet(client, "app", "db", 2, Map.of());
    Fixtures.deployment(client, "app", "idle", 0, Map.of(), Map.of());
    Fixtures.cronJob(client, "app", "nightly", null, Map.of(), Map.of());
    Fixtures.cronJob(client, "app", "manual", true, Map.of(), Map.of());
    Fixtures.deployment(client, "kube-system", "dns", 2, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, namespaces("app", "kube-system"));

    PauseOutcome paused = pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    assertTrue(paused.succeeded());
    assertEquals(5, paused.paused().size());
    assertEquals(0, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(record(plan, PauseAnnotations.ORIGINAL_REPLICAS, "3"), ours(getDeployment(client, "app", "web")));
    assertEquals(0, getStatefulSet(client, "app", "db").getSpec().getReplicas());
    assertEquals(record(plan, PauseAnnotations.ORIGINAL_REPLICAS, "2"), ours(getStatefulSet(client, "app", "db")));
    assertEquals(record(plan, PauseAnnotations.ORIGINAL_REPLICAS, "0"), ours(getDeployment(client, "app", "idle")));
    assertEquals(true, getCronJob(client, "app", "nightly").getSpec().getSuspend());
    assertEquals(record(plan, PauseAnnotations.ORIGINAL_SUSPEND, "false"), ours(getCronJob(client, "app", "nightly")));
    assertEquals(record(plan, PauseAnnotations.ORIGINAL_SUSPEND, "true"), ours(getCronJob(client, "app", "manual")));
    assertEquals(2, getDeployment(client, "kube-system", "dns").getSpec().getReplicas(), "system namespaces are never paused");
    assertEquals(Map.of(), ours(getDeployment(client, "kube-system", "dns")));
    assertEquals("CronJob app/manual Paused null true; CronJob app/nightly Paused null false; "
        + "Deployment app/idle Paused 0 null; Deployment app/web Paused 3 null; StatefulSet app/db Paused 2 null",
        states(TestPlans.reload(client, "p1")));
    assertEquals(1, events.withReason("WorkloadsPaused").size());

    ResumeOutcome resumed = pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));

    assertTrue(resumed.complete());
    assertEquals(List.of(), resumed.conflicts());
    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(2, getStatefulSet(client, "app", "db").getSpec().getReplicas());
    assertEquals(0, getDeployment(client, "app", "idle").getSpec().getReplicas());
    assertEquals(false, getCronJob(client, "app", "nightly").getSpec().getSuspend());
    assertEquals(true, getCronJob(client, "app", "manual").getSpec().getSuspend());
    for (var o : List.of(getDeployment(client, "app", "web"), getStatefulSet(client, "app", "db"),
        getCronJob(client, "app", "nightly"), getCronJob(client, "app", "manual"))) {
      assertEquals(Map.of(), ours(o), "the record is removed from " + o.getMetadata().getName());
    }
    assertEquals("CronJob app/manual Resumed null true; CronJob app/nightly Resumed null false; "
        + "Deployment app/idle Resumed 0 null; Deployment app/web Resumed 3 null; StatefulSet app/db Resumed 2 null",
        states(TestPlans.reload(client, "p1")));
    assertEquals(1, events.withReason("WorkloadsResumed").size());

    ResumeOutcome again = pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));
    assertEquals(List.of(), again.resumed(), "resume is idempotent");
    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
  }

  @Test
  void pausingAgainAfterACrashNeverRecordsZeroAsTheOriginal() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    // the operator died before status was saved: a fresh plan without pausedWorkloads pauses again
    UpdatePlan fresh = TestPlans.reload(client, "p1");
    fresh.getStatus().pausedWorkloads.clear();
    PauseOutcome again = pauser().pauseAndCheckDrain(fresh, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    assertEquals(record(plan, PauseAnnotations.ORIGINAL_REPLICAS, "3"), ours(getDeployment(client, "app", "web")));
    assertEquals(3, again.paused().get(0).originalReplicas);
    assertEquals("Deployment app/web Paused 3 null", states(TestPlans.reload(client, "p1")));
    assertEquals(1, events.withReason("WorkloadsPaused").size(), "the second pause changed nothing");
  }

  @Test
  void aPauseFromAListTakenBeforeThisPlansOwnPauseNeitherPausesTwiceNorRecordsZero() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    Workloads workloads = new Workloads(client, new ProtectedNamespaces("microshift-update"));
    List<io.fabric8.kubernetes.api.model.HasMetadata> listedBefore = new WorkloadSelector(workloads).selectObjects(null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    String pausedVersion = getDeployment(client, "app", "web").getMetadata().getResourceVersion();

    // a replay that still holds the copies listed before the first pause (no record, replicas 3)
    UpdatePlan fresh = TestPlans.reload(client, "p1");
    fresh.getStatus().pausedWorkloads.clear();
    PauseOutcome again = new Pauser(new ObjectUpdates(client, workloads))
        .pauseListed(fresh, listedBefore, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    assertEquals(record(plan, PauseAnnotations.ORIGINAL_REPLICAS, "3"), ours(getDeployment(client, "app", "web")));
    assertEquals(pausedVersion, getDeployment(client, "app", "web").getMetadata().getResourceVersion(),
        "the stale copy was refused (409) and the fresh one carries this plan's record: no second write");
    assertEquals(3, again.paused().get(0).originalReplicas);
    assertEquals(1, events.withReason("WorkloadsPaused").size(), "the second pause changed nothing");
  }

  @Test
  void resumeAfterAnOperatorRestartUsesTheRecordsOnTheObjects() {
    Fixtures.deployment(client, "app", "web", 4, Map.of(), PAUSE);
    Fixtures.cronJob(client, "app", "nightly", false, Map.of(), PAUSE);
    pauser().pauseAndCheckDrain(TestPlans.create(client, "p1", null, null), new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    // a new operator process: new instances, the plan read back from the server
    ResumeOutcome resumed = new WorkloadPauser(client, "microshift-update")
        .resume(TestPlans.reload(client, "p1"), new OperatorCheckpoint(TestPlans.writer(client), events));

    assertEquals(2, resumed.resumed().size());
    assertEquals(4, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(false, getCronJob(client, "app", "nightly").getSpec().getSuspend());
  }

  @Test
  void resumeWorksWhenThePlansStatusWasLostToAnEtcdRestore() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    // etcd came back from a snapshot taken after pausing but before status was written
    UpdatePlan restored = TestPlans.reload(client, "p1");
    restored.getStatus().pausedWorkloads.clear();
    restored = client.resource(restored).updateStatus();

    ResumeOutcome resumed = pauser().resume(restored, new OperatorCheckpoint(TestPlans.writer(client), events));

    assertEquals(1, resumed.resumed().size());
    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals("Deployment app/web Resumed 3 null", states(TestPlans.reload(client, "p1")));
  }

  @Test
  void resumeAfterARollbackToACopyTakenBeforeThePauseLeavesTheWorkloadsAsTheyAre() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    PausedWorkload stale = new PausedWorkload();
    stale.kind = "Deployment";
    stale.namespace = "app";
    stale.name = "web";
    stale.originalReplicas = 3;
    stale.state = "Paused";
    plan.getStatus().pausedWorkloads.add(stale);
    stale = null;
    PausedWorkload gone = new PausedWorkload();
    gone.kind = "Deployment";
    gone.namespace = "app";
    gone.name = "deleted";
    gone.originalReplicas = 1;
    gone.state = "Paused";
    plan.getStatus().pausedWorkloads.add(gone);

    ResumeOutcome resumed = pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));

    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(1, resumed.resumed().size());
    assertTrue(resumed.resumed().get(0).message.startsWith("the object carries no pause record"));
    assertEquals(1, resumed.conflicts().size());
    assertEquals("deleted while paused; nothing to restore", resumed.conflicts().get(0).message);
    assertNull(stale);
  }

  @Test
  void replicasChangedWhilePausedAreReportedAsAConflictAndNotOverwritten() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    Fixtures.deployment(client, "app", "api", 2, Map.of(), PAUSE);
    Fixtures.cronJob(client, "app", "manual", true, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    client.apps().deployments().inNamespace("app").withName("web").scale(5);
    client.apps().deployments().inNamespace("app").withName("api").scale(2);
    client.batch().v1().cronjobs().inNamespace("app").withName("manual").edit(c -> {
      c.getSpec().setSuspend(false);
      return c;
    });

    ResumeOutcome resumed = pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));

    assertEquals(5, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(Map.of(), ours(getDeployment(client, "app", "web")), "the record is removed: no endless retry");
    assertEquals(2, getDeployment(client, "app", "api").getSpec().getReplicas());
    assertEquals(false, getCronJob(client, "app", "manual").getSpec().getSuspend());
    assertEquals(List.of("Deployment app/api"),
        resumed.resumed().stream().map(p -> p.kind + " " + p.namespace + "/" + p.name).toList(),
        "scaled back to the recorded count is not a conflict");
    assertEquals(List.of(
        "CronJob app/manual: unsuspended while paused (recorded suspend=true); left unsuspended",
        "Deployment app/web: replicas were changed to 5 while paused (recorded 3); left at 5"),
        resumed.conflicts().stream().map(p -> p.kind + " " + p.namespace + "/" + p.name + ": " + p.message).toList());
    assertEquals(List.of(
        "Warning WorkloadResumeConflict: CronJob app/manual: unsuspended while paused (recorded suspend=true); left unsuspended",
        "Warning WorkloadResumeConflict: Deployment app/web: replicas were changed to 5 while paused (recorded 3); left at 5"),
        events.withReason("WorkloadResumeConflict"));
    assertTrue(states(TestPlans.reload(client, "p1")).contains("Deployment app/web Conflict 3 null"));

    pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));
    assertEquals(2, events.withReason("WorkloadResumeConflict").size(), "a conflict is reported once");
  }

  @Test
  void deletingThePlanWhilePausedStillResumesEverything() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    Fixtures.statefulSet(client, "app", "db", 1, Map.of());
    UpdatePlan plan = TestPlans.create(client, "p1", null, namespaces("app"));
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    UpdatePlan lastSeen = TestPlans.reload(client, "p1");
    client.resource(lastSeen).delete();

    // the cleanup of a deleted plan: its status cannot be saved any more, its records still resume
    UpdatePlan deleted = new UpdatePlan();
    deleted.setMetadata(new ObjectMetaBuilder().withName("p1").withUid(lastSeen.getMetadata().getUid())
        .withResourceVersion(lastSeen.getMetadata().getResourceVersion()).build());
    ResumeOutcome resumed = pauser().resume(deleted, new OperatorCheckpoint(TestPlans.writer(client), events));

    assertTrue(resumed.complete());
    assertEquals(2, resumed.resumed().size());
    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(1, getStatefulSet(client, "app", "db").getSpec().getReplicas());
    assertEquals(Map.of(), ours(getDeployment(client, "app", "web")));
  }

  /**
   * Deployment web and CronJob nightly annotated to pause, Deployment other not, each with a
   * Running pod (nightly's through its Job nightly-1, which it returns).
   */
  private Job pausedWebAndNightlyBesideOther() {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), PAUSE);
    CronJob nightly = Fixtures.cronJob(client, "app", "nightly", false, Map.of(), PAUSE);
    Fixtures.deployment(client, "app", "other", 1, Map.of(), Map.of());
    Fixtures.pod(client, "app", "web-1", Map.of("app", "web"), "Running");
    Fixtures.pod(client, "app", "other-1", Map.of("app", "other"), "Running");
    Job job = Fixtures.jobOf(client, nightly, "nightly-1");
    Fixtures.podOfJob(client, job, "nightly-1-x", "Running");
    return job;
  }

  /** The pause and the drain check of one pass share one listing; the result is the same. */
  @Test
  void pauseAndCheckDrainPausesThenSeesThePodsOfTheWorkloadsItPaused() {
    pausedWebAndNightlyBesideOther();
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    WorkloadPauser.PauseAndDrain first = pauser().pauseAndCheckDrain(plan,
        new OperatorCheckpoint(TestPlans.writer(client), events));

    assertTrue(first.outcome().succeeded(), first.outcome().failures().toString());
    assertEquals(2, first.outcome().paused().size());
    assertEquals(0, Fixtures.getDeployment(client, "app", "web").getSpec().getReplicas());
    assertEquals(List.of("app/nightly-1-x", "app/web-1"), first.drain().remainingPods(),
        "the workloads it paused in this pass count, the others do not");

    client.pods().inNamespace("app").withName("web-1").delete();
    client.pods().inNamespace("app").withName("nightly-1-x").delete();
    WorkloadPauser.PauseAndDrain again = pauser().pauseAndCheckDrain(TestPlans.reload(client, "p1"),
        new OperatorCheckpoint(TestPlans.writer(client), events));
    assertTrue(again.drain().drained(), again.drain().message());
    assertEquals(1, Fixtures.getDeployment(client, "app", "other").getSpec().getReplicas());
  }

  @Test
  void drainedWaitsForThePodsOfPausedWorkloadsIncludingRunningCronJobPods() {
    Job job = pausedWebAndNightlyBesideOther();
    Fixtures.podOfJob(client, job, "nightly-1-old", "Succeeded");
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    DrainResult waiting = pauser().pauseAndCheckDrain(plan,
        new OperatorCheckpoint(TestPlans.writer(client), events)).drain();

    assertFalse(waiting.drained());
    assertEquals(List.of("app/nightly-1-x", "app/web-1"), waiting.remainingPods());
    assertEquals("waiting for 2 pods of paused workloads to stop: app/nightly-1-x, app/web-1", waiting.message());

    client.pods().inNamespace("app").withName("web-1").delete();
    client.pods().inNamespace("app").withName("nightly-1-x").edit(p -> {
      p.getStatus().setPhase("Succeeded");
      return p;
    });
    DrainResult done = pauser().pauseAndCheckDrain(TestPlans.reload(client, "p1"),
        new OperatorCheckpoint(TestPlans.writer(client), events)).drain();
    assertTrue(done.drained(), done.message());
  }

  @Test
  void aWorkloadStillPausedByAnotherPlanIsLeftAloneAndReported() {
    Fixtures.deployment(client, "app", "web", 0, Map.of(), new java.util.HashMap<>(Map.of(PauseAnnotations.PAUSE, "true",
        PauseAnnotations.PAUSED_BY, "old-plan", PauseAnnotations.ORIGINAL_REPLICAS, "4")));
    UpdatePlan plan = TestPlans.create(client, "p2", null, null);

    PauseOutcome outcome = pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    assertEquals(List.of("Deployment app/web: already paused by plan old-plan; left alone"), outcome.skipped());
    assertEquals(List.of(), outcome.paused());
    assertEquals(record("old-plan", PauseAnnotations.ORIGINAL_REPLICAS, "4"), ours(getDeployment(client, "app", "web")));
    assertEquals(1, events.withReason("WorkloadNotPaused").size());
    assertEquals(List.of(), pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).resumed(),
        "p2 does not resume what old-plan paused");
    assertEquals(0, getDeployment(client, "app", "web").getSpec().getReplicas());
  }

  @Test
  void readyTellsWhenTheResumedWorkloadsAreBackSoPostHooksFindTheirPods() {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), PAUSE);
    Fixtures.statefulSet(client, "app", "db", 1, Map.of());
    Fixtures.cronJob(client, "app", "nightly", false, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, namespaces("app"));
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    assertTrue(pauser().ready(plan).ready(), "nothing resumed yet, nothing to wait for");
    pauser().resume(plan, new OperatorCheckpoint(TestPlans.writer(client), events));

    ReadyResult coming = pauser().ready(plan);
    assertFalse(coming.ready());
    assertEquals(List.of("Deployment app/web 0/2 ready", "StatefulSet app/db 0/1 ready"), coming.waiting());

    client.apps().deployments().inNamespace("app").withName("web").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReadyReplicas(2).build());
      return d;
    });
    assertEquals(List.of("StatefulSet app/db 0/1 ready"), pauser().ready(plan).waiting());
    client.apps().statefulSets().inNamespace("app").withName("db").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder().withReadyReplicas(1).build());
      return d;
    });
    assertTrue(pauser().ready(plan).ready());
  }
}
