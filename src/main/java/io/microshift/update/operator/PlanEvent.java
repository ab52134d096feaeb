package io.microshift.update.operator;

/** A Kubernetes Event about the plan that a decision records ({@link PlanRecorder}). */
public record PlanEvent(boolean warning, Reason reason, String message) {

  public static PlanEvent normal(Reason reason, String message) {
    return new PlanEvent(false, reason, message);
  }

  public static PlanEvent warning(Reason reason, String message) {
    return new PlanEvent(true, reason, message);
  }
}
