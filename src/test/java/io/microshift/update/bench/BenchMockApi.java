package io.microshift.update.bench;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.internal.WebSocketMessage;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.operator.OperatorClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The fabric8 mock API server as the benchmarks use it: CRUD mode plus expectations
 * ({@link KubernetesMixedDispatcher}, so pod exec can be answered), on loopback only, with the
 * UpdatePlan CRD (status subresource) and MicroShift's version ConfigMap.
 */
final class BenchMockApi implements AutoCloseable {
  static final String CRD_FILE = "crds/updateplans.updates.microshift.io-v1.yml";
  /** The mock logs every request at INFO through java.util.logging; kept referenced so it stays quiet. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  final KubernetesMockServer server;
  final KubernetesClient client;
  private final boolean https;
  /** The requests served, by kind. */
  final CountingDispatcher requests;

  BenchMockApi(Path repo, int port) throws IOException {
    this(repo, port, false);
  }

  /** {@code https}: served over TLS (the mock's self-signed certificate), as an API server always is. */
  BenchMockApi(Path repo, int port, boolean https) throws IOException {
    this.https = https;
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    requests = new CountingDispatcher(responses);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, requests, https);
    server.init(InetAddress.getLoopbackAddress(), port);
    client = server.createClient(b -> b.withKubernetesSerialization(OperatorClients.serialization()));
    try (InputStream in = Files.newInputStream(repo.resolve(CRD_FILE))) {
      CustomResourceDefinition crd =
          client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
    microShiftVersion("4.17.1");
  }

  /** kube-public/microshift-version as MicroShift writes it at start, for {@code x.y.z}. */
  void microShiftVersion(String version) {
    String[] v = version.split("\\.");
    client.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("major", v[0], "minor", v[1], "patch", v[2], "version", version)).build())
        .createOr(c -> c.update());
  }

  /** {@code http(s)://127.0.0.1:<port>} */
  String url() {
    return (https ? "https" : "http") + "://127.0.0.1:" + server.getPort();
  }

  /** An ostree plan 4.17.1 -> 4.17.3 pausing the workloads of {@code pausedNamespaces}. */
  static UpdatePlan ostreePlan(String name, List<String> pausedNamespaces) {
    UpdatePlan plan = new UpdatePlan();
    plan.getMetadata().setName(name);
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = UpdateType.OSTREE;
    spec.target = new UpdateTarget("4.17.3");
    spec.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    if (!pausedNamespaces.isEmpty()) {
      spec.workloads = new WorkloadSelection();
      spec.workloads.namespaces = pausedNamespaces;
    }
    plan.setSpec(spec);
    return plan;
  }

  /** A Running pod with one ready container "main". */
  Pod runningPod(String ns, String name, Map<String, String> labels, Map<String, String> annotations) {
    return client.resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(labels).withAnnotations(annotations).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("main").withReady(true).build())
        .endStatus().build()).create();
  }

  Deployment deployment(String ns, String name, int replicas) {
    return client.resource(new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .endMetadata()
        .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("img").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  /**
   * Answers an exec of {@code argv} in ns/pod/container with exit 0. As in the hook tests
   * (hooks/Pods.java): the status frame is a timed message, not a message-on-open (the mock sends
   * those from several threads and may close the socket first), and it is sent twice, 30 ms apart,
   * so a socket closed early under load still delivers one; the client ignores the second.
   */
  void expectExecExit0(String ns, String pod, String container, List<String> argv) {
    String commands = argv.stream()
        .map(a -> "command=" + URLEncoder.encode(a, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("&"));
    String path = "/api/v1/namespaces/" + ns + "/pods/" + pod + "/exec?" + commands
        + "&container=" + container + "&stdout=true&stderr=true";
    StatusMessage success = new StatusMessage(new StatusBuilder().withStatus("Success").build());
    server.expect().get().withPath(path).andUpgradeToWebSocket().open()
        .immediately().andEmit(new WebSocketMessage(30L, success.getBytes(), true, true))
        .immediately().andEmit(new WebSocketMessage(60L, success.getBytes(), true, true))
        .done().always();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
