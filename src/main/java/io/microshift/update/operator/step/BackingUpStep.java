package io.microshift.update.operator.step;

import io.microshift.update.hooks.HookPhase;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.WorkloadHooks;

/** Runs the workloads' pre-update hooks (their own data backups) while they still run. */
public final class BackingUpStep implements PhaseStep {
  private final WorkloadHooks hooks;
  private final StatusWriter writer;
  private final EventRecorder events;

  public BackingUpStep(WorkloadHooks hooks, StatusWriter writer, EventRecorder events) {
    this.hooks = hooks;
    this.writer = writer;
    this.events = events;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    WorkloadHooks.Outcome outcome = hooks.run(plan, HookPhase.PRE_UPDATE, writer, events);
    if (!outcome.ok()) {
      return StepOutcome.fail(Reason.PreUpdateHookFailed, outcome.failure());
    }
    String msg = "pre-update hooks done"
        + (outcome.continued().isEmpty() ? "" : "; failed but continued: " + String.join(", ", outcome.continued()));
    return StepOutcome.advance(Phase.Pausing, Reason.WorkloadBackupsDone, msg);
  }
}
