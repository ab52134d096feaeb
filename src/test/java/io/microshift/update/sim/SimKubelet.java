package io.microshift.update.sim;

import static io.microshift.update.sim.SimulatedDevice.APP;
import static io.microshift.update.sim.SimulatedDevice.APP_CONTAINER;
import static io.microshift.update.sim.SimulatedDevice.APP_NAMESPACE;
import static io.microshift.update.sim.SimulatedDevice.APP_REPLICAS;
import static io.microshift.update.sim.SimulatedDevice.BACKUP_HOOK;
import static io.microshift.update.sim.SimulatedDevice.CHECK_HOOK;
import static io.microshift.update.sim.SimulatedDevice.RESTORE_HOOK;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.hooks.Pods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The simulated device's kubelet and Deployment controller, and the workload they run: the pods
 * of each Deployment in {@link SimulatedDevice#APP_NAMESPACE} follow {@code spec.replicas} and
 * are ready at once; the mock API answers each hook of a pod with exit code 0, and the "program"
 * in the app's container does the hooks' side effects on its data dir. On a real control plane
 * the controllers, the scheduler and kwok run the pods instead; the workload is the same.
 */
final class SimKubelet {
  private final SimulatedDevice.Options opts;
  private final SimCluster cluster;
  private final KubernetesClient kube;
  private final Path appDataDir;
  private final Supplier<String> bootId;
  private final Consumer<String> log;
  private final List<String> execs = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> expectedExecPaths = Collections.synchronizedSet(new HashSet<>());
  private Thread kubelet;
  private volatile boolean kubeletRunning;

  SimKubelet(SimulatedDevice.Options opts, SimCluster cluster, Path appDataDir, Supplier<String> bootId,
      Consumer<String> log) {
    this.opts = opts;
    this.cluster = cluster;
    this.kube = cluster.kube();
    this.appDataDir = appDataDir;
    this.bootId = bootId;
    this.log = log;
    cluster.onExec(this::execSideEffect);
  }

  // ------------------------------------------------------------------ the workload

  Deployment app() {
    return kube.apps().deployments().inNamespace(APP_NAMESPACE).withName(APP).get();
  }

  int appReplicas() {
    Deployment d = app();
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  int appReadyReplicas() {
    Deployment d = app();
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  /** The application writes {@code value} as its current data. */
  void appWrite(String value) {
    try {
      Files.writeString(appDataDir.resolve("current"), value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String appData() {
    return readOrNull(appDataDir.resolve("current"));
  }

  /** What the post-rollback hook wrote when it restored the app's data, or null. */
  String appRestoredMarker() {
    return readOrNull(appDataDir.resolve("restored-by-hook"));
  }

  private static String readOrNull(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p).strip() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Exec requests the workload pods received, as {@code ns/pod: argv}. */
  List<String> execs() {
    if (cluster.isReal()) {
      return cluster.realExecs();
    }
    synchronized (execs) {
      return List.copyOf(execs);
    }
  }

  /** The "program" in the app's container: the hooks' argv act on its data dir. */
  private void execSideEffect(String path) {
    // /api/v1/namespaces/NS/pods/POD/exec?command=a&command=b&container=...
    String[] parts = path.split("\\?", 2);
    String[] segs = parts[0].split("/");
    String pod = segs.length > 6 ? segs[4] + "/" + segs[6] : parts[0];
    List<String> argv = new ArrayList<>();
    for (String kv : parts.length > 1 ? parts[1].split("&") : new String[0]) {
      if (kv.startsWith("command=")) {
        argv.add(java.net.URLDecoder.decode(kv.substring(8), StandardCharsets.UTF_8));
      }
    }
    execs.add(pod + ": " + String.join(" ", argv));
    try {
      Path dir = appDataDir;
      if (argv.equals(BACKUP_HOOK) && Files.exists(dir.resolve("current"))) {
        Files.copy(dir.resolve("current"), dir.resolve("backup"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else if (argv.equals(RESTORE_HOOK) && Files.exists(dir.resolve("backup"))) {
        Files.copy(dir.resolve("backup"), dir.resolve("current"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("restored-by-hook"), "restored by " + pod + " on boot " + bootId.get() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Deployment shop/web with its hooks, and its first data. */
  void createApp() {
    Map<String, String> hooks = new LinkedHashMap<>();
    hooks.put("pre-update.hook.updates.microshift.io/command", json(BACKUP_HOOK));
    hooks.put("pre-update.hook.updates.microshift.io/container", APP_CONTAINER);
    if (opts.preUpdateHookTimeout != null) {
      hooks.put("pre-update.hook.updates.microshift.io/timeout", opts.preUpdateHookTimeout);
    }
    hooks.put("post-update.hook.updates.microshift.io/command", json(CHECK_HOOK));
    hooks.put("post-update.hook.updates.microshift.io/container", APP_CONTAINER);
    hooks.put("post-rollback.hook.updates.microshift.io/command", json(RESTORE_HOOK));
    hooks.put("post-rollback.hook.updates.microshift.io/container", APP_CONTAINER);
    hooks.put("post-rollback.hook.updates.microshift.io/timeout", "30s");
    Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace(APP_NAMESPACE).withName(APP).endMetadata()
        .withNewSpec().withReplicas(APP_REPLICAS).withNewSelector().addToMatchLabels("app", APP).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", APP).withAnnotations(hooks).endMetadata()
        .withNewSpec().addNewContainer().withName(APP_CONTAINER).withImage("quay.io/example/shop:1").endContainer()
        .endSpec().endTemplate().endSpec().build();
    kube.resource(d).create();
    appWrite("v1: orders before the update");
  }

  private static String json(List<String> argv) {
    return "[" + String.join(",", argv.stream().map(a -> "\"" + a + "\"").toList()) + "]";
  }

  // ------------------------------------------------------------------ the kubelet

  /** The kubelet and Deployment controller: pods follow spec.replicas, ready at once. */
  private void tick() {
    for (Deployment d : kube.apps().deployments().inNamespace(APP_NAMESPACE).list().getItems()) {
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      String name = d.getMetadata().getName();
      Map<String, String> labels = d.getSpec().getSelector().getMatchLabels();
      List<Pod> pods = kube.pods().inNamespace(APP_NAMESPACE).withLabels(labels).list().getItems();
      Set<String> have = new HashSet<>();
      for (Pod p : pods) {
        String pn = p.getMetadata().getName();
        int idx = Integer.parseInt(pn.substring(pn.lastIndexOf('-') + 1));
        if (idx >= want) {
          kube.resource(p).delete();
        } else {
          have.add(pn);
        }
      }
      for (int i = 0; i < want; i++) {
        String pn = name + "-" + i;
        if (!have.contains(pn)) {
          Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
          expectHookExecs(pn, annotations);
          Pod pod = new PodBuilder(Pods.running(APP_NAMESPACE, pn, annotations, APP_CONTAINER))
              .editMetadata().withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata().build();
          kube.resource(pod).create();
        }
      }
      Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
      if (ready == null || ready != want) {
        kube.apps().deployments().inNamespace(APP_NAMESPACE).withName(name).editStatus(x -> {
          x.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(want)
              .withReadyReplicas(want).withAvailableReplicas(want).withUpdatedReplicas(want).build());
          return x;
        });
      }
    }
  }

  /** The exec API answers each hook of a pod with exit code 0 (its side effect: {@link #execSideEffect}). */
  private void expectHookExecs(String pod, Map<String, String> annotations) {
    for (Map.Entry<String, String> a : annotations.entrySet()) {
      if (a.getKey().endsWith(".hook.updates.microshift.io/command")) {
        List<String> argv = a.getValue().equals(json(BACKUP_HOOK)) ? BACKUP_HOOK
            : a.getValue().equals(json(RESTORE_HOOK)) ? RESTORE_HOOK
            : a.getValue().equals(json(CHECK_HOOK)) ? CHECK_HOOK : null;
        if (argv != null && expectedExecPaths.add(Pods.execPath(APP_NAMESPACE, pod, APP_CONTAINER, argv))) {
          if (argv.equals(BACKUP_HOOK) && opts.preUpdateHookDelay != null) {
            Pods.expectSlowExec(cluster.api().server(), APP_NAMESPACE, pod, APP_CONTAINER, argv,
                opts.preUpdateHookDelay.toMillis());
          } else {
            Pods.expectExec(cluster.api().server(), APP_NAMESPACE, pod, APP_CONTAINER, argv, Pods.exit(0));
          }
        }
      }
    }
  }

  void start() {
    if (cluster.isReal()) {
      return; // the real controllers, scheduler and kwok run the workloads
    }
    kubeletRunning = true;
    kubelet = new Thread(() -> {
      while (kubeletRunning) {
        try {
          tick();
        } catch (KubernetesClientException e) {
          // a conflict with the operator's edit: next tick
        } catch (RuntimeException e) {
          if (kubeletRunning) {
            log.accept("kubelet: " + e);
          }
        }
        Sleeps.sleep(150);
      }
    }, "sim-kubelet");
    kubelet.setDaemon(true);
    kubelet.start();
  }

  void stop() {
    kubeletRunning = false;
    if (kubelet != null) {
      try {
        kubelet.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kubelet = null;
    }
  }
}
