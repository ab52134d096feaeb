package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/** Reads and edits the three pausable kinds through one interface. */
final class Workloads {
  private final KubernetesClient client;
  private final ProtectedNamespaces protectedNamespaces;

  Workloads(KubernetesClient client, ProtectedNamespaces protectedNamespaces) {
    this.client = client;
    this.protectedNamespaces = protectedNamespaces;
  }

  /** Every Deployment, StatefulSet and CronJob outside the protected namespaces. */
  List<HasMetadata> listAll() {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().deployments().inAnyNamespace().list().getItems());
    all.addAll(client.apps().statefulSets().inAnyNamespace().list().getItems());
    all.addAll(client.batch().v1().cronjobs().inAnyNamespace().list().getItems());
    all.removeIf(o -> protectedNamespaces.isProtected(o.getMetadata().getNamespace()));
    return all;
  }

  HasMetadata get(WorkloadRef ref) {
    return switch (ref.kind()) {
      case WorkloadRef.DEPLOYMENT ->
          client.apps().deployments().inNamespace(ref.namespace()).withName(ref.name()).get();
      case WorkloadRef.STATEFUL_SET ->
          client.apps().statefulSets().inNamespace(ref.namespace()).withName(ref.name()).get();
      case WorkloadRef.CRON_JOB ->
          client.batch().v1().cronjobs().inNamespace(ref.namespace()).withName(ref.name()).get();
      default -> throw new IllegalArgumentException("not a pausable kind: " + ref.kind());
    };
  }

  static WorkloadRef ref(HasMetadata o) {
    return new WorkloadRef(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
  }

  /** spec.replicas as the API server reads it: absent means 1. */
  static int replicas(HasMetadata o) {
    Integer r = o instanceof Deployment d ? d.getSpec().getReplicas()
        : o instanceof StatefulSet s ? s.getSpec().getReplicas()
        : null;
    return r == null ? 1 : r;
  }

  static void setReplicas(HasMetadata o, int replicas) {
    if (o instanceof Deployment d) {
      d.getSpec().setReplicas(replicas);
    } else if (o instanceof StatefulSet s) {
      s.getSpec().setReplicas(replicas);
    } else {
      throw new IllegalArgumentException(ref(o) + " has no replicas");
    }
  }

  static boolean suspended(HasMetadata o) {
    return o instanceof CronJob c && Boolean.TRUE.equals(c.getSpec().getSuspend());
  }

  static void setSuspend(HasMetadata o, boolean suspend) {
    ((CronJob) o).getSpec().setSuspend(suspend);
  }

  /** The pod selector of a Deployment or StatefulSet. */
  static LabelSelector podSelector(HasMetadata o) {
    return o instanceof Deployment d ? d.getSpec().getSelector()
        : o instanceof StatefulSet s ? s.getSpec().getSelector()
        : null;
  }
}
