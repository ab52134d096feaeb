package io.microshift.update.operator.step;

import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.OperatorClients;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.PlanDirectory;
import io.microshift.update.operator.SpecValidator;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.WindowSchedule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Validates the spec, waits for its turn (one active plan at a time, first come first served) and
 * for the maintenance window, then freezes the spec into status and starts the plan.
 */
public final class PendingStep implements PhaseStep {
  /** A safety net: the plan ahead ending or being deleted wakes the queued ones at once ({@code PlanWakeups}). */
  static final Duration QUEUE_POLL = Duration.ofSeconds(15);
  static final Duration WINDOW_POLL = Duration.ofMinutes(1);
  static final int MAX_PROBLEMS = 10;
  private static final KubernetesSerialization JSON = OperatorClients.serialization();

  private final PlanDirectory plans;
  private final Clock clock;

  public PendingStep(PlanDirectory plans, Clock clock) {
    this.plans = plans;
    this.clock = clock;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    List<String> problems = SpecValidator.problems(plan.getSpec());
    if (!problems.isEmpty()) {
      return StepOutcome.fail(Reason.InvalidSpec, invalidSpecMessage(problems));
    }
    Optional<UpdatePlan> ahead = firstAhead(plan);
    if (ahead.isPresent()) {
      UpdatePlan other = ahead.get();
      String phase = other.getStatus() == null || other.getStatus().phase == null
          ? "Pending" : other.getStatus().phase.name();
      String msg = "waiting for UpdatePlan " + other.getMetadata().getName() + " (" + phase
          + "): only one plan runs at a time";
      return StepOutcome.stay(Phase.Pending, Reason.Queued, msg, QUEUE_POLL)
          .withCondition(Conditions.QUEUED, true, Reason.WaitingForOtherPlan, msg);
    }
    Instant now = clock.instant();
    Optional<Instant> opening = WindowSchedule.nextOpening(plan.getSpec().maintenanceWindow, now);
    if (opening.isPresent()) {
      String msg = "waiting for the maintenance window, next opening " + opening.get();
      Duration untilOpen = Duration.between(now, opening.get());
      return StepOutcome.stay(Phase.Pending, Reason.OutsideMaintenanceWindow, msg,
          untilOpen.compareTo(WINDOW_POLL) < 0 ? untilOpen.plusMillis(100) : WINDOW_POLL)
          .withCondition(Conditions.QUEUED, true, Reason.OutsideMaintenanceWindow, msg);
    }
    forgetProgress(plan.getStatus());
    plan.getStatus().acceptedSpec = JSON.clone(plan.getSpec());
    plan.getStatus().acceptedGeneration = plan.getMetadata().getGeneration();
    plan.getStatus().startTime = now.toString();
    StepOutcome started = StepOutcome.advance(Phase.Preflight, Reason.Started,
        "plan accepted at generation " + plan.getMetadata().getGeneration());
    for (String stale : List.of(Conditions.QUEUED, Conditions.READY, Conditions.DEGRADED,
        Conditions.SPEC_CHANGE_REFUSED, Conditions.DRY_RUN)) {
      started = started.clearing(stale);
    }
    return started;
  }

  /** The problems, at most {@link #MAX_PROBLEMS} of them (a huge bad list must not make a huge status). */
  static String invalidSpecMessage(List<String> problems) {
    String shown = String.join("; ", problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS)));
    return problems.size() <= MAX_PROBLEMS ? shown
        : shown + "; and " + (problems.size() - MAX_PROBLEMS) + " more problems of the same kind";
  }

  /**
   * A plan that leaves Pending has done nothing yet: whatever status says it did (a status restored
   * from a backup, or written by someone else) is dropped, so no step reuses a request sequence,
   * backup set, hook record or paused workload it did not make (nor shows a condition of an
   * outcome it never had).
   */
  private static void forgetProgress(UpdatePlanStatus st) {
    st.fromVersion = null;
    st.toVersion = null;
    st.backup = null;
    st.hooks = new ArrayList<>();
    st.pausedWorkloads = new ArrayList<>();
    st.handoff = null;
    st.host = null;
    st.preview = null;
    st.workloadsResumedAt = null;
    st.completionTime = null;
  }

  /** An active plan, or an older pending one, that goes before this plan. */
  private Optional<UpdatePlan> firstAhead(UpdatePlan plan) {
    Comparator<UpdatePlan> fifo = Comparator
        .comparing((UpdatePlan p) -> p.getMetadata().getCreationTimestamp(),
            Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(p -> p.getMetadata().getName());
    UpdatePlan firstActive = null;
    UpdatePlan firstPending = null;
    for (UpdatePlan other : plans.all()) {
      if (other.getMetadata().getUid() != null
          && other.getMetadata().getUid().equals(plan.getMetadata().getUid())) {
        continue;
      }
      if (other.getMetadata().getDeletionTimestamp() != null && !isActive(other)) {
        continue;
      }
      if (isActive(other)) {
        firstActive = other;
      } else if (isPending(other) && fifo.compare(other, plan) < 0
          && (firstPending == null || fifo.compare(other, firstPending) < 0)) {
        firstPending = other;
      }
    }
    return Optional.ofNullable(firstActive != null ? firstActive : firstPending);
  }

  private static boolean isActive(UpdatePlan p) {
    return p.getStatus() != null && p.getStatus().phase != null && p.getStatus().phase.isActive();
  }

  private static boolean isPending(UpdatePlan p) {
    return p.getStatus() == null || p.getStatus().phase == null || p.getStatus().phase == Phase.Pending;
  }
}
