package io.microshift.update.checkpoint;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.microshift.update.api.UpdatePlan;

/**
 * What the workload steps ({@code hooks}, {@code pause}) need from whoever runs them: a
 * write-ahead save of the plan's status before a side effect, and the Events that tell people
 * what was done. The port belongs to those packages, so that they depend on nothing of the
 * operator; the operator implements it over its status writer and event recorder.
 */
public interface PlanCheckpoint {
  /**
   * Persists {@code plan}'s status (through the status subresource, resourceVersion conflicts
   * handled) before the caller goes on, and sets the new resourceVersion on {@code plan}.
   * Throws when it could not: the caller must not start the side effect the save announces.
   */
  void save(UpdatePlan plan);

  /**
   * A deep copy of {@code plan} for a {@link #save} that runs on another thread while the caller
   * goes on changing the original (the hooks' writes beside their execs); the saved
   * resourceVersion is set on the copy.
   */
  UpdatePlan copy(UpdatePlan plan);

  /** A Normal Event about the plan (message for humans). */
  void normal(UpdatePlan plan, WorkloadReason reason, String message);

  /** A Warning Event about the plan. */
  void warning(UpdatePlan plan, WorkloadReason reason, String message);

  /**
   * A Normal Event on an object of a workload author that was acted on for the plan (a workload
   * paused or resumed, the pod a hook ran in), where {@code oc describe} of the object shows it.
   * Recording the same event again (a replayed step) leaves one event.
   */
  void normalOn(UpdatePlan plan, ObjectReference object, WorkloadReason reason, String message);

  /** As {@link #normalOn}, a Warning. */
  void warningOn(UpdatePlan plan, ObjectReference object, WorkloadReason reason, String message);
}
