package io.microshift.update.pause;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.microshift.update.api.Phase;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.hooks.TestPlans;
import io.microshift.update.operator.KubernetesEventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What a workload author sees on their own objects ({@code oc describe deployment web}): one
 * Normal event when the plan paused it and one when it resumed it, with the replicas before and
 * after, in the object's namespace and naming the object with its uid; a replayed pause or resume
 * (the operator restarted mid-step) records no second event.
 */
@EnableKubernetesMockClient(crud = true)
class WorkloadEventsTest {
  KubernetesClient client;

  List<String> eventsOn(String namespace, String kind, String name, String uid) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName())
            && uid.equals(e.getInvolvedObject().getUid()))
        .sorted(Comparator.comparing(Event::getMessage))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  /** The Events on workloads are sent in the background: they arrive soon after the step returns. */
  static void eventually(List<String> expected, Supplier<List<String>> actual) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(expected, actual.get()));
  }

  @Test
  void thePausedAndResumedWorkloadGetsOneEventEachEvenWhenTheStepsAreReplayed() {
    Deployment web = Fixtures.deployment(client, "app", "web", 2, Map.of(), Map.of(PauseAnnotations.PAUSE, "true"));
    Fixtures.cronJob(client, "app", "nightly", false, Map.of(), Map.of(PauseAnnotations.PAUSE, "true"));
    UpdatePlan plan = TestPlans.create(client, "to-4.17.3", null, null);
    KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, Clock.systemUTC());
    WorkloadPauser pauser = new WorkloadPauser(client, "microshift-update");

    pauser.pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), recorder)).outcome();
    // the operator died before status.pausedWorkloads was saved: the replay pauses nothing new
    UpdatePlan replayed = TestPlans.reload(client, "to-4.17.3");
    replayed.getStatus().pausedWorkloads.clear();
    pauser.pauseAndCheckDrain(replayed, new OperatorCheckpoint(TestPlans.writer(client), recorder)).outcome();
    pauser.pauseAndCheckDrain(TestPlans.reload(client, "to-4.17.3"), new OperatorCheckpoint(TestPlans.writer(client), recorder)).outcome();

    String uid = web.getMetadata().getUid();
    eventually(List.of("Normal PausedByUpdatePlan: Paused by UpdatePlan to-4.17.3 for the update to 4.17.3:"
        + " replicas 2 -> 0"), () -> eventsOn("app", "Deployment", "web", uid));

    UpdatePlan verifying = TestPlans.reload(client, "to-4.17.3");
    verifying.getStatus().phase = Phase.Verifying;
    pauser.resume(verifying, new OperatorCheckpoint(TestPlans.writer(client), recorder));
    pauser.resume(verifying, new OperatorCheckpoint(TestPlans.writer(client), recorder));

    eventually(List.of(
        "Normal PausedByUpdatePlan: Paused by UpdatePlan to-4.17.3 for the update to 4.17.3: replicas 2 -> 0",
        "Normal ResumedByUpdatePlan: Resumed by UpdatePlan to-4.17.3 for the update to 4.17.3"
            + " (plan phase Verifying): replicas 0 -> 2"), () -> eventsOn("app", "Deployment", "web", uid));
    String cronUid = Fixtures.getCronJob(client, "app", "nightly").getMetadata().getUid();
    eventually(List.of(
        "Normal PausedByUpdatePlan: Paused by UpdatePlan to-4.17.3 for the update to 4.17.3: suspend false -> true",
        "Normal ResumedByUpdatePlan: Resumed by UpdatePlan to-4.17.3 for the update to 4.17.3"
            + " (plan phase Verifying): suspend true -> false"), () -> eventsOn("app", "CronJob", "nightly", cronUid));
    assertEquals(List.of(), client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> !"UpdatePlan".equals(e.getInvolvedObject().getKind())).toList(),
        "events on workloads go to their own namespace");
  }

  @Test
  void aWorkloadScaledByHandWhilePausedGetsAWarningThatItWasLeftAlone() {
    Fixtures.deployment(client, "app", "web", 2, Map.of(), Map.of(PauseAnnotations.PAUSE, "true"));
    UpdatePlan plan = TestPlans.create(client, "to-4.17.3", null, null);
    KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, Clock.systemUTC());
    WorkloadPauser pauser = new WorkloadPauser(client, "microshift-update");
    pauser.pauseAndCheckDrain(plan, new OperatorCheckpoint(TestPlans.writer(client), recorder)).outcome();
    Deployment web = Fixtures.getDeployment(client, "app", "web");
    web.getSpec().setReplicas(5);
    client.resource(web).update();

    UpdatePlan failed = TestPlans.reload(client, "to-4.17.3");
    failed.getStatus().phase = Phase.Pausing;
    pauser.resume(failed, new OperatorCheckpoint(TestPlans.writer(client), recorder));

    eventually(List.of(
        "Warning NotResumedByUpdatePlan: Not resumed by UpdatePlan to-4.17.3 for the update to 4.17.3"
            + " (plan phase Pausing): replicas were changed to 5 while paused (recorded 2); left at 5",
        "Normal PausedByUpdatePlan: Paused by UpdatePlan to-4.17.3 for the update to 4.17.3: replicas 2 -> 0"),
        () -> eventsOn("app", "Deployment", "web", web.getMetadata().getUid()));
  }
}
