package io.microshift.update.operator;

import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.microshift.update.api.UpdatePlan;
import java.time.Duration;

/**
 * JOSDK's entry point: hands each event to the {@link PlanStateMachine}, which persists status
 * itself (before side effects), so nothing is patched from here. The finalizer resumes paused
 * workloads and withdraws an un-handed-off request; a plan the host already acts on keeps its
 * finalizer until the update has an outcome.
 */
@ControllerConfiguration(name = UpdatePlanReconciler.NAME, finalizerName = UpdatePlanReconciler.FINALIZER)
public final class UpdatePlanReconciler implements Reconciler<UpdatePlan>, Cleaner<UpdatePlan> {
  public static final String NAME = "updateplan";
  public static final String FINALIZER = "updates.microshift.io/finalizer";
  static final Duration TERMINAL_RECHECK = Duration.ofMinutes(10);

  private final PlanStateMachine machine;
  private final Conditions conditions;
  private final StatusWriter writer;

  public UpdatePlanReconciler(PlanStateMachine machine, Conditions conditions, StatusWriter writer) {
    this.machine = machine;
    this.conditions = conditions;
    this.writer = writer;
  }

  @Override
  public UpdateControl<UpdatePlan> reconcile(UpdatePlan plan, Context<UpdatePlan> context) {
    Duration next = machine.advance(plan);
    return next == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<UpdatePlan>noUpdate().rescheduleAfter(next);
  }

  @Override
  public DeleteControl cleanup(UpdatePlan plan, Context<UpdatePlan> context) {
    if (machine.release(plan)) {
      return DeleteControl.defaultDelete();
    }
    conditions.set(plan, Conditions.DELETION_BLOCKED, true, "HostIsUpdating",
        "the host agent is applying this plan; it is deleted once the update has an outcome");
    Duration next = machine.advance(plan);
    if (plan.getStatus().phase.isTerminal()) {
      return machine.release(plan) ? DeleteControl.defaultDelete()
          : DeleteControl.noFinalizerRemoval().rescheduleAfter(TERMINAL_RECHECK);
    }
    writer.save(plan);
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(next);
  }
}
