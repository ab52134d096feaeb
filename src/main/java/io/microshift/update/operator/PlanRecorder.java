package io.microshift.update.operator;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.marker.UpdateRequest;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last part of a reconcile, and the one place that records: it applies a decision's
 * conditions, events, phase transition and metrics to the plan, and saves the status through the
 * status subresource ({@link ApiStatusWriter}, which handles resourceVersion conflicts). Two
 * saves exist: the one at the end of a reconcile ({@link #finish}, only when status changed) and
 * the write-ahead one of a new hand-off ({@link #beginHandoff}), which must be in status before
 * request.json is written.
 */
public final class PlanRecorder implements HandoffCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(PlanRecorder.class);
  private static final KubernetesSerialization JSON = OperatorClients.serialization();

  private final StatusWriter api;
  private final Conditions conditions;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public PlanRecorder(StatusWriter api, Conditions conditions, EventRecorder events, OperatorMetrics metrics,
      Clock clock) {
    this.api = api;
    this.conditions = conditions;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The status as the reconcile found it, for {@link #finish}. */
  public String snapshot(UpdatePlan plan) {
    return JSON.asJson(plan.getStatus());
  }

  /** Saves the status when it differs from {@code snapshot}, and updates the plan's gauges. */
  public void finish(UpdatePlan plan, String snapshot) {
    if (!snapshot.equals(JSON.asJson(plan.getStatus()))) {
      api.save(plan);
    }
    metrics.observe(plan);
  }

  /**
   * The write-ahead save: records a new hand-off for {@code action} with {@code sequence} in status
   * and saves it, so that a restarted operator rewrites the same request rather than a new one.
   * The caller writes request.json after this returns.
   */
  @Override
  public HandoffStatus beginHandoff(UpdatePlan plan, UpdateRequest.Action action, long sequence) {
    HandoffStatus handoff = new HandoffStatus();
    handoff.sequence = sequence;
    handoff.action = action.name();
    handoff.writtenAt = clock.instant().toString();
    plan.getStatus().handoff = handoff;
    api.save(plan);
    return handoff;
  }

  /** A deleted plan's gauges go. */
  public void forget(UpdatePlan plan) {
    metrics.forget(plan.getMetadata().getName());
  }

  /** The writer the workload hooks and pausing use for their own write-ahead records. */
  public StatusWriter checkpoints() {
    return api;
  }

  /** The recorder the workload hooks and pausing use for events on the objects they act on. */
  public EventRecorder objectEvents() {
    return events;
  }

  /** The outcome's conditions and events, then its stay (message, Progressing) or its transition. */
  public void record(UpdatePlan plan, StepOutcome outcome) {
    recordConditionsAndEvents(plan, outcome);
    if (outcome.next() == plan.getStatus().phase) {
      stay(plan, outcome.reason(), outcome.message());
    } else {
      transition(plan, outcome.next(), outcome.reason(), outcome.message());
    }
  }

  /** Only the outcome's conditions and events (the caller decides on its phase). */
  public void recordConditionsAndEvents(UpdatePlan plan, StepOutcome outcome) {
    outcome.conditions().forEach(c -> apply(plan, c));
    outcome.events().forEach(e -> event(plan, e));
  }

  public void apply(UpdatePlan plan, ConditionChange change) {
    if (change.clear()) {
      conditions.clear(plan, change.type());
    } else {
      conditions.set(plan, change.type(), change.status(), change.reason(), change.message());
    }
  }

  public void event(UpdatePlan plan, PlanEvent event) {
    if (event.warning()) {
      events.warning(plan, event.reason().name(), event.message());
    } else {
      events.normal(plan, event.reason().name(), event.message());
    }
  }

  private void stay(UpdatePlan plan, Reason reason, String message) {
    UpdatePlanStatus st = plan.getStatus();
    st.message = message;
    conditions.set(plan, Conditions.PROGRESSING, st.phase.isActive(), reason.name(), message);
  }

  /** Moves the plan to {@code next}: phase, conditions, the Event, the metrics and a log line. */
  public void transition(UpdatePlan plan, Phase next, Reason reason, String message) {
    UpdatePlanStatus st = plan.getStatus();
    Phase from = st.phase;
    String fromSince = st.phaseTransitionTime;
    st.phase = next;
    st.phaseTransitionTime = clock.instant().toString();
    st.message = message;
    conditions.set(plan, Conditions.PROGRESSING, next.isActive(), reason.name(), message);
    if (next.isTerminal()) {
      st.completionTime = clock.instant().toString();
      conditions.set(plan, Conditions.READY, next == Phase.Succeeded, reason.name(), message);
      if (next != Phase.Succeeded) {
        conditions.set(plan, Conditions.DEGRADED, true, reason.name(), message);
      }
    }
    boolean warning = next == Phase.Failed || next == Phase.RolledBack || next == Phase.RollingBack;
    event(plan, new PlanEvent(warning, reason, from + " -> " + next + ": " + message));
    metrics.transition(plan, from, next, fromSince, clock.instant());
    LOG.atInfo().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("from", from)
        .addKeyValue("to", next).addKeyValue("reason", reason).log(message);
  }
}
