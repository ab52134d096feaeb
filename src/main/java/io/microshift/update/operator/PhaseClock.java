package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** How long a plan has been in its current phase, from status (survives restarts). */
public final class PhaseClock {
  private final Clock clock;

  public PhaseClock(Clock clock) {
    this.clock = clock;
  }

  public Duration timeInPhase(UpdatePlan plan) {
    String since = plan.getStatus().phaseTransitionTime;
    return since == null ? Duration.ZERO : Duration.between(Instant.parse(since), clock.instant());
  }
}
