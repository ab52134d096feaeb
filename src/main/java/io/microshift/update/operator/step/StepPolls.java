package io.microshift.update.operator.step;

import java.time.Duration;

/** The steps' requeue delays while they wait (safety nets behind the operator's event sources). */
public final class StepPolls {
  private StepPolls() {}

  public static Duration preparing() {
    return PreparingStep.HOST_POLL;
  }

  public static Duration awaitingReboot() {
    return AwaitingRebootStep.HOST_POLL;
  }

  public static Duration drain() {
    return PausingStep.DRAIN_POLL;
  }

  public static Duration queue() {
    return PendingStep.QUEUE_POLL;
  }
}
