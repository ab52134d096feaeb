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
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.ReadinessGate;
import io.microshift.update.operator.RollbackStory;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.StepOutcome;
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
  private final ReadinessGate readiness;

  public RollingBackStep(WorkloadHooks hooks, StatusWriter writer,
      EventRecorder events, ReadinessGate readiness) {
    this.hooks = hooks;
    this.writer = writer;
    this.events = events;
    this.readiness = readiness;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    Optional<HostHandoff.HostAnswer> state = observation.answer();
    if (state.isEmpty() || state.get().state() != HostState.Restored) {
      if (state.isPresent() && state.get().state() == HostState.Failed) {
        return StepOutcome.fail(Reason.RestoreFailed, state.get().message());
      }
      String story = state.map(s -> RollbackStory.of(plan, s))
          .orElse("greenboot rolled back; waiting for the host agent to restore MicroShift's data");
      return StepOutcome.stay(Phase.RollingBack, Reason.WaitingForRestore, story, HostStates.POLL);
    }
    HostHandoff.HostAnswer s = state.get();
    ReadinessGate.Readiness ready = readiness.resumeAndWait(plan);
    if (ready.waiting().isPresent()) {
      return StepOutcome.stay(Phase.RollingBack, Reason.WaitingForWorkloads, "data restored; " + ready.waiting().get(),
          HostStates.POLL);
    }
    WorkloadHooks.Outcome outcome = hooks.run(plan, HookPhase.POST_ROLLBACK, writer, events);
    String msg = "rolled back to " + plan.getStatus().fromVersion + ": " + RollbackStory.of(plan, s)
        + "; workloads resumed" + (outcome.ok() ? ", post-rollback hooks ran" : "; a post-rollback hook failed: "
        + outcome.failure());
    StepOutcome rolledBack = StepOutcome.advance(Phase.RolledBack, Reason.RolledBack, msg).withEvents(ready.events());
    return outcome.ok() ? rolledBack
        : rolledBack.withCondition(Conditions.DEGRADED, true, Reason.PostRollbackHookFailed, outcome.failure());
  }
}
