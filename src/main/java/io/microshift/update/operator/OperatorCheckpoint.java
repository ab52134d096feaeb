package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;

/**
 * The operator's side of the workload steps' {@link PlanCheckpoint}: saves through its {@link
 * StatusWriter}, Events through its {@link EventRecorder}.
 */
public final class OperatorCheckpoint implements PlanCheckpoint {
  private static final PlanCloner CLONER = new PlanCloner(OperatorClients.serialization());

  private final StatusWriter writer;
  private final EventRecorder events;

  public OperatorCheckpoint(StatusWriter writer, EventRecorder events) {
    this.writer = writer;
    this.events = events;
  }

  @Override
  public void save(UpdatePlan plan) {
    writer.save(plan);
  }

  @Override
  public UpdatePlan copy(UpdatePlan plan) {
    return CLONER.clone(plan);
  }

  @Override
  public void normal(UpdatePlan plan, WorkloadReason reason, String message) {
    events.normal(plan, reason.name(), message);
  }

  @Override
  public void warning(UpdatePlan plan, WorkloadReason reason, String message) {
    events.warning(plan, reason.name(), message);
  }

  @Override
  public void normalOn(UpdatePlan plan, ObjectReference object, WorkloadReason reason, String message) {
    events.normalOn(plan, object, reason.name(), message);
  }

  @Override
  public void warningOn(UpdatePlan plan, ObjectReference object, WorkloadReason reason, String message) {
    events.warningOn(plan, object, reason.name(), message);
  }
}
