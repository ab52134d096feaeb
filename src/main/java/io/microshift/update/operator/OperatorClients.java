package io.microshift.update.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

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
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(new ObjectMapper(), false);

  private OperatorClients() {}

  /** The mapping the operator's client uses, for the operator's own JSON (clones, comparisons). */
  public static KubernetesSerialization serialization() {
    return SERIALIZATION;
  }

  /** A client configured the usual way (in-cluster service account, or KUBECONFIG). */
  public static KubernetesClient fromEnvironment() {
    return new KubernetesClientBuilder().withKubernetesSerialization(SERIALIZATION).build();
  }
}
