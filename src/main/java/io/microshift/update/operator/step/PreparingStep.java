package io.microshift.update.operator.step;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.HostFacts;
import io.microshift.update.api.Phase;
import io.microshift.update.api.PreviewStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.Conditions;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.HostStates;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.HandoffCheckpoint;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.HostHandoff;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the host to prepare the update before any hook runs or any workload is paused: records
 * the Prepare's sequence in status first (a restarted operator rewrites the same request), writes
 * request.json with action Prepare, and waits for the host agent. {@code Prepared}: on to the
 * pre-update hooks. {@code Failed}: the plan fails with the host's reason, nothing was paused and
 * no hook ran. A dry run ends here: {@code Checked} ends the plan Succeeded with the host's view
 * in the preview.
 */
public final class PreparingStep implements PhaseStep {
  /** A safety net: a change of host-status.json wakes the plan at once ({@link HostStates#POLL}). */
  static final Duration HOST_POLL = HostStates.POLL;

  private final HostHandoff host;
  private final HandoffCheckpoint checkpoint;

  public PreparingStep(HostHandoff host, HandoffCheckpoint checkpoint) {
    this.host = host;
    this.checkpoint = checkpoint;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    HandoffStatus handoff = plan.getStatus().handoff;
    if (handoff == null) {
      handoff = checkpoint.beginHandoff(plan, UpdateRequest.Action.Prepare, host.nextSequence());
    }
    host.writeRequest(plan, handoff.sequence, Handoffs.action(handoff));
    long sequence = handoff.sequence;
    Optional<HostHandoff.HostAnswer> state = observation.answerTo(sequence);
    if (state.isEmpty() || state.get().state() == HostState.Preparing) {
      return StepOutcome.stay(Phase.Preparing, Reason.WaitingForHostPrepare, state.isEmpty()
          ? "request.json written (Prepare, sequence " + sequence + "); waiting for the host agent"
          : "the host is preparing: " + state.get().message(), HOST_POLL);
    }
    HostHandoff.HostAnswer s = state.get();
    boolean dryRun = observation.spec().dryRun();
    if (dryRun) {
      return finishDryRun(plan, s);
    }
    return switch (s.state()) {
      case Prepared -> StepOutcome.advance(Phase.BackingUp, Reason.HostPrepared, s.message());
      case Failed -> StepOutcome.fail(Reason.HostPrepareFailed, "the host could not prepare the update: " + s.message()
          + "; no workload was paused and no hook ran");
      default -> StepOutcome.stay(Phase.Preparing, Reason.WaitingForHostPrepare, "the host is " + s.state(), HOST_POLL);
    };
  }

  private StepOutcome finishDryRun(UpdatePlan plan, HostHandoff.HostAnswer s) {
    PreviewStatus preview = plan.getStatus().preview != null ? plan.getStatus().preview : new PreviewStatus();
    HostFacts f = s.facts();
    if (f != null) {
      preview.backupEstimateBytes = f.requiredBytes;
      preview.freeBytes = f.freeBytes;
      preview.host = f;
    }
    plan.getStatus().preview = preview;
    boolean ok = s.state() == HostState.Checked;
    String msg = "dry run, nothing was changed: " + (preview.versionPath == null ? "" : preview.versionPath + "; ")
        + (ok ? "the host checks passed: " : "the update would fail on the host: ") + s.message();
    StepOutcome outcome = ok ? StepOutcome.advance(Phase.Succeeded, Reason.DryRunComplete, msg)
        : StepOutcome.fail(Reason.DryRunFoundProblems, msg);
    return outcome.withCondition(Conditions.DRY_RUN, true, ok ? Reason.PreviewReady : Reason.PreviewFoundProblems, msg);
  }
}
