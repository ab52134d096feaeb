package io.microshift.update.sim;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.operator.OperatorRuntime;
import io.microshift.update.operator.Ports;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The operator pod on the simulated device: {@link OperatorRuntime} with the real ports and its own
 * client, restarted with a new client at every boot (the pod restarts with MicroShift).
 */
final class SimOperator {
  private final SimCluster cluster;
  private final Path stateDir;
  private final int uid;
  private final Optional<String> operatorImage;
  private final Consumer<String> log;
  /** The device's lock: the operator does not start or stop while MicroShift does. */
  private final Object lock;
  private KubernetesClient client;
  private OperatorRuntime runtime;

  SimOperator(SimCluster cluster, Path stateDir, int uid, String operatorImage, Consumer<String> log,
      Object lock) {
    this.cluster = cluster;
    this.stateDir = stateDir;
    this.uid = uid;
    this.operatorImage = Optional.ofNullable(operatorImage);
    this.log = log;
    this.lock = lock;
  }

  void start() {
    synchronized (lock) {
      client = cluster.newOperatorClient();
      KubernetesWorkloads workloads = new KubernetesWorkloads(client, SimulatedDevice.OPERATOR_NAMESPACE);
      Ports ports = new Ports(workloads, workloads, new MarkerHostHandoff(stateDir, uid, Clock.systemUTC(), operatorImage));
      // leader election as the Deployment sets it (on a real control plane), without JOSDK's exit
      // of the JVM when a stopped runtime stops leading: the operator restarts at every boot
      runtime = new OperatorRuntime(client, ports, new SimpleMeterRegistry(), Clock.systemUTC(),
          cluster.leaderElectionNamespace(), false);
      runtime.start();
    }
  }

  /** Kills the pod: its client is closed first (requests in flight fail), then the runtime stops. */
  void kill() {
    synchronized (lock) {
      KubernetesClient c = client;
      OperatorRuntime r = runtime;
      client = null;
      runtime = null;
      if (c != null) {
        c.close();
      }
      if (r != null) {
        try {
          r.close();
        } catch (RuntimeException e) {
          log.accept("operator stop after its client closed: " + e);
        }
      }
      log.accept("operator killed");
    }
  }

  /** A clean stop (shutdown): the runtime stops, then its client closes. */
  void stop() {
    synchronized (lock) {
      if (runtime != null) {
        runtime.close();
        runtime = null;
      }
      if (client != null) {
        client.close();
        client = null;
      }
    }
  }
}
