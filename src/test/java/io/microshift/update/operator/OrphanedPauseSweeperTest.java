package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.hooks.TestPlans;
import io.microshift.update.pause.OrphanedPauses;
import io.microshift.update.pause.OrphanedPausesAccess;
import io.microshift.update.pause.PauseAnnotations;
import io.microshift.update.pause.WorkloadPauser;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 6: a plan deleted while its workloads were paused (its finalizer removed by
 * hand) must not leave them at 0 replicas forever.
 */
@EnableKubernetesMockClient(crud = true)
class OrphanedPauseSweeperTest {
  KubernetesClient client;
  final TestPlans.Events events = new TestPlans.Events();

  OrphanedPauseSweeper sweeper() {
    return new OrphanedPauseSweeper(client, "microshift-update", new KubernetesEventRecorder(client, Clock.systemUTC()));
  }

  UpdatePlan pausing(String planName, String namespace) {
    WorkloadSelection s = new WorkloadSelection();
    s.namespaces = List.of(namespace);
    UpdatePlan plan = TestPlans.create(client, planName, null, s);
    new WorkloadPauser(client, "microshift-update").pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    return plan;
  }

  Deployment deployment(String ns, String name, int replicas) {
    return client.resource(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  CronJob cronJob(String ns, String name) {
    return client.resource(new CronJobBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().withSchedule("0 3 * * *").withSuspend(false).withNewJobTemplate().withNewSpec()
        .withNewTemplate().withNewSpec().addNewContainer().withName("job").withImage("img").endContainer()
        .withRestartPolicy("Never").endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build()).create();
  }

  Deployment get(String ns, String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  List<Event> eventsIn(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems();
  }

  @Test
  void workloadsOfADeletedPlanAreResumedWithAnEventOnEachAndOthersAreLeftAlone() {
    deployment("app", "web", 3);
    cronJob("app", "report");
    deployment("shop", "api", 2);
    UpdatePlan gone = pausing("gone", "app");
    pausing("alive", "shop");
    assertEquals(0, get("app", "web").getSpec().getReplicas());
    assertEquals(gone.getMetadata().getUid(),
        get("app", "web").getMetadata().getAnnotations().get(PauseAnnotations.PAUSED_BY_UID));
    client.resource(gone).delete();

    List<OrphanedPauses.Outcome> outcomes = sweeper().sweep();

    assertEquals(2, outcomes.size(), outcomes.toString());
    assertTrue(outcomes.stream().allMatch(OrphanedPauses.Outcome::resumed), outcomes.toString());
    Deployment web = get("app", "web");
    assertEquals(3, web.getSpec().getReplicas());
    assertNull(web.getMetadata().getAnnotations().get(PauseAnnotations.PAUSED_BY));
    assertNull(web.getMetadata().getAnnotations().get(PauseAnnotations.PAUSED_BY_UID));
    assertEquals(false, client.batch().v1().cronjobs().inNamespace("app").withName("report").get()
        .getSpec().getSuspend());
    assertEquals(0, get("shop", "api").getSpec().getReplicas(), "a live plan's pause is not touched");
    List<Event> appEvents = eventsIn("app");
    assertEquals(2, appEvents.size());
    Event webEvent = appEvents.stream().filter(e -> e.getInvolvedObject().getName().equals("web")).findFirst().orElseThrow();
    assertEquals(OrphanedPauseSweeper.RESUMED_REASON, webEvent.getReason());
    assertEquals("Deployment", webEvent.getInvolvedObject().getKind());
    assertEquals("app", webEvent.getInvolvedObject().getNamespace());
    assertEquals("Warning", webEvent.getType());
    assertTrue(webEvent.getMessage().contains("plan gone") && webEvent.getMessage().contains("replicas restored to 3"),
        webEvent.getMessage());
    assertEquals(List.of(), sweeper().sweep(), "a second sweep finds nothing");
  }

  @Test
  void aNewPlanOfTheSameNameDoesNotAdoptTheOldOnesPauseButKeepsItsOwn() {
    deployment("app", "old", 4);
    UpdatePlan first = pausing("nightly", "app");
    client.resource(first).delete();
    deployment("app", "new", 2);
    UpdatePlan second = pausing("nightly", "app"); // pauses "new"; "old" carries the first plan's record
    assertTrue(!first.getMetadata().getUid().equals(second.getMetadata().getUid()));

    sweeper().sweep();

    assertEquals(4, get("app", "old").getSpec().getReplicas(), "paused by the deleted plan: resumed");
    assertEquals(0, get("app", "new").getSpec().getReplicas(), "paused by the live plan of that name: kept");
  }

  @Test
  void aRecordWithoutUidCountsAsOrphanedOnlyWhenNoPlanOfThatNameExists() {
    Map<String, String> plans = new HashMap<>(Map.of("p", "uid-1"));
    assertTrue(!isOrphan("p", null, plans), "legacy record of an existing plan");
    assertTrue(isOrphan("q", null, plans), "legacy record of a missing plan");
    assertTrue(isOrphan("p", "uid-0", plans), "record of an older plan of that name");
    assertTrue(!isOrphan("p", "uid-1", plans));
  }

  @Test
  void replicasChangedWhilePausedAreLeftAsTheyAreAndTheRecordIsRemoved() {
    deployment("app", "web", 3);
    UpdatePlan gone = pausing("gone", "app");
    client.resource(gone).delete();
    Deployment web = get("app", "web");
    web.getSpec().setReplicas(5);
    client.resource(web).update();

    List<OrphanedPauses.Outcome> outcomes = sweeper().sweep();

    assertEquals(1, outcomes.size());
    assertTrue(!outcomes.get(0).resumed());
    assertEquals(5, get("app", "web").getSpec().getReplicas());
    assertNull(get("app", "web").getMetadata().getAnnotations().get(PauseAnnotations.PAUSED_BY));
    assertEquals(OrphanedPauseSweeper.CONFLICT_REASON, eventsIn("app").get(0).getReason());
  }

  @Test
  void theRuntimeSweepsWhenItStarts() throws Exception {
    MockCluster.prepare(client);
    deployment("app", "web", 3);
    UpdatePlan gone = pausing("gone", "app");
    client.resource(gone).delete();
    RecordingWorkloads work = new RecordingWorkloads();
    try (OperatorRuntime runtime = new OperatorRuntime(client, new Ports(work, work, new FakeHost()),
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), Clock.systemUTC(), null)
        .sweepOrphanedPauses("microshift-update")) {
      runtime.start();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> get("app", "web").getSpec().getReplicas() == 3);
    } finally {
      MockCluster.clear(client);
    }
  }

  private static boolean isOrphan(String plan, String uid, Map<String, String> plans) {
    return OrphanedPausesAccess.isOrphan(plan, uid, plans);
  }
}
