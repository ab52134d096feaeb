package io.microshift.update.hooks;

import static io.microshift.update.hooks.Pods.annotations;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.operator.KubernetesEventRecorder;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pod a hook ran in gets an Event with the hook's outcome, in its namespace and with its uid
 * (what {@code oc describe pod} selects on): Normal on success, Warning with the exit code on
 * failure and with the timeout when it timed out. Running the phase again (a replayed step) adds
 * none.
 */
@EnableKubernetesMockClient(crud = true)
class HookPodEventsTest {
  static final String PRE = "pre-update.hook.updates.microshift.io/";

  KubernetesMockServer server;
  KubernetesClient client;

  HookOutcome run(UpdatePlan plan) {
    return new HookRunner(new HookDiscovery(client, "microshift-update"), new PodExec(client), Clock.systemUTC(),
        Duration.ofMillis(300), Duration.ofMillis(100))
        .run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(TestPlans.writer(client), new KubernetesEventRecorder(client, Clock.systemUTC())));
  }

  String podUid(String ns, String name) {
    return client.pods().inNamespace(ns).withName(name).get().getMetadata().getUid();
  }

  List<String> eventsOnPod(String ns, String name) {
    String uid = podUid(ns, name);
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "Pod".equals(e.getInvolvedObject().getKind()) && name.equals(e.getInvolvedObject().getName())
            && uid.equals(e.getInvolvedObject().getUid()))
        .sorted(Comparator.comparing(Event::getMessage))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  @Test
  void eachHookPodGetsItsOutcomeOnceWithTheExitCode() {
    Pods.create(client, Pods.running("app", "a-0", annotations(PRE + "command", "[\"dump\"]",
        PRE + "on-error", "Continue"), "db"));
    Pods.create(client, Pods.running("app", "b-0", annotations(PRE + "command", "[\"dump\"]"), "db"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(3));
    Pods.expectExec(server, "app", "b-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "to-4.17.3", null, null);

    run(plan);
    run(TestPlans.reload(client, "to-4.17.3"));

    assertEquals(List.of("Warning UpdateHookFailed: pre-update hook of UpdatePlan to-4.17.3 in container db"
        + " (attempt 1) failed: exit code 3; on-error Continue"), eventsOnPod("app", "a-0"));
    assertEquals(List.of("Normal UpdateHookSucceeded: pre-update hook of UpdatePlan to-4.17.3 in container db"
        + " (attempt 1) succeeded: exit code 0"), eventsOnPod("app", "b-0"));
  }

  @Test
  void aHookThatTimedOutSaysSoOnItsPod() {
    Pods.create(client, Pods.running("app", "a-0", annotations(PRE + "command", "[\"sleep\",\"600\"]",
        PRE + "timeout", "1s"), "db"));
    Pods.expectSlowExec(server, "app", "a-0", "db", List.of("sleep", "600"), 3_000, new OutputStreamMessage("zzz"));
    UpdatePlan plan = TestPlans.create(client, "to-4.17.3", null, null);

    run(plan);

    assertEquals(List.of("Warning UpdateHookTimedOut: pre-update hook of UpdatePlan to-4.17.3 in container db"
        + " (attempt 1) timed out: no exit within 1s; the exec stream was closed; on-error Fail"),
        eventsOnPod("app", "a-0"));
  }

  /**
   * The Event takes the pod's uid from the read before the exec: one read of the pod per hook, not
   * a second one for its Event (200 hooks made 200 more requests).
   */
  @Test
  void theEventNeedsNoSecondReadOfThePod() throws Exception {
    Pods.create(client, Pods.running("app", "b-0", annotations(PRE + "command", "[\"dump\"]"), "db"));
    Pods.expectExec(server, "app", "b-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "to-4.17.3", null, null);
    while (server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
      // what set the test up
    }

    run(plan);

    int reads = 0;
    for (var r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
        r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (r.getMethod().equals("GET") && r.getPath().equals("/api/v1/namespaces/app/pods/b-0")) {
        reads++;
      }
    }
    assertEquals(1, reads);
    assertEquals(List.of("Normal UpdateHookSucceeded: pre-update hook of UpdatePlan to-4.17.3 in container db"
        + " (attempt 1) succeeded: exit code 0"), eventsOnPod("app", "b-0"));
  }
}
