package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 item 3: the waits are event-driven. A host-status change and a paused workload's pod
 * going away reconcile the plan within a second, although the steps' requeue (the safety net for
 * a missed event) is many seconds: a wait that went back to a fixed poll fails here.
 */
@EnableKubernetesMockClient(crud = true)
class EventDrivenWaitsTest {
  static final Duration REACTION = Duration.ofSeconds(1);
  static final Duration SAFETY_NET_AT_LEAST = Duration.ofSeconds(10);
  static KubernetesClient client;

  @RegisterExtension final OperatorHarness harness = new OperatorHarness(() -> client);
  final FakeHost host = harness.host;
  final RecordingWorkloads work = harness.work;

  @AfterEach
  void deletePods() {
    client.pods().inNamespace("shop").delete();
  }

  @Test
  void theStepsPollOnlyAsASafetyNet() {
    for (Duration poll : new Duration[] {HostStates.POLL, io.microshift.update.operator.step.StepPolls.preparing(),
        io.microshift.update.operator.step.StepPolls.awaitingReboot(), io.microshift.update.operator.step.StepPolls.drain(),
        io.microshift.update.operator.step.StepPolls.queue()}) {
      assertTrue(poll.compareTo(SAFETY_NET_AT_LEAST) >= 0, "a requeue of " + poll + " is a poll, not a safety net");
    }
  }

  @Test
  void theHookReadyWaitLooksAtLeastEveryHalfSecond() {
    assertTrue(io.microshift.update.hooks.HookRunner.READY_POLL.compareTo(Duration.ofMillis(500)) <= 0,
        "a hook pod turning ready is seen within 0.5 s: " + io.microshift.update.hooks.HookRunner.READY_POLL);
  }

  @Test
  void aHostStatusChangeReconcilesThePlanWithinASecond() {
    client.resource(UpdatePlanReconcilerTest.ostreePlan("watched", "4.17.3")).create();
    awaitPhase("watched", Phase.AwaitingReboot, Duration.ofSeconds(20));
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    settle();

    host.report("Staging", "boot-1", 0, "rpm-ostree rebase");
    awaitPhase("watched", Phase.Applying, REACTION);
    settle();
    host.report("Booted", "boot-2", 1, "target deployment booted");
    awaitPhase("watched", Phase.Verifying, REACTION);
    await().until(() -> !host.verifications.isEmpty());
    settle();
    host.report("Committed", "boot-2", 1, "greenboot healthy, committed");
    awaitPhase("watched", Phase.Succeeded, REACTION);
  }

  @Test
  void aPausedWorkloadsPodGoneEndsTheDrainWithinASecond() {
    client.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("web-1")
        .withNamespace("shop").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("img")
        .endContainer().endSpec().build()).create();
    work.running = () -> client.pods().inNamespace("shop").withName("web-1").get() != null ? "shop/web-1" : null;
    client.resource(UpdatePlanReconcilerTest.ostreePlan("drained", "4.17.3")).create();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      UpdatePlan p = get("drained");
      return p != null && p.getStatus() != null && p.getStatus().phase == Phase.Pausing
          && String.valueOf(p.getStatus().message).contains("waiting for pods to stop");
    });
    settle();

    client.pods().inNamespace("shop").withName("web-1").delete();
    awaitPhase("drained", Phase.AwaitingReboot, REACTION);
  }

  /** Past the reconcile that just ran, so that only an event can bring the next one soon. */
  private static void settle() {
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private UpdatePlan get(String name) {
    return harness.get(name);
  }

  private void awaitPhase(String name, Phase phase, Duration within) {
    long t0 = System.nanoTime();
    harness.awaitPhase(name, phase, within, Duration.ofMillis(20));
    assertEquals(phase, get(name).getStatus().phase, "after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }
}
