package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes-style conditions on a plan's status: lastTransitionTime changes only when the
 * condition's status does.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String QUEUED = "Queued";
  public static final String SPEC_CHANGE_REFUSED = "SpecChangeRefused";
  public static final String DRY_RUN = "DryRun";
  public static final String DELETION_BLOCKED = "DeletionBlocked";
  /** The request lets the host skip a check of the target (host.TargetImagesCheck); a warning. */
  public static final String TARGET_NOT_CHECKED = "TargetNotChecked";
  /** The current step failed and is retried (its reason: {@link Reason#MarkerRefused} or the exception's class). */
  public static final String STEP_ERROR = "StepError";

  private final Clock clock;

  public Conditions(Clock clock) {
    this.clock = clock;
  }

  public void set(UpdatePlan plan, String type, boolean status, String reason, String message) {
    UpdatePlanStatus st = plan.getStatus();
    String value = status ? "True" : "False";
    Condition existing = find(st, type).orElse(null);
    String transition = existing != null && value.equals(existing.getStatus())
        ? existing.getLastTransitionTime()
        : Instant.now(clock).toString();
    Condition updated = new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(plan.getMetadata().getGeneration())
        .withLastTransitionTime(transition)
        .build();
    if (existing != null) {
      st.conditions.set(st.conditions.indexOf(existing), updated);
    } else {
      st.conditions.add(updated);
    }
  }

  /** Removes a condition that no longer applies. */
  public void clear(UpdatePlan plan, String type) {
    plan.getStatus().conditions.removeIf(c -> Objects.equals(type, c.getType()));
  }

  public static Optional<Condition> find(UpdatePlanStatus status, String type) {
    return status.conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }

  public static boolean isTrue(UpdatePlanStatus status, String type) {
    return find(status, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
