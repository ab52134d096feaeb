package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.BackgroundEvents;
import io.microshift.update.checkpoint.ObjectEvent;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scales Deployments and StatefulSets to 0 and suspends CronJobs, recording what was there in
 * annotations on the object in the same update, so that the record and the change are atomic.
 * An object that already carries this plan's record is left as it is: a re-run after a crash
 * never records 0 as the original. Up to {@link #PARALLELISM} objects are updated at once, each
 * from the copy the selection listed (one request; a copy gone stale is refused with 409 and the
 * pause is redone on a fresh read, so neither a concurrent change nor this plan's record is
 * overwritten); {@code status.pausedWorkloads}, the mirror, is saved once, after them all, and
 * only when an entry changed (a re-run while the pods drain writes nothing). The
 * Event on each paused object ({@link WorkloadEvents#paused}) is sent in the background
 * ({@link BackgroundEvents}): the pause neither waits for it nor fails with it, and one still
 * pending when the operator stops is dropped.
 */
final class Pauser {
  /**
   * How many objects are updated at once (each a write on the API server), and how many of their
   * Events are sent at once: the pause's record is on each object, written with its change, so
   * the order does not matter.
   */
  static final int PARALLELISM = 4;

  private final ObjectUpdates updates;

  Pauser(ObjectUpdates updates) {
    this.updates = updates;
  }

  /**
   * Pauses {@code selected}, the objects as the selection listed them (edited in place); returns
   * the outcome with the selected objects as the pause left them: each as its update returned it,
   * or as listed when it was left alone; those found deleted left out.
   */
  Paused pauseListed(UpdatePlan plan, List<HasMetadata> selected, PlanCheckpoint checkpoint) {
    String planName = plan.getMetadata().getName();
    String planUid = plan.getMetadata().getUid();
    List<PausedWorkload> paused = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<ObjectEvent> objectEvents = new ArrayList<>();
    boolean statusChanged = false;
    List<Attempt> attempts = ParallelUpdates.map(selected, PARALLELISM, o -> attempt(o, planName, planUid));
    List<HasMetadata> objects = new ArrayList<>();
    for (Attempt at : attempts) {
      if (at.after() != null) {
        objects.add(at.after());
      }
      WorkloadRef ref = at.ref();
      if (at.error() != null) {
        failures.add(ref + ": " + at.error().getMessage());
        checkpoint.warning(plan, WorkloadReason.WorkloadPauseFailed, ref + " could not be paused: " + at.error().getMessage());
        continue;
      }
      HasMetadata after = at.after();
      if (after == null) {
        skipped.add(ref + ": no longer exists");
        continue;
      }
      if (at.otherPlan() != null) {
        skipped.add(ref + ": already paused by plan " + at.otherPlan() + "; left alone");
        checkpoint.warning(plan, WorkloadReason.WorkloadNotPaused, ref + " is already paused by plan " + at.otherPlan()
            + " (its record is kept; that plan or an administrator must resume it)");
        continue;
      }
      boolean firstRecord = PausedStatus.find(plan, ref).map(p -> !PausedStatus.PAUSED.equals(p.state)).orElse(true);
      PausedWorkload entry = PausedStatus.entry(plan, ref);
      List<Object> before = PausedStatus.values(entry);
      Map<String, String> a = annotations(after);
      entry.originalReplicas = ref.scalable() ? parseInt(a.get(PauseAnnotations.ORIGINAL_REPLICAS)) : null;
      entry.originalSuspend = ref.scalable() ? null : Boolean.valueOf(a.get(PauseAnnotations.ORIGINAL_SUSPEND));
      entry.state = PausedStatus.PAUSED;
      entry.message = ref.scalable()
          ? "scaled from " + entry.originalReplicas + " to 0"
          : "suspended (was suspend=" + entry.originalSuspend + ")";
      paused.add(entry);
      statusChanged |= !before.equals(PausedStatus.values(entry));
      if (firstRecord) {
        // until status.pausedWorkloads records it: also after a crash between the pause and the save
        String change = ref.scalable()
            ? "replicas " + entry.originalReplicas + " -> 0"
            : "suspend " + entry.originalSuspend + " -> true";
        objectEvents.add(WorkloadEvents.paused(plan, after, change));
      }
      if (at.changed()) {
        changed.add(ref + " (" + entry.message + ")");
      }
    }
    try (BackgroundEvents events = new BackgroundEvents("pause-event-", Math.min(PARALLELISM, objectEvents.size()))) {
      objectEvents.forEach(e -> events.send(checkpoint, plan, e)); // not waited for: close() lets them go out
    }
    if (statusChanged) { // a re-run that finds every entry as it was (waiting for the drain) writes nothing
      PausedStatus.save(plan, checkpoint);
    }
    if (!changed.isEmpty()) {
      checkpoint.normal(plan, WorkloadReason.WorkloadsPaused, "paused " + changed.size() + " workloads: "
          + String.join(", ", changed));
    }
    return new Paused(new PauseOutcome(paused, skipped, failures), objects);
  }

  /** A pause's outcome and the selected objects as it left them. */
  record Paused(PauseOutcome outcome, List<HasMetadata> objects) {}

  /**
   * Pauses one object unless it carries a pause record already (this plan's: left as it is;
   * another plan's: named in the result). Called for several objects at once.
   */
  private Attempt attempt(HasMetadata listed, String planName, String planUid) {
    WorkloadRef ref = Workloads.ref(listed);
    String[] otherPlan = {null};
    boolean[] didChange = {false};
    try {
      HasMetadata after = updates.update(listed, o -> {
        otherPlan[0] = null;
        didChange[0] = false;
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
        if (planUid != null) {
          a.put(PauseAnnotations.PAUSED_BY_UID, planUid);
        }
        didChange[0] = true;
        return true;
      });
      return new Attempt(ref, after, otherPlan[0], didChange[0], null);
    } catch (KubernetesClientException | IllegalStateException e) {
      return new Attempt(ref, null, null, false, e);
    }
  }

  /** What pausing one object did: the object after it, another plan's record, or the error. */
  private record Attempt(WorkloadRef ref, HasMetadata after, String otherPlan, boolean changed,
      RuntimeException error) {}

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
