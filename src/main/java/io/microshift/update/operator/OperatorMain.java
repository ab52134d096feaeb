package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code microshift-update operator}: the in-cluster operator with its health and metrics server. */
public final class OperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> env = System.getenv();
    OperatorConfig config = OperatorConfig.fromEnvironment(env);
    boolean boringSsl = OperatorClients.usesBoringSsl(config.apiTls());
    KubernetesClient client = OperatorClients.fromEnvironment(boringSsl);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorRuntime runtime = new OperatorRuntime(client, productionPorts(client, config, env),
        registry, Clock.systemUTC(), config.leaderElection() ? config.namespace() : null)
        .sweepOrphanedPauses(config.namespace());
    HealthServer health = new HealthServer(config.httpPort(),
        () -> runtime.isStarted() && runtime.isHealthy(), registry).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      health.close();
      client.close();
    }, "shutdown"));
    runtime.start();
    LOG.atInfo().addKeyValue("namespace", config.namespace()).addKeyValue("stateDir", config.stateDir())
        .addKeyValue("leaderElection", config.leaderElection())
        .addKeyValue("apiTls", boringSsl ? "BoringSSL" : "JDK").addKeyValue("port", health.port())
        .log("microshift-update operator started");
  }

  /** The real implementations of the ports, for a device. */
  public static Ports productionPorts(KubernetesClient client, OperatorConfig config, Map<String, String> env) {
    KubernetesWorkloads workloads = new KubernetesWorkloads(client, config.namespace());
    return new Ports(workloads, workloads,
        new MarkerHostHandoff(config.stateDir(), MarkerReader.ROOT_UID, Clock.systemUTC(),
            io.microshift.update.operator.adapter.OperatorImage.lazily(client, env)));
  }
}
