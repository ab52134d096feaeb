package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The set-up the reconciler tests share: the operator ({@link OperatorRuntime}) on the mock API
 * server ({@link MockCluster}), with the test playing the host agent ({@link FakeHost}) and
 * recording what hooks and pausing were asked ({@link RecordingWorkloads}); and the look-ups they
 * assert with. Closing it stops the operator and clears the server.
 */
final class OperatorHarness implements AutoCloseable {
  static final Duration PHASE_WAIT = Duration.ofSeconds(20);

  final KubernetesClient client;
  final FakeHost host = new FakeHost();
  final RecordingWorkloads work = new RecordingWorkloads();
  private SimpleMeterRegistry registry;
  private OperatorRuntime runtime;

  private OperatorHarness(KubernetesClient client) {
    this.client = client;
  }

  static OperatorHarness start(KubernetesClient client) throws IOException {
    MockCluster.prepare(client);
    OperatorHarness harness = new OperatorHarness(client);
    harness.startOperator();
    return harness;
  }

  /** A fresh operator process (new runtime, new metrics registry) on the same cluster and host. */
  void startOperator() {
    registry = new SimpleMeterRegistry();
    runtime = new OperatorRuntime(client, new Ports(work, work, host), registry, Clock.systemUTC(), null);
    runtime.start();
  }

  /** The operator process ends (its runtime closed); the cluster and the host keep their state. */
  void stopOperator() {
    runtime.close();
  }

  SimpleMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    stopOperator();
    MockCluster.clear(client);
  }

  UpdatePlan get(String name) {
    return client.resources(UpdatePlan.class).withName(name).get();
  }

  UpdatePlan awaitPhase(String name, Phase phase) {
    return awaitPhase(name, phase, PHASE_WAIT, Duration.ofMillis(50));
  }

  UpdatePlan awaitPhase(String name, Phase phase, Duration within, Duration poll) {
    await().atMost(within).pollInterval(poll).until(() -> {
      UpdatePlan p = get(name);
      return p != null && p.getStatus() != null && p.getStatus().phase == phase;
    });
    return get(name);
  }

  /** The reasons of the plan's Events in the default namespace, oldest first. */
  List<String> eventReasons(String plan) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> plan.equals(e.getInvolvedObject().getName()))
        .sorted((a, b) -> a.getMetadata().getCreationTimestamp() == null ? 0
            : a.getMetadata().getCreationTimestamp().compareTo(b.getMetadata().getCreationTimestamp()))
        .map(Event::getReason).toList();
  }
}
