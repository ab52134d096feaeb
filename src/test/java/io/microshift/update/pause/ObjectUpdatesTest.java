package io.microshift.update.pause;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ObjectUpdatesTest {
  KubernetesClient client;

  ObjectUpdates updates() {
    return new ObjectUpdates(client, new Workloads(client, new ProtectedNamespaces("microshift-update")));
  }

  @Test
  void aConcurrentChangeIsNotLostTheEditIsRedoneOnAFreshRead() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    AtomicInteger calls = new AtomicInteger();

    updates().update(new WorkloadRef("Deployment", "app", "web"), o -> {
      if (calls.incrementAndGet() == 1) {
        // someone else writes between our read and our update
        client.apps().deployments().inNamespace("app").withName("web")
            .edit(d -> { d.getMetadata().getLabels().put("touched", "yes"); return d; });
      }
      Workloads.setReplicas(o, 0);
      return true;
    });

    Deployment d = Fixtures.getDeployment(client, "app", "web");
    assertEquals(2, calls.get(), "the first update was refused with 409 and redone");
    assertEquals(0, d.getSpec().getReplicas());
    assertEquals("yes", d.getMetadata().getLabels().get("touched"), "the other writer's change survives");
  }

  @Test
  void givesUpAfterABoundedNumberOfConflicts() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    AtomicInteger calls = new AtomicInteger();

    assertThrows(IllegalStateException.class, () -> updates().update(new WorkloadRef("Deployment", "app", "web"), o -> {
      calls.incrementAndGet();
      client.apps().deployments().inNamespace("app").withName("web")
          .edit(d -> { d.getMetadata().getLabels().put("n", Integer.toString(calls.get())); return d; });
      Workloads.setReplicas(o, 0);
      return true;
    }));
    assertEquals(ObjectUpdates.ATTEMPTS, calls.get());
    assertEquals(3, Fixtures.getDeployment(client, "app", "web").getSpec().getReplicas());
  }

  @Test
  void aStaleListedCopyIsRefusedAndTheEditIsRedoneOnAFreshReadSoTheConcurrentChangeIsRecorded() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    HasMetadata listed = client.apps().deployments().inNamespace("app").list().getItems().get(0);
    // someone scales it after the list and before the pause
    client.apps().deployments().inNamespace("app").withName("web").edit(d -> {
      d.getSpec().setReplicas(5);
      d.getMetadata().getLabels().put("touched", "yes");
      return d;
    });
    List<Integer> seen = new ArrayList<>();

    updates().update(listed, o -> {
      seen.add(Workloads.replicas(o));
      Pauser.annotations(o).put(PauseAnnotations.ORIGINAL_REPLICAS, Integer.toString(Workloads.replicas(o)));
      Workloads.setReplicas(o, 0);
      return true;
    });

    Deployment d = Fixtures.getDeployment(client, "app", "web");
    assertEquals(List.of(3, 5), seen, "the listed copy first, refused with 409; then a fresh read");
    assertEquals("5", d.getMetadata().getAnnotations().get(PauseAnnotations.ORIGINAL_REPLICAS),
        "the replicas recorded are those the pause scaled down");
    assertEquals(0, d.getSpec().getReplicas());
    assertEquals("yes", d.getMetadata().getLabels().get("touched"), "the other writer's change survives");
  }

  @Test
  void aListedCopyDeletedSinceIsNull() {
    Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    HasMetadata listed = client.apps().deployments().inNamespace("app").list().getItems().get(0);
    client.apps().deployments().inNamespace("app").withName("web").delete();

    assertNull(updates().update(listed, o -> {
      Workloads.setReplicas(o, 0);
      return true;
    }));
  }

  @Test
  void aCopyWithoutResourceVersionIsRefused() {
    Deployment d = Fixtures.deployment(client, "app", "web", 3, Map.of(), Map.of());
    d.getMetadata().setResourceVersion(null);

    assertThrows(IllegalArgumentException.class, () -> updates().update(d, o -> true));
  }

  @Test
  void aMissingObjectIsNull() {
    assertNull(updates().update(new WorkloadRef("Deployment", "app", "gone"), o -> true));
  }
}
