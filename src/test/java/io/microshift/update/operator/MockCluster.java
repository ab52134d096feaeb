package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.UpdatePlan;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** What the operator's tests set up on the mock API server before each test, and clear after. */
final class MockCluster {
  private MockCluster() {}

  /** The checked-in UpdatePlan CRD and MicroShift's version ConfigMap (kube-public), 4.17.1. */
  static void prepare(KubernetesClient client) throws IOException {
    try (var in = new FileInputStream("crds/updateplans.updates.microshift.io-v1.yml")) {
      CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
    }
    client.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("major", "4", "minor", "17", "patch", "1", "version", "4.17.1")).build())
        .createOr(c -> c.update());
  }

  /** Every plan gone (finalizers dropped) and the events of the default namespace. */
  static void clear(KubernetesClient client) {
    for (UpdatePlan p : client.resources(UpdatePlan.class).list().getItems()) {
      p.getMetadata().setFinalizers(List.of());
      client.resource(p).update();
      client.resource(p).delete();
    }
    client.v1().events().inNamespace("default").delete();
  }
}
