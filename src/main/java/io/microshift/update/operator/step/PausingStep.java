package io.microshift.update.operator.step;

import io.microshift.update.api.BackupStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.BackupIds;
import io.microshift.update.operator.EffectiveSpec;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.PhaseClock;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.WorkloadPausing;
import java.time.Duration;

/**
 * Stops the selected workloads and waits (bounded) until their pods are gone. The etcd snapshot
 * is the host agent's, on Apply (after this pause, so it holds the paused objects with their
 * recorded replicas and a rollback to it still knows what to resume); this step records the
 * plan's backup set id, which the Apply names.
 */
public final class PausingStep implements PhaseStep {
  /**
   * A safety net: a pod's deletion wakes the plan at once (the operator's pod informer,
   * {@code PodEvents}); the requeue also never waits past the drain timeout.
   */
  static final Duration DRAIN_POLL = Duration.ofSeconds(15);

  private final WorkloadPausing pausing;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final PhaseClock phaseClock;

  public PausingStep(WorkloadPausing pausing,
      StatusWriter writer, EventRecorder events, PhaseClock phaseClock) {
    this.pausing = pausing;
    this.writer = writer;
    this.events = events;
    this.phaseClock = phaseClock;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    EffectiveSpec spec = observation.spec();
    String running = pausing.pause(plan, writer, events);
    if (running != null) {
      Duration waited = phaseClock.timeInPhase(plan);
      if (waited.compareTo(spec.drainTimeout()) > 0) {
        return StepOutcome.fail(Reason.DrainTimeout, "pods of paused workloads still running after "
            + spec.drainTimeout().toSeconds() + "s: " + running
            + "; check their terminationGracePeriodSeconds or raise spec.workloads.drainTimeout");
      }
      Duration untilTimeout = spec.drainTimeout().minus(waited).plusMillis(100);
      Duration next = untilTimeout.compareTo(DRAIN_POLL) < 0 ? untilTimeout : DRAIN_POLL;
      return StepOutcome.stay(Phase.Pausing, Reason.WaitingForPodsToStop, "waiting for pods to stop: " + running, next);
    }
    String backupId = BackupIds.forPlan(plan);
    BackupStatus summary = new BackupStatus();
    summary.id = backupId;
    summary.etcdSnapshot = false; // the host agent takes it on Apply; status.host.facts shows it
    plan.getStatus().backup = summary;
    String msg = "workloads paused; the host takes the etcd snapshot into backup set " + backupId + " on Apply";
    return StepOutcome.advance(Phase.AwaitingReboot, Reason.WorkloadsPaused, msg);
  }
}
