package io.microshift.update.operator.step;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.HostStates;
import io.microshift.update.operator.RollbackStory;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.HandoffCheckpoint;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.HostHandoff;
import java.time.Duration;
import java.util.Optional;

/**
 * Hands the update to the host: records the request's sequence in status first (so a restarted
 * operator rewrites the same request rather than a new one), then writes request.json, then waits
 * for the host agent to act on it.
 */
public final class AwaitingRebootStep implements PhaseStep {
  /** A safety net: a change of host-status.json wakes the plan at once ({@link HostStates#POLL}). */
  static final Duration HOST_POLL = HostStates.POLL;

  private final HostHandoff host;
  private final HandoffCheckpoint checkpoint;

  public AwaitingRebootStep(HostHandoff host, HandoffCheckpoint checkpoint) {
    this.host = host;
    this.checkpoint = checkpoint;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    HandoffStatus handoff = plan.getStatus().handoff;
    if (handoff == null || Handoffs.action(handoff) == UpdateRequest.Action.Prepare) {
      // after the Prepare: the Apply is a new action, with a new sequence
      handoff = checkpoint.beginHandoff(plan, UpdateRequest.Action.Apply, host.nextSequence());
    }
    host.writeRequest(plan, handoff.sequence, Handoffs.action(handoff));
    StepOutcome outcome = decide(plan, handoff, observation.answerTo(handoff.sequence));
    Optional<String> unchecked = host.uncheckedTarget(plan);
    return unchecked.isEmpty() ? outcome
        : outcome.withCondition(Conditions.TARGET_NOT_CHECKED, true, Reason.OperatorImageUnknown, unchecked.get());
  }

  private static StepOutcome decide(UpdatePlan plan, HandoffStatus handoff, Optional<HostHandoff.HostAnswer> state) {
    if (state.isEmpty()) {
      return StepOutcome.stay(Phase.AwaitingReboot, Reason.RequestWritten,
          "request.json written (sequence " + handoff.sequence + "); waiting for the host agent", HOST_POLL);
    }
    Phase next = HostStates.phaseFor(state.get().state()).orElse(Phase.AwaitingReboot);
    if (next == Phase.Failed) {
      return StepOutcome.fail(Reason.HostUpdateFailed, "the host agent refused or failed the update: "
          + state.get().message());
    }
    if (next == Phase.RollingBack) {
      // a plan restored from the etcd snapshot of this very update: tell what the rollback did
      return StepOutcome.advance(next, Reason.GreenbootRollback, RollbackStory.of(plan, state.get()));
    }
    return StepOutcome.advance(next, Reason.HostAccepted, "the host agent is " + state.get().state()
        + ": " + state.get().message());
  }
}
