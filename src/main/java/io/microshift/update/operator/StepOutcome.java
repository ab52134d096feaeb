package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a step decided, as data for {@link PlanRecorder}: stay in the phase (and look again after
 * {@code requeue}) or move to {@code next}, with the conditions to set or clear and the events to
 * record. {@code reason} names it in the Progressing condition and the transition's Event.
 */
public record StepOutcome(Phase next, Reason reason, String message, Duration requeue,
    List<ConditionChange> conditions, List<PlanEvent> events) {

  public static final Duration SOON = Duration.ofMillis(200);

  public StepOutcome {
    conditions = List.copyOf(conditions);
    events = List.copyOf(events);
  }

  public static StepOutcome stay(Phase current, Reason reason, String message, Duration requeue) {
    return new StepOutcome(current, reason, message, requeue, List.of(), List.of());
  }

  public static StepOutcome advance(Phase next, Reason reason, String message) {
    return new StepOutcome(next, reason, message, SOON, List.of(), List.of());
  }

  public static StepOutcome fail(Reason reason, String message) {
    return new StepOutcome(Phase.Failed, reason, message, null, List.of(), List.of());
  }

  /** This outcome, that also sets condition {@code type}. */
  public StepOutcome withCondition(String type, boolean status, Reason reason, String message) {
    return with(ConditionChange.set(type, status, reason, message));
  }

  /** This outcome, that also removes condition {@code type} (when present). */
  public StepOutcome clearing(String type) {
    return with(ConditionChange.clear(type));
  }

  public StepOutcome with(ConditionChange change) {
    List<ConditionChange> more = new ArrayList<>(conditions);
    more.add(change);
    return new StepOutcome(next, reason, message, requeue, more, events);
  }

  /** This outcome, that also records {@code more} (in this order, before the transition's own event). */
  public StepOutcome withEvents(List<PlanEvent> more) {
    List<PlanEvent> all = new ArrayList<>(events);
    all.addAll(more);
    return new StepOutcome(next, reason, message, requeue, conditions, all);
  }
}
