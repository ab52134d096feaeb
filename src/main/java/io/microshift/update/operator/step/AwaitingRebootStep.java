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
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.StepResult;
import io.microshift.update.operator.port.HostHandoff;
import java.time.Clock;
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
  private final StatusWriter writer;
  private final Conditions conditions;
  private final Clock clock;

  public AwaitingRebootStep(HostHandoff host, StatusWriter writer, Conditions conditions, Clock clock) {
    this.host = host;
    this.writer = writer;
    this.conditions = conditions;
    this.clock = clock;
  }

  @Override
  public StepResult execute(UpdatePlan plan, Observation observation) {
    HandoffStatus handoff = plan.getStatus().handoff;
    if (handoff == null || Handoffs.action(handoff) == UpdateRequest.Action.Prepare) {
      // after the Prepare: the Apply is a new action, with a new sequence
      handoff = Handoffs.begin(plan, host, clock, UpdateRequest.Action.Apply);
      host.uncheckedTarget(plan).ifPresent(why ->
          conditions.set(plan, Conditions.TARGET_NOT_CHECKED, true, "OperatorImageUnknown", why));
      writer.save(plan);
    }
    host.writeRequest(plan, handoff.sequence, Handoffs.action(handoff));
    Optional<HostHandoff.HostAnswer> state = observation.answerTo(handoff.sequence);
    if (state.isEmpty()) {
      return StepResult.stay(Phase.AwaitingReboot, "RequestWritten",
          "request.json written (sequence " + handoff.sequence + "); waiting for the host agent", HOST_POLL);
    }
    Phase next = HostStates.phaseFor(state.get().state()).orElse(Phase.AwaitingReboot);
    if (next == Phase.Failed) {
      return StepResult.fail("HostUpdateFailed", "the host agent refused or failed the update: "
          + state.get().message());
    }
    if (next == Phase.RollingBack) {
      // a plan restored from the etcd snapshot of this very update: tell what the rollback did
      return StepResult.advance(next, "GreenbootRollback", RollbackStory.of(plan, state.get()));
    }
    return StepResult.advance(next, "HostAccepted", "the host agent is " + state.get().state()
        + ": " + state.get().message());
  }
}
