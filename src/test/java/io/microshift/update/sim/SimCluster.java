package io.microshift.update.sim;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.controlplane.ControlPlane;
import io.microshift.update.etcd.EtcdServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The simulated device's cluster, the Kubernetes API side of MicroShift: the fabric8 mock API
 * server ({@link SimApiServer}: CRUD, plus exec answers for workload hooks), or a real control
 * plane ({@link RealDeviceApi}); the CRD, the version ConfigMap MicroShift publishes, and the
 * plans. The mock's objects stand for MicroShift's API state and are saved into the data dir
 * whenever MicroShift stops and loaded from there at every boot.
 */
final class SimCluster implements AutoCloseable {
  private final SimulatedDevice.Options opts;
  /** The mock API, or null on a real control plane ({@link #real}). */
  private final SimApiServer api;
  private final RealDeviceApi real;
  private final KubernetesClient kube;

  SimCluster(SimulatedDevice.Options opts, SimHost host, EtcdServerFixture etcd) throws IOException {
    this.opts = opts;
    if (opts.controlPlane == null) {
      this.api = new SimApiServer();
      this.kube = api.newClient();
      this.real = null;
    } else {
      this.api = null;
      this.real = new RealDeviceApi(opts.controlPlane, host.simDir(), etcd.endpoint(), host.appDataDir(),
          host.paths().bootIdFile(), opts.repo);
      this.kube = real.newClient();
    }
  }

  /** An admin client (valid across reboots). */
  KubernetesClient kube() {
    return kube;
  }

  /** The mock API server; null on a real control plane. */
  SimApiServer api() {
    return api;
  }

  /** The real control plane, or null on the mock API. */
  ControlPlane controlPlane() {
    return real == null ? null : real.controlPlane();
  }

  boolean isReal() {
    return real != null;
  }

  /** The mock API calls {@code listener} with the path of every exec request (a real control plane runs the program). */
  void onExec(Consumer<String> listener) {
    if (api != null) {
      api.onExec(listener);
    }
  }

  /** Exec requests the workload pods received on a real control plane. */
  List<String> realExecs() {
    return real.execs();
  }

  KubernetesClient newOperatorClient() {
    return real != null ? real.newOperatorClient() : api.newOperatorClient();
  }

  /** Where the operator's leader election Lease lives; null (no leader election) on the mock API. */
  String leaderElectionNamespace() {
    return real != null ? real.leaderElectionNamespace() : null;
  }

  /** The CRD from {@code crds/} (on a real control plane also the RBAC and the operator's manifests). */
  void installCrd() throws IOException {
    if (real != null) {
      real.install(SimulatedDevice.APP_NAMESPACE);
      return;
    }
    try (InputStream in = Files.newInputStream(opts.repo.resolve("crds/updateplans.updates.microshift.io-v1.yml"))) {
      CustomResourceDefinition crd = kube.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      kube.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /**
   * MicroShift publishes its version at start-up (openshift/microshift pkg/controllers/version.go,
   * {@code VersionManager.Run}): major, minor and patch as the Makefile cuts them at the first of
   * {@code ._~-}, and {@code version}, the whole version it was built with.
   */
  void publishVersion(String v) {
    String[] p = v.split("[._~-]");
    kube.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder().withNewMetadata()
        .withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("major", p[0], "minor", p[1], "patch", p[2], "version", v)).build()).createOr(c -> c.update());
  }

  /** MicroShift stops: the real API server stops, or the mock's objects are saved into {@code objectsFile}. */
  void stop(Path objectsFile) {
    if (real != null) {
      real.stop();
    } else {
      api.dump(objectsFile);
    }
  }

  /** At boot, before etcd starts: the mock API's objects come back from {@code objectsFile} (the data dir). */
  void loadSaved(Path objectsFile) {
    if (api != null && Files.exists(objectsFile)) {
      api.load(objectsFile);
    }
  }

  /** After etcd started: the real API server (and its controllers) start again. */
  void startServing() {
    if (real != null) {
      real.start();
    }
  }

  // ------------------------------------------------------------------ plans

  UpdatePlan apply(UpdatePlan plan) {
    return kube.resource(plan).create();
  }

  UpdatePlan plan(String name) {
    return kube.resources(UpdatePlan.class).withName(name).get();
  }

  Phase phase(String name) {
    UpdatePlan p = plan(name);
    return p == null || p.getStatus() == null ? null : p.getStatus().phase;
  }

  /** Every plan as {@code name=phase (message)}. */
  List<String> planSummaries() {
    return kube.resources(UpdatePlan.class).list().getItems().stream()
        .map(p -> p.getMetadata().getName() + "=" + (p.getStatus() == null ? null
            : p.getStatus().phase + " (" + p.getStatus().message + ")" + failedHookOutput(p)))
        .toList();
  }

  /** The stderr and stdout tails of the plan's hooks that did not succeed, for a failure's message. */
  private static String failedHookOutput(UpdatePlan p) {
    if (p.getStatus().hooks == null) {
      return "";
    }
    String out = p.getStatus().hooks.stream()
        .filter(h -> h.state != null && !"Succeeded".equals(h.state) && !"Pending".equals(h.state))
        .map(h -> h.namespace + "/" + h.pod + " " + h.state + " stderr=[" + h.stderrTail + "] stdout=["
            + h.stdoutTail + "]")
        .collect(java.util.stream.Collectors.joining("; "));
    return out.isEmpty() ? "" : " hooks: " + out;
  }

  /** Stops the real control plane; then the client and the mock server close. */
  void closeServer() {
    if (real != null) {
      real.close();
    }
  }

  @Override
  public void close() {
    kube.close();
    if (api != null) {
      api.close();
    }
  }
}
