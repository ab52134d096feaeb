package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.port.WorkloadPausing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Resumes the paused workloads and holds the post-update or post-rollback hooks until their pods
 * are ready again (a hook is only found on a pod that runs), for at most the plan's health-check
 * timeout from the resume; after that the hooks run on what is ready and the plan says so.
 */
public final class ReadinessGate {
  private final WorkloadPausing pausing;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final Clock clock;

  public ReadinessGate(WorkloadPausing pausing, StatusWriter writer, EventRecorder events, Clock clock) {
    this.pausing = pausing;
    this.writer = writer;
    this.events = events;
    this.clock = clock;
  }

  /**
   * What the plan still waits for ({@code waiting}; empty when hooks may run), and the events to
   * record about it.
   */
  public record Readiness(Optional<String> waiting, List<PlanEvent> events) {
    static Readiness ready(List<PlanEvent> events) {
      return new Readiness(Optional.empty(), events);
    }
  }

  public Readiness resumeAndWait(UpdatePlan plan) {
    pausing.resume(plan, writer, events);
    if (plan.getStatus().workloadsResumedAt == null) {
      plan.getStatus().workloadsResumedAt = clock.instant().toString();
    }
    String waiting = pausing.notReady(plan);
    if (waiting == null) {
      return Readiness.ready(List.of());
    }
    Duration waited = Duration.between(Instant.parse(plan.getStatus().workloadsResumedAt), clock.instant());
    if (waited.compareTo(EffectiveSpec.of(plan).healthCheckTimeout()) < 0) {
      return new Readiness(Optional.of("waiting for resumed workloads to be ready: " + waiting), List.of());
    }
    return Readiness.ready(List.of(PlanEvent.warning(Reason.WorkloadsNotReady, "workloads not ready after "
        + waited.toSeconds() + "s, running hooks on the pods that are: " + waiting)));
  }
}
