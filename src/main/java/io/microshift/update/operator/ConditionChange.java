package io.microshift.update.operator;

/**
 * A condition a decision sets (or clears, {@code clear}) on the plan's status; {@link PlanRecorder}
 * applies it. {@code reason} is a {@link Reason}'s name, or for a failed step the exception's class.
 */
public record ConditionChange(String type, boolean clear, boolean status, String reason, String message) {

  public static ConditionChange set(String type, boolean status, Reason reason, String message) {
    return new ConditionChange(type, false, status, reason.name(), message);
  }

  /** The StepError condition of a step that threw {@code failure}: its class names the reason. */
  public static ConditionChange stepFailed(RuntimeException failure, String message) {
    return new ConditionChange(Conditions.STEP_ERROR, false, true, failure.getClass().getSimpleName(), message);
  }

  public static ConditionChange clear(String type) {
    return new ConditionChange(type, true, false, null, null);
  }
}
