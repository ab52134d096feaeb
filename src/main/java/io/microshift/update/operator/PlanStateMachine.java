package io.microshift.update.operator;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.HostReport;
import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.marker.MarkerProblems;
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
 * Drives one plan one step at a time. All progress lives in status and in the host's marker files:
 * every call re-reads both, so the operator can be killed at any instant, and a cluster whose etcd
 * was restored to a pre-update copy continues from what the host reports.
 */
public final class PlanStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(PlanStateMachine.class);
  /** How many of the host's last updates (history.json) status.host.history shows. */
  static final int MIRRORED_UPDATES = 5;
  private static final KubernetesSerialization JSON = OperatorClients.serialization();
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(10);

  private final Map<Phase, PhaseStep> steps;
  private final HostHandoff host;
  private final WorkloadPausing pausing;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final Conditions conditions;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public PlanStateMachine(Map<Phase, PhaseStep> steps, HostHandoff host, WorkloadPausing pausing,
      StatusWriter writer, EventRecorder events, Conditions conditions, OperatorMetrics metrics, Clock clock) {
    this.steps = steps;
    this.host = host;
    this.pausing = pausing;
    this.writer = writer;
    this.events = events;
    this.conditions = conditions;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Runs the current phase's step once; returns when to look again (null: never, terminal). */
  public Duration advance(UpdatePlan plan) {
    String before = JSON.asJson(plan.getStatus());
    String unreadable = plan.getStatus() == null ? null : plan.getStatus().unreadable;
    UpdatePlanStatus st = ensureStatus(plan);
    Long previouslyObserved = st.observedGeneration;
    st.observedGeneration = plan.getMetadata().getGeneration();
    refuseLateSpecChanges(plan, previouslyObserved);
    Duration requeue = null;
    try {
      // reading the host's markers belongs in the guarded step: a refused host-status.json is a
      // StepError condition that says what is wrong, not an exception that escapes to JOSDK's retry
      refuseUntrustedStatus(plan, unreadable);
      resyncFromHost(plan);
      if (!plan.getStatus().phase.isTerminal()) {
        StepResult result = steps.get(plan.getStatus().phase).execute(plan);
        conditions.clear(plan, "StepError");
        apply(plan, result);
        requeue = plan.getStatus().phase.isTerminal() ? null : result.requeue();
      }
    } catch (RuntimeException e) {
      requeue = stepError(plan, e);
    }
    if (!before.equals(JSON.asJson(plan.getStatus()))) {
      writer.save(plan);
    }
    metrics.observe(plan);
    return requeue;
  }

  /**
   * Deletion of a plan that was not handed off: resume what it paused and withdraw its request.
   * Returns false when the host already acts on it (deletion must wait for the outcome).
   */
  public boolean release(UpdatePlan plan) {
    ensureStatus(plan);
    resyncFromHost(plan);
    Phase phase = plan.getStatus().phase;
    if (phase.isHandedOff()) {
      return false;
    }
    rewind(plan);
    metrics.forget(plan.getMetadata().getName());
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
      conditions.set(plan, Conditions.SPEC_CHANGE_REFUSED, true, "PlanAlreadyStarted",
          "spec changed to generation " + generation + " after the plan started at generation "
              + st.acceptedGeneration + "; the change is not applied. To update differently, wait for"
              + " the outcome (or delete the plan before the hand-off) and create a new plan");
    } else if (st.phase.isTerminal() && previouslyObserved != null && generation != null
        && !Objects.equals(generation, previouslyObserved)
        && plan.getMetadata().getDeletionTimestamp() == null) {
      // e.g. a Failed InvalidSpec plan whose spec was corrected: a plan runs once
      conditions.set(plan, Conditions.SPEC_CHANGE_REFUSED, true, "PlanEnded",
          "spec changed to generation " + generation + " after the plan ended " + st.phase
              + "; a plan runs once and the change is not applied. Delete this plan and create a"
              + " new one with the corrected spec");
    }
  }

  /**
   * A status the operator did not write (a plan restored from a backup with its old status, or a
   * forged one) is not acted on. Every plan this operator started left Pending with its spec frozen
   * in status.acceptedSpec (valid) and status.acceptedGeneration, and got past Pausing only with the
   * backup set named after its own uid; a plan the host agent reports on (same uid) is genuine.
   * Anything else ends Failed at once, undoing only what is provably this plan's: the workloads
   * that carry its pause annotation are resumed, and (if it ever left Pending) a request.json of
   * its own uid that the host has not acted on is withdrawn (never another plan's request).
   */
  private void refuseUntrustedStatus(UpdatePlan plan, String unreadable) {
    UpdatePlanStatus st = plan.getStatus();
    if (unreadable == null && (st.phase == Phase.Pending || st.phase.isTerminal())) {
      return;
    }
    Optional<String> why = unreadable != null ? Optional.of("it cannot be read: " + unreadable) : untrusted(plan);
    // the host acting on an Apply of this uid proves the plan genuine; its answer to a Prepare (written
    // before any hook or pause) does not: such a plan is still refused, and its Prepare withdrawn
    if (why.isEmpty() || host.hostState(plan).filter(s -> !HostStates.isPrepareState(s.state())).isPresent()) {
      return;
    }
    if (st.acceptedSpec == null || st.acceptedGeneration == null) {
      // never left Pending: no request of this plan can exist, the host is not touched at all
      pausing.resume(plan, writer, events);
    } else {
      rewind(plan);
    }
    if (st.acceptedSpec != null && !SpecValidator.problems(st.acceptedSpec).isEmpty()) {
      st.acceptedSpec = null; // the CRD's status schema would refuse it: the Failed status must be writable
    }
    transition(plan, Phase.Failed, "UntrustedStatus", "status"
        + (unreadable == null ? ".phase " + st.phase : "") + " was not written by this operator for"
        + " this plan (" + why.get() + "); nothing was done. To run this update, delete the plan and"
        + " create it again without status");
  }

  private static Optional<String> untrusted(UpdatePlan plan) {
    UpdatePlanStatus st = plan.getStatus();
    if (st.acceptedSpec == null || st.acceptedGeneration == null) {
      return Optional.of("status.acceptedSpec or status.acceptedGeneration is missing: the plan never left Pending");
    }
    List<String> problems = SpecValidator.problems(st.acceptedSpec);
    if (!problems.isEmpty()) {
      return Optional.of("status.acceptedSpec is invalid: " + problems.get(0));
    }
    boolean pastPausing = st.phase.isHandedOff() || st.phase == Phase.AwaitingReboot;
    if (pastPausing && (st.backup == null || !BackupIds.forPlan(plan).equals(st.backup.id))) {
      return Optional.of("status.backup is not this plan's backup set " + BackupIds.forPlan(plan));
    }
    return Optional.empty();
  }

  /** The host's marker is the truth once the host acted on this plan (e.g. after an etcd restore). */
  private void resyncFromHost(UpdatePlan plan) {
    UpdatePlanStatus st = plan.getStatus();
    Optional<HostHandoff.HostState> state = st.phase.isTerminal() ? Optional.empty() : host.hostState(plan);
    if (state.isEmpty()) {
      return;
    }
    HostHandoff.HostState s = state.get();
    st.host = report(s);
    List<HostUpdateRecord> updates = host.recentUpdates(MIRRORED_UPDATES);
    st.host.history = updates.isEmpty() ? null : updates;
    if (st.phase == Phase.Preparing && st.handoff != null && st.handoff.sequence != null
        && s.sequence() == st.handoff.sequence) {
      return; // the host's answer to this plan's Prepare (Failed included): PreparingStep reads it
    }
    if (HostStates.isPrepareState(s.state())) {
      // the host prepared (or checks) while the plan runs its hooks and pauses: nothing to catch up,
      // except a status that fell behind to before the Prepare (a restored etcd)
      if (st.phase == Phase.Pending || st.phase == Phase.Preflight) {
        if (st.handoff == null) {
          st.handoff = new HandoffStatus();
          st.handoff.sequence = s.sequence();
          st.handoff.action = "Prepare";
        }
        transition(plan, Phase.Preparing, "ResumedFromHostStatus", "status was behind the host (restored etcd"
            + " or lost status update); continuing from host state " + s.state());
      }
      return;
    }
    if (Transitions.isBeforeHandoff(st.phase) && st.phase != Phase.AwaitingReboot) {
      Phase target = HostStates.phaseFor(s.state()).orElse(Phase.Applying);
      if (st.handoff == null) {
        st.handoff = new HandoffStatus();
        st.handoff.sequence = s.sequence();
        st.handoff.action = "Apply";
      }
      if (target == Phase.Failed) {
        rewind(plan);
      }
      transition(plan, target, "ResumedFromHostStatus", "status was behind the host (restored etcd"
          + " or lost status update); continuing from host state " + s.state());
    }
  }

  /** Records the failure in a StepError condition and keeps the phase; the step is retried after a back-off. */
  private Duration stepError(UpdatePlan plan, RuntimeException e) {
    UpdatePlanStatus st = plan.getStatus();
    LOG.atWarn().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("phase", st.phase)
        .setCause(e).log("step failed, will retry");
    if (e instanceof MarkerProblems) {
      conditions.set(plan, "StepError", true, "MarkerRefused", "phase " + st.phase + " waits: " + e.getMessage()
          + "\nThe operator does not act on a marker file it refuses. Check the file and the host agent's log"
          + " (journalctl -u microshift-update-apply -u microshift-update-boot); retrying in " + ERROR_BACKOFF.toSeconds() + "s");
    } else {
      conditions.set(plan, "StepError", true, e.getClass().getSimpleName(),
          "phase " + st.phase + " failed, retrying: " + e.getMessage());
    }
    apply(plan, StepResult.stay(st.phase, "StepError", st.message, ERROR_BACKOFF));
    return ERROR_BACKOFF;
  }

  private void apply(UpdatePlan plan, StepResult result) {
    UpdatePlanStatus st = plan.getStatus();
    if (result.next() == st.phase) {
      st.message = result.message();
      conditions.set(plan, Conditions.PROGRESSING, st.phase.isActive(), result.reason(), result.message());
      return;
    }
    if (!Transitions.allowed(st.phase, result.next())) {
      LOG.atError().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("from", st.phase)
          .addKeyValue("to", result.next()).log("step asked for a transition outside the table");
      rewind(plan);
      transition(plan, Phase.Failed, "InternalError", "internal error: transition " + st.phase + " -> "
          + result.next() + " is not allowed; workloads resumed. Please report this");
      return;
    }
    if (result.next() == Phase.Failed) {
      rewind(plan);
    }
    transition(plan, result.next(), result.reason(), result.message());
  }

  /**
   * Undoes what a plan that did not hand off did: workloads resumed and, while it waits in
   * AwaitingReboot, its request withdrawn (a request the host has not acted on).
   */
  private void rewind(UpdatePlan plan) {
    UpdatePlanStatus st = plan.getStatus();
    pausing.resume(plan, writer, events);
    HandoffStatus handoff = st.handoff;
    // a Prepare the host staged, or an Apply it has not acted on: Cancel removes what is staged
    boolean prepared = handoff != null && "Prepare".equals(handoff.action) && Transitions.isBeforeHandoff(st.phase)
        && host.hostState(plan).map(s -> "Preparing".equals(s.state()) || "Prepared".equals(s.state())).orElse(true);
    boolean applyNotActedOn = st.phase == Phase.AwaitingReboot && handoff != null && "Apply".equals(handoff.action)
        && host.hostState(plan).filter(s -> s.sequence() == handoff.sequence).isEmpty();
    if (prepared || applyNotActedOn) {
      handoff.action = "Cancel";
      handoff.sequence = host.nextSequence();
      handoff.writtenAt = clock.instant().toString();
      writer.save(plan);
      host.writeRequest(plan, handoff.sequence, "Cancel");
      events.normal(plan, "RequestWithdrawn", "request.json withdrawn (Cancel, sequence " + handoff.sequence + ")");
    }
  }

  private void transition(UpdatePlan plan, Phase next, String reason, String message) {
    UpdatePlanStatus st = plan.getStatus();
    Phase from = st.phase;
    String fromSince = st.phaseTransitionTime;
    st.phase = next;
    st.phaseTransitionTime = clock.instant().toString();
    st.message = message;
    conditions.set(plan, Conditions.PROGRESSING, next.isActive(), reason, message);
    if (next.isTerminal()) {
      st.completionTime = clock.instant().toString();
      conditions.set(plan, Conditions.READY, next == Phase.Succeeded, reason, message);
      if (next != Phase.Succeeded) {
        conditions.set(plan, Conditions.DEGRADED, true, reason, message);
      }
    }
    boolean warning = next == Phase.Failed || next == Phase.RolledBack || next == Phase.RollingBack;
    if (warning) {
      events.warning(plan, reason, from + " -> " + next + ": " + message);
    } else {
      events.normal(plan, reason, from + " -> " + next + ": " + message);
    }
    metrics.transition(plan, from, next, fromSince, clock.instant());
    LOG.atInfo().addKeyValue("plan", plan.getMetadata().getName()).addKeyValue("from", from)
        .addKeyValue("to", next).addKeyValue("reason", reason).log(message);
  }

  private static HostReport report(HostHandoff.HostState s) {
    HostReport r = new HostReport();
    r.state = s.state();
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
