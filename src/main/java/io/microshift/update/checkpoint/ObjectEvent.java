package io.microshift.update.checkpoint;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.microshift.update.api.UpdatePlan;

/**
 * One Event on an object of a workload author (a hook's pod, a paused or resumed workload), its
 * text taken when it is created, so that it can be sent later from another thread
 * ({@link BackgroundEvents}) whatever happens to the objects it was taken from.
 */
public record ObjectEvent(ObjectReference object, boolean warning, WorkloadReason reason, String message) {
  /** Records it through {@link PlanCheckpoint#normalOn} or {@link PlanCheckpoint#warningOn}. */
  public void send(PlanCheckpoint checkpoint, UpdatePlan plan) {
    if (warning) {
      checkpoint.warningOn(plan, object, reason, message);
    } else {
      checkpoint.normalOn(plan, object, reason, message);
    }
  }
}
