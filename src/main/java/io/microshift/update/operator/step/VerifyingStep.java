package io.microshift.update.operator.step;

import io.microshift.update.hooks.HookPhase;
import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.EffectiveSpec;
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
import io.microshift.update.operator.port.WorkloadPausing;
import java.util.Objects;
import java.util.Optional;

/**
 * The target deployment booted and greenboot is checking it. The operator resumes the workloads
 * (now, or after the commit with resumeWorkloads: AfterCommit), tells greenboot's check through
 * request.json that it verified this boot, and declares success only once greenboot committed the
 * update (green.d ran on the target boot): a boot alone is never success.
 */
public final class VerifyingStep implements PhaseStep {

  private final HostHandoff host;
  private final WorkloadPausing pausing;
  private final WorkloadHooks hooks;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final ReadinessGate readiness;

  public VerifyingStep(HostHandoff host, WorkloadPausing pausing, WorkloadHooks hooks,
      StatusWriter writer, EventRecorder events, ReadinessGate readiness) {
    this.host = host;
    this.pausing = pausing;
    this.hooks = hooks;
    this.writer = writer;
    this.events = events;
    this.readiness = readiness;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    Optional<HostHandoff.HostAnswer> state = observation.answer();
    if (state.isEmpty()) {
      return HostStates.waitingForHost(Phase.Verifying);
    }
    HostHandoff.HostAnswer s = state.get();
    Phase belongs = HostStates.phaseFor(s.state()).orElse(Phase.Verifying);
    if (belongs == Phase.RollingBack) {
      return StepOutcome.advance(Phase.RollingBack, Reason.GreenbootRollback, RollbackStory.of(plan, s));
    }
    if (belongs == Phase.Failed) {
      return StepOutcome.fail(Reason.HostUpdateFailed, s.message());
    }
    if (belongs == Phase.Applying) {
      return StepOutcome.stay(Phase.Verifying, Reason.host(s.state()), "host: " + s.state(), HostStates.POLL);
    }
    EffectiveSpec spec = observation.spec();
    switch (s.state()) {
      case Unhealthy -> {
        return StepOutcome.stay(Phase.Verifying, Reason.HealthCheckFailed, s.message(), HostStates.POLL)
            .withCondition(Conditions.DEGRADED, true, Reason.HealthCheckFailed,
                "greenboot health check failed (" + attempts(s) + "); greenboot retries or rolls back");
      }
      case Committed -> {
        return finish(plan, spec, s);
      }
      default -> {
        // Booted or Healthy: the target runs, greenboot has not committed yet
        boolean afterBoot = spec.resumePolicy() == ResumePolicy.AfterBoot;
        if (afterBoot) {
          pausing.resume(plan, writer, events);
        }
        boolean verified = Objects.equals(s.bootId(), verifiedBoot(plan));
        if (!verified) {
          // greenboot's required.d check waits for this: with AfterBoot it means the resumed
          // workloads run on the target; if they never get ready, the check times out and fails
          String notReady = afterBoot ? pausing.notReady(plan) : null;
          if (notReady != null) {
            return StepOutcome.stay(Phase.Verifying, Reason.WaitingForWorkloads, "target booted (" + s.state()
                + "); verifying boot " + s.bootId() + " once the resumed workloads are ready: " + notReady, HostStates.POLL);
          }
        }
        // on every poll, not once: idempotent, and it puts request.json back if it was deleted
        host.writeVerification(plan, s.bootId(), true, "operator running on the target; workloads "
            + (afterBoot ? "resumed and ready" : "stay paused until the commit"));
        if (!verified) {
          plan.getStatus().handoff.verification = "Passed";
          plan.getStatus().handoff.verifiedBootId = s.bootId();
        }
        return StepOutcome.stay(Phase.Verifying, Reason.WaitingForGreenboot,
            "target booted (" + s.state() + "); waiting for greenboot to declare it healthy", HostStates.POLL);
      }
    }
  }

  private StepOutcome finish(UpdatePlan plan, EffectiveSpec spec, HostHandoff.HostAnswer s) {
    ReadinessGate.Readiness ready = readiness.resumeAndWait(plan);
    if (ready.waiting().isPresent()) {
      return StepOutcome.stay(Phase.Verifying, Reason.WaitingForWorkloads, "update committed; " + ready.waiting().get(),
          HostStates.POLL);
    }
    WorkloadHooks.Outcome outcome = hooks.run(plan, HookPhase.POST_UPDATE, writer, events);
    String msg = "updated " + plan.getStatus().fromVersion + " -> " + plan.getStatus().toVersion
        + "; greenboot committed the new deployment"
        + (outcome.ok() ? "" : "; a post-update hook failed: " + outcome.failure());
    StepOutcome committed = StepOutcome.advance(Phase.Succeeded, Reason.UpdateCommitted, msg).withEvents(ready.events())
        .clearing(Conditions.DEGRADED);
    return outcome.ok() ? committed
        : committed.withCondition(Conditions.DEGRADED, true, Reason.PostUpdateHookFailed, outcome.failure());
  }

  private static String verifiedBoot(UpdatePlan plan) {
    return plan.getStatus().handoff == null ? null : plan.getStatus().handoff.verifiedBootId;
  }

  static String attempts(HostHandoff.HostAnswer s) {
    return s.greenbootAttempts() == null ? "greenboot attempts unknown"
        : RollbackStory.attempts(s.greenbootAttempts());
  }
}
