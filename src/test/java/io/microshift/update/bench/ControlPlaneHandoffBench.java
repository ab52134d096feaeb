package io.microshift.update.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.controlplane.ControlPlane;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import io.microshift.update.controlplane.DeviceManifests;
import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdClients;
import io.microshift.update.etcd.EtcdConnection;
import io.microshift.update.etcd.EtcdFiller;
import io.microshift.update.operator.OperatorClients;
import io.microshift.update.operator.OperatorRuntime;
import io.microshift.update.operator.Ports;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 18 (6): {@link OperatorHandoffBench} on a real control plane: the time from an UpdatePlan
 * being created to request.json being written, with {@code hooks} kwok pods carrying a pre-update
 * hook (one Deployment of that many replicas; each hook a real exec through the API server and
 * kwok, running {@code true}), {@code paused} Deployments of one pod each to pause (the real
 * controllers delete their pods, kwok lets them go) and the API server's etcd filled with about
 * {@code etcdMib} MiB. The operator as its ServiceAccount, with the production ports.
 *
 * <p>Args: {@code <repo dir> <work dir> <etcd MiB> <hooks> <paused> <timeout s> <target s>}
 * (binaries: {@code -Dmsu.controlplane.bin}). Prints {@code BENCH controlplane-handoff-seconds}.
 */
public final class ControlPlaneHandoffBench {
  static final String HOOKED_NS = "bench-hooked";
  static final String PAUSED_NS = "bench-paused";

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int etcdMib = Integer.parseInt(args[2]);
    int hooks = Integer.parseInt(args[3]);
    int paused = Integer.parseInt(args[4]);
    long timeoutMillis = Long.parseLong(args[5]) * 1000;
    double target = Double.parseDouble(args[6]);
    int code;
    try (ControlPlane cp = ControlPlane.builder(ControlPlaneBinaries.require()).workDir(work.resolve("cp")).start()) {
      code = run(cp, repo, work, etcdMib, hooks, paused, timeoutMillis, target);
    }
    System.exit(code);
  }

  static Deployment deployment(String ns, String name, int replicas, Map<String, String> annotations) {
    return new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
        .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector().withNewTemplate()
        .withNewMetadata().addToLabels("app", name).addToAnnotations(annotations).endMetadata().withNewSpec()
        .addNewContainer().withName("main").withImage("quay.io/example/" + name + ":1").endContainer().endSpec()
        .endTemplate().endSpec().build();
  }

  static long runningPods(KubernetesClient k, String ns) {
    return k.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).count();
  }

  static int run(ControlPlane cp, Path repo, Path work, int etcdMib, int hooks, int paused, long timeoutMillis,
      double target) throws Exception {
    KubernetesClient admin = cp.admin();
    DeviceManifests.apply(admin, repo);
    long t0 = System.nanoTime();
    try (EtcdConnection c = EtcdClients.open(EtcdClientConfig.plaintext(cp.etcdEndpoint()))) {
      EtcdFiller.fill(c.client(), 7, (int) ((long) etcdMib * 1024 * 1024 / (64 * 1024)), 64 * 1024, 32);
    }
    log("etcd: %d MiB written in %d ms", etcdMib, (System.nanoTime() - t0) / 1_000_000);
    // what MicroShift publishes at start-up (the operator's preflight reads it), as BenchMockApi has it
    admin.configMaps().inNamespace("kube-public").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("major", "4", "minor", "17", "patch", "1", "version", "4.17.1")).build()).create();
    for (String ns : List.of(HOOKED_NS, PAUSED_NS)) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    admin.resource(deployment(HOOKED_NS, "hooked", hooks,
        Map.of(OperatorHandoffBench.HOOK_ANNOTATION, "[\"true\"]"))).create();
    for (int i = 0; i < paused; i++) {
      admin.resource(deployment(PAUSED_NS, String.format("paused-%03d", i), 1, Map.of())).create();
    }
    long t1 = System.nanoTime();
    while (runningPods(admin, HOOKED_NS) < hooks || runningPods(admin, PAUSED_NS) < paused) {
      if (System.nanoTime() - t1 > 600_000_000_000L) {
        log("pods not Running after 600 s: %d hooked, %d paused", runningPods(admin, HOOKED_NS),
            runningPods(admin, PAUSED_NS));
        System.out.printf(Locale.ROOT, "BENCH controlplane-handoff-seconds setup s target=<%s FAIL%n", target);
        return 1;
      }
      Thread.sleep(500);
    }
    log("API: %d hooked pods and %d Deployments Running in %d ms", hooks, paused, (System.nanoTime() - t1) / 1_000_000);

    Path stateDir = Files.createDirectories(work.resolve("state"));
    int uid = (Integer) Files.getAttribute(stateDir, "unix:uid");
    try (KubernetesClient op = cp.client(cp.serviceAccountToken(DeviceManifests.NAMESPACE,
        DeviceManifests.SERVICE_ACCOUNT), OperatorClients.serialization())) {
      KubernetesWorkloads workloads = new KubernetesWorkloads(op, DeviceManifests.NAMESPACE);
      Ports ports = new Ports(workloads, workloads,
          new MarkerHostHandoff(stateDir, uid, Clock.systemUTC()));
      OperatorRuntime runtime = new OperatorRuntime(op, ports, new SimpleMeterRegistry(), Clock.systemUTC(), null);
      try {
        runtime.start();
        long start = System.nanoTime();
        long[] prepared = {0};
        admin.resource(BenchMockApi.ostreePlan("bench", List.of(PAUSED_NS))).create();
        long deadline = start + timeoutMillis * 1_000_000;
        // as the mock-based bench: a stand-in answers the Prepare, the figure ends at the Apply
        for (int i = 0; !OperatorHandoffBench.applyWritten(stateDir, uid, start, prepared)
            && System.nanoTime() < deadline; i++) {
          if (i % 50 == 0) {
            UpdatePlan now = admin.resources(UpdatePlan.class).withName("bench").get();
            if (now != null && now.getStatus() != null && now.getStatus().phase != null
                && now.getStatus().phase.isTerminal()) {
              break;
            }
          }
          Thread.sleep(10);
        }
        long elapsed = System.nanoTime() - start;
        UpdatePlan p = admin.resources(UpdatePlan.class).withName("bench").get();
        if (!OperatorHandoffBench.applyWritten(stateDir, uid, start, prepared)) {
          log("no Apply request.json after %d ms; status %s", elapsed / 1_000_000,
              admin.getKubernetesSerialization().asJson(p.getStatus()));
          System.out.printf(Locale.ROOT, "BENCH controlplane-handoff-seconds timeout s target=<%s FAIL%n", target);
          return 1;
        }
        long hooksOk = p.getStatus().hooks.stream().filter(h -> "Succeeded".equals(h.state)).count();
        long pausedOk = p.getStatus().pausedWorkloads.stream().filter(w -> "Paused".equals(w.state)).count();
        log("done: %d/%d hooks succeeded, %d/%d Deployments paused, %d paused pods left", hooksOk, hooks, pausedOk,
            paused, admin.pods().inNamespace(PAUSED_NS).list().getItems().size());
        if (hooksOk != hooks || pausedOk != paused) {
          System.out.printf(Locale.ROOT, "BENCH controlplane-handoff-seconds incomplete s target=<%s FAIL%n", target);
          return 1;
        }
        double seconds = elapsed / 1e9;
        boolean pass = seconds < target;
        System.out.printf(Locale.ROOT, "BENCH controlplane-handoff-seconds %.2f s target=<%s %s%n", seconds,
            fmt(target), pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
      } finally {
        runtime.close();
      }
    }
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "controlplane-handoff: " + format + "%n", args);
  }
}
