package io.microshift.update.pause;

import static io.microshift.update.pause.Fixtures.getDeployment;
import static io.microshift.update.pause.Fixtures.ours;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.hooks.TestPlans;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.OperatorCheckpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 4: what the pause and the resume cost the API server per workload (one update,
 * from the listed copy; no read of each object), and that the Events on the workloads are sent in
 * the background: they neither hold up nor fail the pause or the resume.
 */
@EnableKubernetesMockClient(crud = true)
class PauseRequestsTest {
  static final Map<String, String> PAUSE = Map.of(PauseAnnotations.PAUSE, "true");

  KubernetesMockServer server;
  KubernetesClient client;
  final TestPlans.Events events = new TestPlans.Events();

  WorkloadPauser pauser() {
    return new WorkloadPauser(client, "microshift-update");
  }

  /** "METHOD path" of the requests the server received since the last call, in order. */
  List<String> requests() throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(20, TimeUnit.MILLISECONDS)) != null; ) {
      out.add(r.getMethod() + " " + r.getPath());
    }
    return out;
  }

  static List<String> on(List<String> requests, String path) {
    return requests.stream().filter(r -> r.endsWith(" " + path)).toList();
  }

  @Test
  void eachWorkloadCostsOneUpdateToPauseAndOneToResume() throws InterruptedException {
    for (String name : List.of("web", "api", "worker")) {
      Fixtures.deployment(client, "app", name, 2, Map.of(), PAUSE);
    }
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    requests();

    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    List<String> pause = requests();
    for (String name : List.of("web", "api", "worker")) {
      assertEquals(List.of("PUT /apis/apps/v1/namespaces/app/deployments/" + name),
          on(pause, "/apis/apps/v1/namespaces/app/deployments/" + name), "pausing " + name + ": " + pause);
      assertEquals(0, getDeployment(client, "app", name).getSpec().getReplicas());
    }
    requests();

    pauser().resume(TestPlans.reload(client, "p1"), new OperatorCheckpoint(TestPlans.writer(client), events));

    List<String> resume = requests();
    for (String name : List.of("web", "api", "worker")) {
      assertEquals(List.of("PUT /apis/apps/v1/namespaces/app/deployments/" + name),
          on(resume, "/apis/apps/v1/namespaces/app/deployments/" + name), "resuming " + name + ": " + resume);
      assertEquals(2, getDeployment(client, "app", name).getSpec().getReplicas());
    }
  }

  @Test
  void pausingAgainWhileThePodsDrainWritesNothing() throws InterruptedException {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    requests();

    pauser().pauseAndCheckDrain(TestPlans.reload(client, "p1"), new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();

    List<String> again = requests();
    assertEquals(List.of(), on(again, "/apis/apps/v1/namespaces/app/deployments/web"), again.toString());
    assertEquals(List.of(), on(again, "/apis/updates.microshift.io/v1alpha1/updateplans/p1/status"),
        "status.pausedWorkloads is as it was: not written again: " + again);
  }

  /** Issue 16 item 4: a pass while the pods drain lists each kind of workload once, not twice. */
  @Test
  void aPassWhileThePodsDrainListsTheWorkloadsOnce() throws InterruptedException {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), PAUSE);
    Fixtures.pod(client, "app", "web-1", Map.of("app", "web"), "Running");
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), events)).outcome();
    requests();

    WorkloadPauser.PauseAndDrain pass = pauser().pauseAndCheckDrain(TestPlans.reload(client, "p1"),
        new OperatorCheckpoint(TestPlans.writer(client), events));

    assertEquals(List.of("app/web-1"), pass.drain().remainingPods());
    List<String> again = requests();
    for (String list : List.of("/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets", "/apis/batch/v1/cronjobs")) {
      assertEquals(1, again.stream().filter(r -> r.startsWith("GET " + list)).count(), list + ": " + again);
    }
    assertEquals(List.of(), on(again, "/apis/apps/v1/namespaces/app/deployments/web"), again.toString());
  }

  @Test
  void thePauseAndTheResumeDoNotWaitForTheEventsOnTheWorkloads() {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), PAUSE);
    Fixtures.cronJob(client, "app", "nightly", false, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    CountDownLatch recorderStuck = new CountDownLatch(1);
    Stuck stuck = new Stuck(recorderStuck);
    try {
      PauseOutcome paused = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), stuck)).outcome());
      assertTrue(paused.succeeded());
      assertEquals(2, paused.paused().size());
      assertEquals("Deployment app/web Paused 2 null; CronJob app/nightly Paused null false",
          String.join("; ", TestPlans.reload(client, "p1").getStatus().pausedWorkloads.stream()
              .map(p -> p.kind + " " + p.namespace + "/" + p.name + " " + p.state + " " + p.originalReplicas
                  + " " + p.originalSuspend).sorted(java.util.Comparator.reverseOrder()).toList()),
          "the status was saved while the Events were held up");

      ResumeOutcome resumed = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> pauser().resume(TestPlans.reload(client, "p1"), new OperatorCheckpoint(TestPlans.writer(client), stuck)));
      assertEquals(2, resumed.resumed().size());
      assertEquals(2, getDeployment(client, "app", "web").getSpec().getReplicas());
    } finally {
      recorderStuck.countDown();
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of(
        "Normal PausedByUpdatePlan on CronJob app/nightly", "Normal PausedByUpdatePlan on Deployment app/web",
        "Normal ResumedByUpdatePlan on CronJob app/nightly", "Normal ResumedByUpdatePlan on Deployment app/web"),
        stuck.sent(), "held up, not dropped: they go out once the recorder answers"));
  }

  @Test
  void anEventThatFailsFailsNeitherThePauseNorTheResume() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), PAUSE);
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    Failing failing = new Failing();

    PauseOutcome paused = pauser().pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), failing)).outcome();

    assertTrue(paused.succeeded(), paused.failures().toString());
    assertEquals(Map.of(PauseAnnotations.PAUSED_BY, "p1", PauseAnnotations.PAUSED_BY_UID, plan.getMetadata().getUid(),
        PauseAnnotations.ORIGINAL_REPLICAS, "3"), ours(getDeployment(client, "app", "web")));
    assertEquals(1, failing.recorded.withReason("WorkloadsPaused").size());

    ResumeOutcome resumed = pauser().resume(TestPlans.reload(client, "p1"), new OperatorCheckpoint(TestPlans.writer(client), failing));

    assertTrue(resumed.complete(), resumed.failures().toString());
    assertEquals(List.of(), resumed.failures());
    assertEquals(3, getDeployment(client, "app", "web").getSpec().getReplicas());
  }

  /** The plan's own Events recorded as they come; the Events on objects are the subclass's. */
  abstract static class PlanEventsRecorded implements EventRecorder {
    final TestPlans.Events recorded = new TestPlans.Events();

    @Override
    public void normal(UpdatePlan plan, String reason, String message) {
      recorded.normal(plan, reason, message);
    }

    @Override
    public void warning(UpdatePlan plan, String reason, String message) {
      recorded.warning(plan, reason, message);
    }
  }

  /** A recorder whose Events on objects wait until {@code release}; then recorded as "Type Reason on Kind ns/name". */
  static final class Stuck extends PlanEventsRecorded {
    private final CountDownLatch release;

    Stuck(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public void normalOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
      if (released()) {
        recorded.normalOn(plan, object, reason, message);
      }
    }

    @Override
    public void warningOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
      if (released()) {
        recorded.warningOn(plan, object, reason, message);
      }
    }

    /** Holds the Event until the test releases it; false when interrupted meanwhile. */
    private boolean released() {
      try {
        release.await();
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    List<String> sent() {
      synchronized (recorded.onObjects) {
        return recorded.onObjects.stream().map(e -> e.substring(0, e.indexOf(':'))).sorted().toList();
      }
    }
  }

  /** A recorder whose Events on objects throw, as a recorder that lets a failure through would. */
  static final class Failing extends PlanEventsRecorded {

    @Override
    public void normalOn(UpdatePlan p, ObjectReference object, String reason, String message) {
      throw new IllegalStateException("the events API is down");
    }

    @Override
    public void warningOn(UpdatePlan p, ObjectReference object, String reason, String message) {
      throw new IllegalStateException("the events API is down");
    }
  }
}
