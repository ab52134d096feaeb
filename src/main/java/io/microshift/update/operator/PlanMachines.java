package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import io.microshift.update.operator.step.ApplyingStep;
import io.microshift.update.operator.step.AwaitingRebootStep;
import io.microshift.update.operator.step.BackingUpStep;
import io.microshift.update.operator.step.PausingStep;
import io.microshift.update.operator.step.PendingStep;
import io.microshift.update.operator.step.PreflightStep;
import io.microshift.update.operator.step.PreparingStep;
import io.microshift.update.operator.step.RollingBackStep;
import io.microshift.update.operator.step.VerifyingStep;
import io.microshift.update.preflight.ClusterVersionReader;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/** The state machine with one step per phase, wired to the ports and the one {@link PlanRecorder}. */
public final class PlanMachines {
  private PlanMachines() {}

  public static PlanStateMachine create(Ports ports, PlanDirectory plans, ClusterVersionReader versions,
      PlanRecorder recorder, Clock clock) {
    StatusWriter writer = recorder.checkpoints();
    EventRecorder events = recorder.objectEvents();
    Map<Phase, PhaseStep> steps = new EnumMap<>(Phase.class);
    steps.put(Phase.Pending, new PendingStep(plans, clock));
    steps.put(Phase.Preflight, new PreflightStep(versions, ports.hooks(), ports.pausing()));
    steps.put(Phase.Preparing, new PreparingStep(ports.host(), recorder));
    steps.put(Phase.BackingUp, new BackingUpStep(ports.hooks(), writer, events));
    steps.put(Phase.Pausing, new PausingStep(ports.pausing(), writer, events, new PhaseClock(clock)));
    steps.put(Phase.AwaitingReboot, new AwaitingRebootStep(ports.host(), recorder));
    steps.put(Phase.Applying, new ApplyingStep());
    ReadinessGate readiness = new ReadinessGate(ports.pausing(), writer, events, clock);
    steps.put(Phase.Verifying, new VerifyingStep(ports.host(), ports.pausing(), ports.hooks(), writer, events, readiness));
    steps.put(Phase.RollingBack, new RollingBackStep(ports.hooks(), writer, events, readiness));
    return new PlanStateMachine(steps, ports.host(), ports.pausing(), recorder, clock);
  }
}
