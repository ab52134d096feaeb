package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import java.time.Duration;

/**
 * What a step decided: stay in the phase (and look again after {@code requeue}) or move to
 * {@code next}. {@code reason} is an UpperCamelCase word for conditions and events.
 */
public record StepResult(Phase next, String reason, String message, Duration requeue) {

  public static final Duration SOON = Duration.ofMillis(200);

  public static StepResult stay(Phase current, String reason, String message, Duration requeue) {
    return new StepResult(current, reason, message, requeue);
  }

  public static StepResult advance(Phase next, String reason, String message) {
    return new StepResult(next, reason, message, SOON);
  }

  public static StepResult fail(String reason, String message) {
    return new StepResult(Phase.Failed, reason, message, null);
  }
}
