package io.microshift.update.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.crypto.FipsMode;
import io.microshift.update.operator.tls.OpenSslContext;
import io.microshift.update.operator.tls.OpenSslHttpClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's Kubernetes client and JSON mapping, one place for both.
 *
 * <p>fabric8's default serialization registers every model class its jars list as a
 * {@code KubernetesResource} service (some 320 kinds, over 1,000 classes with their specs and
 * builders) the first time anything is read as an abstract resource. The operator reads only
 * concrete types (its own UpdatePlan, Pods, Deployments, StatefulSets, ConfigMaps, Events, Status),
 * and a watch event of an unregistered kind is converted to the watched type by fabric8 itself,
 * so the scan is switched off: it costs about 6 MiB of a device's memory and buys nothing here.
 */
public final class OperatorClients {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorClients.class);
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(new ObjectMapper(), false);

  private OperatorClients() {}

  /** The mapping the operator's client uses, for the operator's own JSON (clones, comparisons). */
  public static KubernetesSerialization serialization() {
    return SERIALIZATION;
  }

  /**
   * A client configured the usual way (in-cluster service account, or KUBECONFIG), its TLS done by
   * BoringSSL or not as {@link #usesBoringSsl} decided.
   */
  public static KubernetesClient fromEnvironment(boolean boringSsl) {
    return builder(new ConfigBuilder().build(), boringSsl).withKubernetesSerialization(SERIALIZATION).build();
  }

  /** {@link #builder(Config, boolean)} with the operator's default, BoringSSL where {@link #usesBoringSsl} allows it. */
  public static KubernetesClientBuilder builder(Config config) {
    return builder(config, usesBoringSsl(OperatorConfig.ApiTls.BORINGSSL));
  }

  /**
   * A client builder for {@code config} with the operator's HTTP client: fabric8's JDK client, its
   * TLS done by BoringSSL ({@link OpenSslHttpClientFactory}) when {@code boringSsl}, else by the JDK.
   */
  public static KubernetesClientBuilder builder(Config config, boolean boringSsl) {
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    if (boringSsl) {
      builder.withHttpClientFactory(new OpenSslHttpClientFactory(config));
    }
    return builder;
  }

  /**
   * Whether the API calls' TLS is BoringSSL: asked for, not in FIPS mode ({@link FipsMode}: the
   * JDK's TLS then, which RHEL routes to its FIPS provider), and loaded. Logs why not when it was
   * asked for.
   */
  public static boolean usesBoringSsl(OperatorConfig.ApiTls tls) {
    if (tls != OperatorConfig.ApiTls.BORINGSSL) {
      return false;
    }
    if (FipsMode.enabled(FipsMode.KERNEL_FLAG)) {
      LOG.atInfo().log("FIPS mode (" + FipsMode.KERNEL_FLAG + " is 1): the Kubernetes API calls use the JDK's TLS");
      return false;
    }
    if (!OpenSslContext.available()) {
      LOG.atWarn().addKeyValue("cause", String.valueOf(OpenSslContext.unavailabilityCause()))
          .log("BoringSSL did not load; the Kubernetes API calls use the JDK's TLS");
      return false;
    }
    return true;
  }
}
