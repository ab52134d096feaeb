package io.microshift.update.operator;

import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.microshift.update.api.UpdatePlan;
import java.time.Duration;
import java.util.List;

/**
 * JOSDK's entry point: hands each event to the {@link PlanStateMachine}, whose {@link PlanRecorder}
 * persists status (a hand-off before its side effect, the rest at the end of the reconcile), so
 * nothing is patched from here. The finalizer resumes paused
 * workloads and withdraws an un-handed-off request; a plan the host already acts on keeps its
 * finalizer until the update has an outcome. Besides the plans' own events, {@link PlanWakeups}
 * (the host's status changed, a pod changed) reconciles the unfinished plans
 * at once, so a step's requeue delay is only a safety net.
 */
@ControllerConfiguration(name = UpdatePlanReconciler.NAME, finalizerName = UpdatePlanReconciler.FINALIZER)
public final class UpdatePlanReconciler implements Reconciler<UpdatePlan>, Cleaner<UpdatePlan> {
  public static final String NAME = "updateplan";
  public static final String FINALIZER = "updates.microshift.io/finalizer";
  static final Duration TERMINAL_RECHECK = Duration.ofMinutes(10);

  private final PlanStateMachine machine;
  private final PlanWakeups wakeups;
  private final WrittenVersions written = new WrittenVersions();

  public UpdatePlanReconciler(PlanStateMachine machine, PlanWakeups wakeups) {
    this.machine = machine;
    this.wakeups = wakeups;
  }

  @Override
  public List<EventSource<?, UpdatePlan>> prepareEventSources(EventSourceContext<UpdatePlan> context) {
    return List.of(wakeups);
  }

  @Override
  public UpdateControl<UpdatePlan> reconcile(UpdatePlan plan, Context<UpdatePlan> context) {
    if (written.isStale(plan)) {
      // the informer has not seen our last status write yet: acting on this copy would redo a
      // step (e.g. a second Apply sequence); its own watch event or this retry comes with it
      return UpdateControl.<UpdatePlan>noUpdate().rescheduleAfter(StepOutcome.SOON);
    }
    wakeups.track(plan);
    boolean wasTerminal = isTerminal(plan);
    Duration next = machine.advance(plan);
    written.remember(plan);
    wakeups.track(plan);
    if (!wasTerminal && isTerminal(plan)) {
      wakeups.wakeAll(); // a queued plan's turn
    }
    return next == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<UpdatePlan>noUpdate().rescheduleAfter(next);
  }

  @Override
  public DeleteControl cleanup(UpdatePlan plan, Context<UpdatePlan> context) {
    if (machine.release(plan)) {
      wakeups.forget(plan);
      written.forget(plan);
      wakeups.wakeAll(); // a queued plan's turn
      return DeleteControl.defaultDelete();
    }
    Duration next = machine.advanceWhileDeletionBlocked(plan);
    if (plan.getStatus().phase.isTerminal()) {
      wakeups.forget(plan);
      written.forget(plan);
      return machine.release(plan) ? DeleteControl.defaultDelete()
          : DeleteControl.noFinalizerRemoval().rescheduleAfter(TERMINAL_RECHECK);
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(next);
  }

  private static boolean isTerminal(UpdatePlan plan) {
    return plan.getStatus() != null && plan.getStatus().phase != null && plan.getStatus().phase.isTerminal();
  }
}
