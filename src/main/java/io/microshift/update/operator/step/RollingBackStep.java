package io.microshift.update.operator.step;

import io.microshift.update.hooks.HookPhase;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.HostStates;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.ReadinessGate;
import io.microshift.update.operator.RollbackStory;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.StepResult;
import io.microshift.update.operator.port.HostHandoff;
import io.microshift.update.operator.port.WorkloadHooks;
import java.util.Optional;

/**
 * greenboot fell back to the previous deployment. Once the host agent restored MicroShift's data
 * (Restored), the workloads are resumed and their post-rollback hooks restore their own data.
 */
public final class RollingBackStep implements PhaseStep {

  private final WorkloadHooks hooks;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final Conditions conditions;
  private final ReadinessGate readiness;

  public RollingBackStep(WorkloadHooks hooks, StatusWriter writer,
      EventRecorder events, Conditions conditions, ReadinessGate readiness) {
    this.hooks = hooks;
    this.writer = writer;
    this.events = events;
    this.conditions = conditions;
    this.readiness = readiness;
  }

  @Override
  public StepResult execute(UpdatePlan plan, Observation observation) {
    Optional<HostHandoff.HostAnswer> state = observation.answer();
    if (state.isEmpty() || state.get().state() != HostState.Restored) {
      if (state.isPresent() && state.get().state() == HostState.Failed) {
        return StepResult.fail("RestoreFailed", state.get().message());
      }
      return StepResult.stay(Phase.RollingBack, "WaitingForRestore",
          "greenboot rolled back; waiting for the host agent to restore MicroShift's data", HostStates.POLL);
    }
    HostHandoff.HostAnswer s = state.get();
    Optional<String> waiting = readiness.resumeAndWait(plan);
    if (waiting.isPresent()) {
      return StepResult.stay(Phase.RollingBack, "WaitingForWorkloads", "data restored; " + waiting.get(), HostStates.POLL);
    }
    WorkloadHooks.Outcome outcome = hooks.run(plan, HookPhase.POST_ROLLBACK, writer, events);
    if (!outcome.ok()) {
      conditions.set(plan, Conditions.DEGRADED, true, "PostRollbackHookFailed", outcome.failure());
    }
    String msg = "rolled back to " + plan.getStatus().fromVersion + ": " + RollbackStory.of(plan, s)
        + "; workloads resumed" + (outcome.ok() ? ", post-rollback hooks ran" : "; a post-rollback hook failed: "
        + outcome.failure());
    return StepResult.advance(Phase.RolledBack, "RolledBack", msg);
  }
}
