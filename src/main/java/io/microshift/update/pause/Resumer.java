package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.BackgroundEvents;
import io.microshift.update.checkpoint.ObjectEvent;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Gives back what the pause recorded, reading the record from the objects themselves (so it
 * works after an operator restart, after etcd was restored, and for a plan being deleted whose
 * status is gone). Each object is restored and its record removed in one update.
 *
 * <p>An object whose replicas (or suspend) someone changed while it was paused is not
 * overwritten: it is reported as a Conflict, left as it is, and its record is removed so that
 * resume does not try again forever. A change back to the recorded value is not a conflict.
 *
 * <p>Each object is updated from the copy the list returned (one request; a stale copy is refused
 * with 409 and the resume redone on a fresh read), and its Event ({@link WorkloadEvents}) is sent
 * in the background ({@link BackgroundEvents}): not waited for, and dropped if the operator stops
 * first.
 */
final class Resumer {
  private final Workloads workloads;
  private final ObjectUpdates updates;

  Resumer(Workloads workloads, ObjectUpdates updates) {
    this.workloads = workloads;
    this.updates = updates;
  }

  ResumeOutcome resume(UpdatePlan plan, PlanCheckpoint checkpoint) {
    String planName = plan.getMetadata().getName();
    List<PausedWorkload> resumed = new ArrayList<>();
    List<PausedWorkload> conflicts = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<HasMetadata> listed = workloads.listAll().stream()
        .filter(o -> planName.equals(annotation(o, PauseAnnotations.PAUSED_BY)))
        .sorted(Comparator.comparing(Workloads::ref, WorkloadRef.ORDER)).toList();
    List<WorkloadRef> recorded = listed.stream().map(Workloads::ref).toList();
    List<ObjectEvent> objectEvents = new ArrayList<>();
    for (HasMetadata object : listed) {
      WorkloadRef ref = Workloads.ref(object);
      PausedWorkload entry = PausedStatus.entry(plan, ref);
      String[] before = {null};
      try {
        HasMetadata after = updates.update(object, o -> {
          before[0] = ref.scalable() ? "replicas " + Workloads.replicas(o) : "suspend " + Workloads.suspended(o);
          boolean ours = restore(o, ref, planName, entry);
          if (!ours) {
            before[0] = null;
          }
          return ours;
        });
        if (after == null) {
          entry.state = PausedStatus.CONFLICT;
          entry.message = "deleted while paused; nothing to restore";
        } else if (before[0] != null && PausedStatus.RESUMED.equals(entry.state)) {
          objectEvents.add(WorkloadEvents.resumed(plan, after, before[0] + " -> " + (ref.scalable()
              ? Integer.toString(Workloads.replicas(after)) : Boolean.toString(Workloads.suspended(after)))));
        } else if (before[0] != null) {
          objectEvents.add(WorkloadEvents.notResumed(plan, after, entry.message));
        }
      } catch (KubernetesClientException | IllegalStateException e) {
        failures.add(ref + ": " + e.getMessage());
        checkpoint.warning(plan, WorkloadReason.WorkloadResumeFailed, ref + " could not be resumed, will retry: " + e.getMessage());
        continue;
      }
      if (PausedStatus.CONFLICT.equals(entry.state)) {
        conflicts.add(entry);
        checkpoint.warning(plan, WorkloadReason.WorkloadResumeConflict, ref + ": " + entry.message);
      } else if (PausedStatus.RESUMED.equals(entry.state)) {
        resumed.add(entry);
      }
    }
    try (BackgroundEvents events = new BackgroundEvents("resume-event-", Math.min(Pauser.PARALLELISM, objectEvents.size()))) {
      objectEvents.forEach(e -> events.send(checkpoint, plan, e)); // not waited for: close() lets them go out
    }
    reconcileStatusOnly(plan, recorded, resumed, conflicts);
    if (!resumed.isEmpty()) {
      checkpoint.normal(plan, WorkloadReason.WorkloadsResumed, "resumed " + resumed.size() + " workloads: "
          + String.join(", ", resumed.stream().map(p -> p.kind + " " + p.namespace + "/" + p.name
              + " (" + p.message + ")").toList()));
    }
    save(plan, checkpoint);
    return new ResumeOutcome(resumed, conflicts, failures);
  }

  /** Edits the object in place; returns false when it no longer carries this plan's record. */
  static boolean restore(HasMetadata o, WorkloadRef ref, String planName, PausedWorkload entry) {
    Map<String, String> a = Pauser.annotations(o);
    if (!planName.equals(a.get(PauseAnnotations.PAUSED_BY))) {
      entry.state = PausedStatus.RESUMED;
      entry.message = "the pause record was removed by someone else; left as it is";
      return false;
    }
    a.remove(PauseAnnotations.PAUSED_BY);
    a.remove(PauseAnnotations.PAUSED_BY_UID);
    if (ref.scalable()) {
      String text = a.remove(PauseAnnotations.ORIGINAL_REPLICAS);
      Integer original = Pauser.parseInt(text);
      int current = Workloads.replicas(o);
      entry.originalReplicas = original;
      if (original == null || original < 0) {
        entry.state = PausedStatus.CONFLICT;
        entry.message = "unreadable record " + PauseAnnotations.ORIGINAL_REPLICAS + "=\"" + text
            + "\"; replicas left at " + current;
      } else if (current != 0 && current != original) {
        entry.state = PausedStatus.CONFLICT;
        entry.message = "replicas were changed to " + current + " while paused (recorded " + original
            + "); left at " + current;
      } else {
        Workloads.setReplicas(o, original);
        entry.state = PausedStatus.RESUMED;
        entry.message = "replicas restored to " + original;
      }
    } else {
      String text = a.remove(PauseAnnotations.ORIGINAL_SUSPEND);
      boolean current = Workloads.suspended(o);
      if (!"true".equals(text) && !"false".equals(text)) {
        entry.state = PausedStatus.CONFLICT;
        entry.message = "unreadable record " + PauseAnnotations.ORIGINAL_SUSPEND + "=\"" + text
            + "\"; suspend left at " + current;
      } else {
        boolean original = Boolean.parseBoolean(text);
        entry.originalSuspend = original;
        if (!current && original) {
          entry.state = PausedStatus.CONFLICT;
          entry.message = "unsuspended while paused (recorded suspend=true); left unsuspended";
        } else {
          Workloads.setSuspend(o, original);
          entry.state = PausedStatus.RESUMED;
          entry.message = "suspend restored to " + original;
        }
      }
    }
    return true;
  }

  /**
   * Status entries still Paused whose object carries no record of this plan: the object is gone,
   * or etcd came back from a copy taken before the pause (then there is nothing to undo).
   */
  private void reconcileStatusOnly(UpdatePlan plan, List<WorkloadRef> recorded,
      List<PausedWorkload> resumed, List<PausedWorkload> conflicts) {
    for (PausedWorkload p : PausedStatus.status(plan).pausedWorkloads) {
      WorkloadRef ref = new WorkloadRef(p.kind, p.namespace, p.name);
      if (!PausedStatus.PAUSED.equals(p.state) || recorded.contains(ref)) {
        continue;
      }
      if (workloads.get(ref) == null) {
        p.state = PausedStatus.CONFLICT;
        p.message = "deleted while paused; nothing to restore";
        conflicts.add(p);
      } else {
        p.state = PausedStatus.RESUMED;
        p.message = "the object carries no pause record (etcd restored from a copy taken before the"
            + " pause, or the record was removed): left as it is";
        resumed.add(p);
      }
    }
  }

  /** A plan that is already gone from the server cannot keep status: that is not a failure. */
  private static void save(UpdatePlan plan, PlanCheckpoint checkpoint) {
    try {
      PausedStatus.save(plan, checkpoint);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  private static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}
