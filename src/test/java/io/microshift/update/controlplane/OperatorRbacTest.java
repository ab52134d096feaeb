package io.microshift.update.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.operator.OperatorClients;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The RBAC of manifests/ on a real API server, for the operator's own ServiceAccount (a token
 * from the TokenRequest API). That the operator needs no more than its role is shown by
 * {@link ControlPlaneStoriesTest}: each story runs the operator with exactly this role and fails
 * on any request the server refused as forbidden (the audit log). Here: the server holds exactly
 * the role of the file, and a request outside it is refused and seen as refused.
 */
@Tag("controlplane")
@Timeout(300)
class OperatorRbacTest {
  static ControlPlane cp;

  @BeforeAll
  static void start() {
    cp = ControlPlane.builder(ControlPlaneBinaries.require()).start();
    DeviceManifests.apply(cp.admin(), Path.of(""));
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  static KubernetesClient operator() {
    return cp.client(cp.serviceAccountToken(DeviceManifests.NAMESPACE, DeviceManifests.SERVICE_ACCOUNT),
        OperatorClients.serialization());
  }

  @Test
  void theServerHoldsExactlyTheClusterRoleOfTheManifests() throws Exception {
    ClusterRole file;
    try (InputStream in = Files.newInputStream(Path.of("manifests/rbac.yaml"))) {
      file = (ClusterRole) cp.admin().load(in).items().stream().filter(o -> o instanceof ClusterRole).findFirst()
          .orElseThrow();
    }
    ClusterRole served = cp.admin().rbac().clusterRoles().withName(file.getMetadata().getName()).get();
    assertEquals(file.getRules(), served.getRules());
  }

  @Test
  void readingSecretsIsRefusedAndTheRefusalIsInTheAuditLog() {
    try (KubernetesClient op = operator()) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> op.secrets().inNamespace("microshift-update").list());
      assertEquals(403, e.getCode(), e.getMessage());
      KubernetesClientException all = assertThrows(KubernetesClientException.class,
          () -> op.secrets().inAnyNamespace().list());
      assertEquals(403, all.getCode(), all.getMessage());
      // what the role grants works with the same token
      assertFalse(op.nodes().list().getItems().isEmpty(), "the operator lists the node");
    }
    List<String> forbidden = AuditLog.forbidden(cp.auditLog(), ControlPlane.OPERATOR_USER);
    assertTrue(forbidden.stream().anyMatch(r -> r.contains("/secrets")), "the audit log shows the refusal: "
        + AuditLog.requests(cp.auditLog(), ControlPlane.OPERATOR_USER));
  }

  @Test
  void writingNodesOrDeletingDeploymentsIsRefused() {
    try (KubernetesClient op = operator()) {
      KubernetesClientException nodes = assertThrows(KubernetesClientException.class,
          () -> op.nodes().withName(ControlPlane.NODE).edit(n -> {
            n.getMetadata().getLabels().put("x", "y");
            return n;
          }));
      assertEquals(403, nodes.getCode(), nodes.getMessage());
      KubernetesClientException delete = assertThrows(KubernetesClientException.class,
          () -> op.apps().deployments().inNamespace(DeviceManifests.NAMESPACE).withName(DeviceManifests.DEPLOYMENT)
              .delete());
      assertEquals(403, delete.getCode(), delete.getMessage());
    }
  }
}
