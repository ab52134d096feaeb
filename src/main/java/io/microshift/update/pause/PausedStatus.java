package io.microshift.update.pause;

import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.checkpoint.PlanCheckpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The mirror of the pause records in {@code status.pausedWorkloads}. The objects are the truth. */
final class PausedStatus {
  static final String PAUSED = "Paused";
  static final String RESUMED = "Resumed";
  static final String CONFLICT = "Conflict";

  private PausedStatus() {}

  static Optional<PausedWorkload> find(UpdatePlan plan, WorkloadRef ref) {
    return status(plan).pausedWorkloads.stream()
        .filter(p -> ref.kind().equals(p.kind) && ref.namespace().equals(p.namespace)
            && ref.name().equals(p.name))
        .findFirst();
  }

  /** The entry for ref, added when missing. */
  static PausedWorkload entry(UpdatePlan plan, WorkloadRef ref) {
    return find(plan, ref).orElseGet(() -> {
      PausedWorkload p = new PausedWorkload();
      p.kind = ref.kind();
      p.namespace = ref.namespace();
      p.name = ref.name();
      status(plan).pausedWorkloads.add(p);
      return p;
    });
  }

  static UpdatePlanStatus status(UpdatePlan plan) {
    if (plan.getStatus() == null) {
      plan.setStatus(new UpdatePlanStatus());
    }
    if (plan.getStatus().pausedWorkloads == null) {
      plan.getStatus().pausedWorkloads = new ArrayList<>();
    }
    return plan.getStatus();
  }

  /** What an entry says (state, originals, message), to tell whether a pass changed it. */
  static List<Object> values(PausedWorkload p) {
    return Arrays.asList(p.state, p.originalReplicas, p.originalSuspend, p.message);
  }

  static void save(UpdatePlan plan, PlanCheckpoint checkpoint) {
    checkpoint.save(plan);
  }
}
