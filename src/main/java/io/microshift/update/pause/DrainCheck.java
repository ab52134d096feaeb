package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Are the pods of the workloads paused by a plan gone? The pods of a Deployment or StatefulSet
 * are those its selector matches; the pods of a CronJob are those of the Jobs it owns. Finished
 * pods (Succeeded, Failed) do not count; terminating ones do. Non-blocking.
 */
final class DrainCheck {
  private final KubernetesClient client;

  DrainCheck(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Whether the pods of the workloads that plan {@code planName} paused are gone, over {@code all},
   * the workloads as {@link Workloads#listAll} lists them. Non-blocking, read-only.
   */
  DrainResult drained(String planName, List<HasMetadata> all) {
    Map<String, List<Pod>> podsByNamespace = new HashMap<>();
    List<String> remaining = new ArrayList<>();
    for (HasMetadata o : all) {
      Map<String, String> a = o.getMetadata().getAnnotations();
      if (a == null || !planName.equals(a.get(PauseAnnotations.PAUSED_BY))) {
        continue;
      }
      String ns = o.getMetadata().getNamespace();
      List<Pod> pods = podsByNamespace.computeIfAbsent(ns,
          n -> client.pods().inNamespace(n).list().getItems());
      List<Pod> ofWorkload = Workloads.ref(o).scalable()
          ? pods.stream().filter(p -> LabelSelectors.matches(Workloads.podSelector(o), p.getMetadata().getLabels())).toList()
          : podsOfCronJob(o, pods);
      ofWorkload.stream().filter(DrainCheck::alive)
          .forEach(p -> remaining.add(ns + "/" + p.getMetadata().getName()));
    }
    List<String> sorted = remaining.stream().distinct().sorted().toList();
    return new DrainResult(sorted.isEmpty(), sorted);
  }

  private List<Pod> podsOfCronJob(HasMetadata cronJob, List<Pod> pods) {
    Set<String> jobs = client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace())
        .list().getItems().stream()
        .filter(j -> ownedBy(j, "CronJob", cronJob.getMetadata().getName()))
        .map(Job::getMetadata).map(m -> m.getName())
        .collect(Collectors.toSet());
    return pods.stream().filter(p -> jobs.stream().anyMatch(j -> ownedBy(p, "Job", j))).toList();
  }

  private static boolean ownedBy(HasMetadata o, String kind, String name) {
    List<OwnerReference> owners = o.getMetadata().getOwnerReferences();
    return owners != null && owners.stream()
        .anyMatch(r -> kind.equals(r.getKind()) && name.equals(r.getName()));
  }

  private static boolean alive(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }
}
