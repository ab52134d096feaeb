package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up the reconciler tests share: the operator ({@link OperatorRuntime}) on the mock API
 * server ({@link MockCluster}), with the test playing the host agent ({@link FakeHost}) and
 * recording what hooks and pausing were asked ({@link RecordingWorkloads}); and the look-ups they
 * assert with. A JUnit 5 extension, one per test instance:
 * {@code @RegisterExtension final OperatorHarness harness = new OperatorHarness(() -> client);}
 * before each test it prepares the server and starts the operator; after it, it stops the
 * operator and clears the server.
 */
final class OperatorHarness implements BeforeEachCallback, AfterEachCallback {
  static final Duration PHASE_WAIT = Duration.ofSeconds(20);

  /** The mock server's client, which its extension injects into the test class before each test. */
  private final Supplier<KubernetesClient> clients;
  KubernetesClient client;
  final FakeHost host = new FakeHost();
  final RecordingWorkloads work = new RecordingWorkloads();
  private SimpleMeterRegistry registry;
  private OperatorRuntime runtime;

  OperatorHarness(Supplier<KubernetesClient> clients) {
    this.clients = clients;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    client = clients.get();
    MockCluster.prepare(client);
    startOperator();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    stopOperator();
    MockCluster.clear(client);
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
