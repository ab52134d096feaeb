package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scales Deployments and StatefulSets to 0 and suspends CronJobs, recording what was there in
 * annotations on the object in the same update, so that the record and the change are atomic.
 * An object that already carries this plan's record is left as it is: a re-run after a crash
 * never records 0 as the original.
 */
final class Pauser {
  private final ObjectUpdates updates;

  Pauser(ObjectUpdates updates) {
    this.updates = updates;
  }

  PauseOutcome pause(UpdatePlan plan, List<WorkloadRef> selected, StatusWriter writer,
      EventRecorder events) {
    String planName = plan.getMetadata().getName();
    List<PausedWorkload> paused = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (WorkloadRef ref : selected) {
      String[] otherPlan = {null};
      boolean[] didChange = {false};
      HasMetadata after;
      try {
        after = updates.update(ref, o -> {
          otherPlan[0] = null;
          Map<String, String> a = annotations(o);
          String by = a.get(PauseAnnotations.PAUSED_BY);
          if (by != null) {
            otherPlan[0] = by.equals(planName) ? null : by;
            return false;
          }
          if (ref.scalable()) {
            a.put(PauseAnnotations.ORIGINAL_REPLICAS, Integer.toString(Workloads.replicas(o)));
            Workloads.setReplicas(o, 0);
          } else {
            a.put(PauseAnnotations.ORIGINAL_SUSPEND, Boolean.toString(Workloads.suspended(o)));
            Workloads.setSuspend(o, true);
          }
          a.put(PauseAnnotations.PAUSED_BY, planName);
          if (plan.getMetadata().getUid() != null) {
            a.put(PauseAnnotations.PAUSED_BY_UID, plan.getMetadata().getUid());
          }
          didChange[0] = true;
          return true;
        });
      } catch (KubernetesClientException | IllegalStateException e) {
        failures.add(ref + ": " + e.getMessage());
        events.warning(plan, "WorkloadPauseFailed", ref + " could not be paused: " + e.getMessage());
        continue;
      }
      if (after == null) {
        skipped.add(ref + ": no longer exists");
        continue;
      }
      if (otherPlan[0] != null) {
        skipped.add(ref + ": already paused by plan " + otherPlan[0] + "; left alone");
        events.warning(plan, "WorkloadNotPaused", ref + " is already paused by plan " + otherPlan[0]
            + " (its record is kept; that plan or an administrator must resume it)");
        continue;
      }
      boolean firstRecord = PausedStatus.find(plan, ref).map(p -> !PausedStatus.PAUSED.equals(p.state)).orElse(true);
      PausedWorkload entry = PausedStatus.entry(plan, ref);
      Map<String, String> a = annotations(after);
      entry.originalReplicas = ref.scalable() ? parseInt(a.get(PauseAnnotations.ORIGINAL_REPLICAS)) : null;
      entry.originalSuspend = ref.scalable() ? null : Boolean.valueOf(a.get(PauseAnnotations.ORIGINAL_SUSPEND));
      entry.state = PausedStatus.PAUSED;
      entry.message = ref.scalable()
          ? "scaled from " + entry.originalReplicas + " to 0"
          : "suspended (was suspend=" + entry.originalSuspend + ")";
      paused.add(entry);
      if (firstRecord) {
        // until status.pausedWorkloads records it: also after a crash between the pause and the save
        WorkloadEvents.paused(events, plan, after, ref.scalable()
            ? "replicas " + entry.originalReplicas + " -> 0"
            : "suspend " + entry.originalSuspend + " -> true");
      }
      if (didChange[0]) {
        changed.add(ref + " (" + entry.message + ")");
      }
    }
    if (!paused.isEmpty()) {
      PausedStatus.save(plan, writer);
    }
    if (!changed.isEmpty()) {
      events.normal(plan, "WorkloadsPaused", "paused " + changed.size() + " workloads: "
          + String.join(", ", changed));
    }
    return new PauseOutcome(paused, skipped, failures);
  }

  static Map<String, String> annotations(HasMetadata o) {
    if (o.getMetadata().getAnnotations() == null) {
      o.getMetadata().setAnnotations(new HashMap<>());
    }
    return o.getMetadata().getAnnotations();
  }

  static Integer parseInt(String s) {
    try {
      return s == null ? null : Integer.valueOf(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
