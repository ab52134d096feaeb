package io.microshift.update.operator;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.HostReport;
import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.port.HostHandoff;
import io.microshift.update.operator.port.WorkloadPausing;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one plan one step at a time: observe ({@link PlanObserver}: the marker files read once),
 * decide (the phase's {@link PhaseStep} returns a {@link StepOutcome}), record ({@link
 * PlanRecorder}: conditions, events, metrics, the status save). All progress lives in status and
 * in the host's marker files, so the operator can be killed at any instant, and a cluster whose
 * etcd was restored to a pre-update copy continues from what the host reports.
 */
public final class PlanStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(PlanStateMachine.class);
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(10);

  private final Map<Phase, PhaseStep> steps;
  private final HostHandoff host;
  private final PlanObserver observer;
  private final WorkloadPausing pausing;
  private final PlanRecorder recorder;
  private final Clock clock;

  public PlanStateMachine(Map<Phase, PhaseStep> steps, HostHandoff host, WorkloadPausing pausing,
      PlanRecorder recorder, Clock clock) {
    this.steps = steps;
    this.host = host;
    this.observer = new PlanObserver(host);
    this.pausing = pausing;
    this.recorder = recorder;
    this.clock = clock;
  }

  /** Runs the current phase's step once; returns when to look again (null: never, terminal). */
  public Duration advance(UpdatePlan plan) {
    return advance(plan, List.of());
  }

  /**
   * As {@link #advance}, for a plan whose deletion waits for the host's outcome: the
   * DeletionBlocked condition says so.
   */
  public Duration advanceWhileDeletionBlocked(UpdatePlan plan) {
    return advance(plan, List.of(ConditionChange.set(Conditions.DELETION_BLOCKED, true, Reason.HostIsUpdating,
        "the host agent is applying this plan; it is deleted once the update has an outcome")));
  }

  private Duration advance(UpdatePlan plan, List<ConditionChange> also) {
    String before = recorder.snapshot(plan);
    String unreadable = plan.getStatus() == null ? null : plan.getStatus().unreadable;
    UpdatePlanStatus st = ensureStatus(plan);
    also.forEach(c -> recorder.apply(plan, c));
    Long previouslyObserved = st.observedGeneration;
    st.observedGeneration = plan.getMetadata().getGeneration();
    refuseLateSpecChanges(plan, previouslyObserved);
    Observation observation = observer.observe(plan, unreadable);
    try {
      return decide(plan, observation);
    } catch (RuntimeException e) {
      return stepError(plan, e);
    } finally {
      recorder.finish(plan, before);
    }
  }

  private Duration decide(UpdatePlan plan, Observation observation) {
    UpdatePlanStatus st = plan.getStatus();
    // a refused marker file is data: a StepError condition that says what is wrong (the plan waits)
    Optional<String> refused = st.phase.isTerminal() ? Optional.empty() : observation.refusedMarker();
    if (refused.isPresent()) {
      return markerRefused(plan, refused.get());
    }
    refuseUntrustedStatus(plan, observation);
    resyncFromHost(plan, observation);
    if (st.phase.isTerminal()) {
      return null;
    }
    // a clean step: the StepError of an earlier one goes
    StepOutcome outcome = steps.get(st.phase).execute(plan, observation).clearing(Conditions.STEP_ERROR);
    record(plan, outcome, observation);
    return st.phase.isTerminal() ? null : outcome.requeue();
  }

  /**
   * Deletion of a plan that was not handed off: resume what it paused and withdraw its request.
   * Returns false when the host already acts on it (deletion must wait for the outcome).
   */
  public boolean release(UpdatePlan plan) {
    ensureStatus(plan);
    Observation observation = observer.observe(plan, null);
    observation.refusedMarker().filter(r -> !plan.getStatus().phase.isTerminal()).ifPresent(r -> {
      throw new IllegalStateException(r); // JOSDK retries the clean-up: the operator does not act on it
    });
    resyncFromHost(plan, observation);
    Phase phase = plan.getStatus().phase;
    if (phase.isHandedOff()) {
      return false;
    }
    rewind(plan, observation);
    recorder.forget(plan);
    return true;
  }

  private UpdatePlanStatus ensureStatus(UpdatePlan plan) {
    if (plan.getStatus() == null || plan.getStatus().unreadable != null) {
      plan.setStatus(new UpdatePlanStatus());
    }
    UpdatePlanStatus st = plan.getStatus();
    if (st.phase == null) {
      st.phase = Phase.Pending;
      st.phaseTransitionTime = clock.instant().toString();
      st.message = "waiting to start";
    }
    return st;
  }

  private void refuseLateSpecChanges(UpdatePlan plan, Long previouslyObserved) {
    UpdatePlanStatus st = plan.getStatus();
    Long generation = plan.getMetadata().getGeneration();
    if (st.acceptedGeneration != null && !Objects.equals(generation, st.acceptedGeneration)
        && st.phase != Phase.Pending && !st.phase.isTerminal()) {
      recorder.apply(plan, ConditionChange.set(Conditions.SPEC_CHANGE_REFUSED, true, Reason.PlanAlreadyStarted,
          "spec changed to generation " + generation + " after the plan started at generation "
              + st.acceptedGeneration + "; the change is not applied. To update differently, wait for"
              + " the outcome (or delete the plan before the hand-off) and create a new plan"));
    } else if (st.phase.isTerminal() && previouslyObserved != null && generation != null
        && !Objects.equals(generation, previouslyObserved)
        && plan.getMetadata().getDeletionTimestamp() == null) {
      // e.g. a Failed InvalidSpec plan whose spec was corrected: a plan runs once
      recorder.apply(plan, ConditionChange.set(Conditions.SPEC_CHANGE_REFUSED, true, Reason.PlanEnded,
          "spec changed to generation " + generation + " after the plan ended " + st.phase
              + "; a plan runs once and the change is not applied. Delete this plan and create a"
              + " new one with the corrected spec"));
    }
  }

  /**
   * A status the operator did not write ({@link PlanObserver#trustVerdict}) is not acted on: the
   * plan ends Failed at once, undoing only what is provably this plan's: the workloads that carry
   * its pause annotation are resumed, and (if it ever left Pending) a request.json of its own uid
   * that the host has not acted on is withdrawn (never another plan's request).
   */
  private void refuseUntrustedStatus(UpdatePlan plan, Observation observation) {
    UpdatePlanStatus st = plan.getStatus();
    Optional<Observation.Distrust> distrust = observation.untrustedStatus();
    if (distrust.isEmpty()) {
      return;
    }
    if (st.acceptedSpec == null || st.acceptedGeneration == null) {
      // never left Pending: no request of this plan can exist, the host is not touched at all
      pausing.resume(plan, recorder.checkpoints(), recorder.objectEvents());
    } else {
      rewind(plan, observation);
    }
    if (st.acceptedSpec != null && !SpecValidator.problems(st.acceptedSpec).isEmpty()) {
      st.acceptedSpec = null; // the CRD's status schema would refuse it: the Failed status must be writable
    }
    recorder.transition(plan, Phase.Failed, Reason.UntrustedStatus, "status"
        + (distrust.get().unreadable() ? "" : ".phase " + st.phase) + " was not written by this operator for"
        + " this plan (" + distrust.get().why() + "); nothing was done. To run this update, delete the plan and"
        + " create it again without status");
  }

  /** The host's marker is the truth once the host acted on this plan (e.g. after an etcd restore). */
  private void resyncFromHost(UpdatePlan plan, Observation observation) {
    UpdatePlanStatus st = plan.getStatus();
    Optional<HostHandoff.HostAnswer> state = st.phase.isTerminal() ? Optional.empty() : observation.answer();
    if (state.isEmpty()) {
      return;
    }
    HostHandoff.HostAnswer s = state.get();
    st.host = report(s);
    List<HostUpdateRecord> updates = observation.hostHistory();
    st.host.history = updates.isEmpty() ? null : updates;
    if (st.phase == Phase.Preparing && st.handoff != null && st.handoff.sequence != null
        && s.sequence() == st.handoff.sequence) {
      return; // the host's answer to this plan's Prepare (Failed included): PreparingStep reads it
    }
    if (s.state() != null && s.state().answersPrepare()) {
      // the host prepared (or checks) while the plan runs its hooks and pauses: nothing to catch up,
      // except a status that fell behind to before the Prepare (a restored etcd)
      if (st.phase == Phase.Pending || st.phase == Phase.Preflight) {
        if (st.handoff == null) {
          st.handoff = new HandoffStatus();
          st.handoff.sequence = s.sequence();
          st.handoff.action = UpdateRequest.Action.Prepare.name();
        }
        recorder.transition(plan, Phase.Preparing, Reason.ResumedFromHostStatus, "status was behind the host (restored etcd"
            + " or lost status update); continuing from host state " + s.state());
      }
      return;
    }
    if (Transitions.isBeforeHandoff(st.phase) && st.phase != Phase.AwaitingReboot) {
      Phase target = HostStates.phaseFor(s.state()).orElse(Phase.Applying);
      if (st.handoff == null) {
        st.handoff = new HandoffStatus();
        st.handoff.sequence = s.sequence();
        st.handoff.action = UpdateRequest.Action.Apply.name();
      }
      if (target == Phase.Failed) {
        rewind(plan, observation);
      }
      recorder.transition(plan, target, Reason.ResumedFromHostStatus, "status was behind the host (restored etcd"
          + " or lost status update); continuing from host state " + s.state());
    }
  }

  /** A marker file the operator refuses: a StepError condition that says what is wrong; the phase waits. */
  private Duration markerRefused(UpdatePlan plan, String refusal) {
    UpdatePlanStatus st = plan.getStatus();
    LOG.atWarn().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("phase", st.phase)
        .log("marker file refused, will retry: {}", refusal.replace('\n', ' '));
    recorder.record(plan, StepOutcome.stay(st.phase, Reason.StepError, st.message, ERROR_BACKOFF)
        .withCondition(Conditions.STEP_ERROR, true, Reason.MarkerRefused, "phase " + st.phase + " waits: " + refusal
            + "\nThe operator does not act on a marker file it refuses. Check the file and the host agent's log"
            + " (journalctl -u microshift-update-apply -u microshift-update-boot); retrying in "
            + ERROR_BACKOFF.toSeconds() + "s"));
    return ERROR_BACKOFF;
  }

  /** Records the failure in a StepError condition and keeps the phase; the step is retried after a back-off. */
  private Duration stepError(UpdatePlan plan, RuntimeException e) {
    UpdatePlanStatus st = plan.getStatus();
    if (e instanceof MarkerProblems refused) {
      return markerRefused(plan, refused.getMessage()); // a marker file refused while a step wrote one
    }
    LOG.atWarn().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("phase", st.phase)
        .setCause(e).log("step failed, will retry");
    recorder.record(plan, StepOutcome.stay(st.phase, Reason.StepError, st.message, ERROR_BACKOFF)
        .with(ConditionChange.stepFailed(e, "phase " + st.phase + " failed, retrying: " + e.getMessage())));
    return ERROR_BACKOFF;
  }

  /** A step's outcome: within the transition table, or the plan fails (and what it paused is resumed). */
  private void record(UpdatePlan plan, StepOutcome outcome, Observation observation) {
    UpdatePlanStatus st = plan.getStatus();
    if (outcome.next() == st.phase) {
      recorder.record(plan, outcome);
      return;
    }
    recorder.recordConditionsAndEvents(plan, outcome);
    if (!Transitions.allowed(st.phase, outcome.next())) {
      LOG.atError().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("from", st.phase)
          .addKeyValue("to", outcome.next()).log("step asked for a transition outside the table");
      rewind(plan, observation);
      recorder.transition(plan, Phase.Failed, Reason.InternalError, "internal error: transition " + st.phase + " -> "
          + outcome.next() + " is not allowed; workloads resumed. Please report this");
      return;
    }
    if (outcome.next() == Phase.Failed) {
      rewind(plan, observation);
    }
    recorder.transition(plan, outcome.next(), outcome.reason(), outcome.message());
  }

  /**
   * Undoes what a plan that did not hand off did: workloads resumed and, while it waits in
   * AwaitingReboot, its request withdrawn (a request the host has not acted on).
   */
  private void rewind(UpdatePlan plan, Observation observation) {
    UpdatePlanStatus st = plan.getStatus();
    pausing.resume(plan, recorder.checkpoints(), recorder.objectEvents());
    HandoffStatus handoff = st.handoff;
    // a Prepare the host staged, or an Apply it has not acted on: Cancel removes what is staged
    boolean prepared = handoff != null && is(handoff, UpdateRequest.Action.Prepare) && Transitions.isBeforeHandoff(st.phase)
        && observation.hostState().map(s -> s == HostState.Preparing || s == HostState.Prepared).orElse(true);
    boolean applyNotActedOn = st.phase == Phase.AwaitingReboot && handoff != null && is(handoff, UpdateRequest.Action.Apply)
        && observation.answerTo(handoff.sequence).isEmpty();
    if (prepared || applyNotActedOn) {
      HandoffStatus cancel = recorder.beginHandoff(plan, UpdateRequest.Action.Cancel, host.nextSequence());
      host.writeRequest(plan, cancel.sequence, UpdateRequest.Action.Cancel);
      recorder.event(plan, PlanEvent.normal(Reason.RequestWithdrawn,
          "request.json withdrawn (Cancel, sequence " + cancel.sequence + ")"));
    }
  }

  private static boolean is(HandoffStatus handoff, UpdateRequest.Action action) {
    return action.name().equals(handoff.action);
  }

  private static HostReport report(HostHandoff.HostAnswer s) {
    HostReport r = new HostReport();
    r.state = s.state() == null ? null : s.state().name();
    r.message = s.message();
    r.bootId = s.bootId();
    r.deployment = s.deployment();
    r.greenbootAttempts = s.greenbootAttempts();
    r.restoredBackupId = s.restoredBackupId();
    r.updatedAt = s.updatedAt();
    r.facts = s.facts();
    return r;
  }
}
