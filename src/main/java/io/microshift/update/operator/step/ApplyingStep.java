package io.microshift.update.operator.step;

import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.HostStates;
import io.microshift.update.operator.RollbackStory;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.HostHandoff;
import java.util.Optional;

/** The host stages the update and reboots; the operator only watches host-status.json. */
public final class ApplyingStep implements PhaseStep {
  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    Optional<HostHandoff.HostAnswer> state = observation.answer();
    if (state.isEmpty()) {
      return HostStates.waitingForHost(Phase.Applying);
    }
    HostHandoff.HostAnswer s = state.get();
    Phase next = HostStates.phaseFor(s.state()).orElse(Phase.Applying);
    if (next == Phase.Failed) {
      return StepOutcome.fail(Reason.HostUpdateFailed, s.message());
    }
    if (next == Phase.Applying) {
      return StepOutcome.stay(Phase.Applying, Reason.host(s.state()), "host: " + s.state() + ": " + s.message(), HostStates.POLL);
    }
    if (next == Phase.RollingBack) {
      return StepOutcome.advance(next, Reason.GreenbootRollback, RollbackStory.of(plan, s));
    }
    return StepOutcome.advance(next, Reason.host(s.state()), "host: " + s.state() + ": " + s.message());
  }
}
