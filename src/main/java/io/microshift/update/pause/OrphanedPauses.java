package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.PausedWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Workloads left paused by a plan that no longer exists: an administrator removed the finalizer
 * of a plan whose deletion looked stuck, so the plan's own resume never ran. Each is restored
 * exactly as {@link Resumer} restores a plan's workloads (the same conflict rules), from the
 * record on the object.
 *
 * <p>Order matters: the workloads are listed first and the plans after, so a plan that pauses a
 * workload between the two reads is in the plan list and its workload is not taken for an
 * orphan. Each update is made from the listed copy with its resourceVersion: a change since the
 * list is refused (409), and the object is read again and acted on only if it still carries the
 * same record.
 */
public final class OrphanedPauses {

  /** One orphan handled: resumed, or left as it is with the reason (a Conflict). */
  public record Outcome(WorkloadRef ref, String plan, String planUid, boolean resumed, String message,
      HasMetadata object) {}

  private final Workloads workloads;
  private final ObjectUpdates updates;

  public OrphanedPauses(KubernetesClient client, String operatorNamespace) {
    this.workloads = new Workloads(client, new ProtectedNamespaces(operatorNamespace));
    this.updates = new ObjectUpdates(client, workloads);
  }

  /**
   * Resumes every workload whose pause record names a plan missing from {@code existingPlans}
   * (plan name to uid, read after the workloads), or a plan of that name with another uid.
   * Failures to update are left for the next sweep.
   */
  public List<Outcome> resume(Supplier<Map<String, String>> existingPlans) {
    List<HasMetadata> paused = workloads.listAll().stream()
        .filter(o -> annotation(o, PauseAnnotations.PAUSED_BY) != null).toList();
    if (paused.isEmpty()) {
      return List.of();
    }
    Map<String, String> plans = existingPlans.get();
    List<Outcome> out = new ArrayList<>();
    for (HasMetadata o : paused) {
      String plan = annotation(o, PauseAnnotations.PAUSED_BY);
      String uid = annotation(o, PauseAnnotations.PAUSED_BY_UID);
      if (!isOrphan(plan, uid, plans)) {
        continue;
      }
      WorkloadRef ref = Workloads.ref(o);
      PausedWorkload entry = new PausedWorkload();
      boolean[] sameRecord = {true};
      HasMetadata after;
      try {
        after = updates.update(o, x -> {
          sameRecord[0] = plan.equals(annotation(x, PauseAnnotations.PAUSED_BY))
              && java.util.Objects.equals(uid, annotation(x, PauseAnnotations.PAUSED_BY_UID));
          return sameRecord[0] && Resumer.restore(x, ref, plan, entry);
        });
      } catch (KubernetesClientException | IllegalStateException e) {
        out.add(new Outcome(ref, plan, uid, false, "could not be resumed, will retry: " + e.getMessage(), o));
        continue;
      }
      if (after == null || !sameRecord[0]) {
        continue; // deleted, or resumed or re-paused by someone else since it was listed
      }
      out.add(new Outcome(ref, plan, uid, PausedStatus.RESUMED.equals(entry.state), entry.message, after));
    }
    return out;
  }

  static boolean isOrphan(String plan, String uid, Map<String, String> plans) {
    if (!plans.containsKey(plan)) {
      return true;
    }
    return uid != null && !uid.equals(plans.get(plan));
  }

  private static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}
