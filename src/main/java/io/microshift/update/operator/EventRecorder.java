package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.microshift.update.api.UpdatePlan;

/** Kubernetes Events about a plan (reason in UpperCamelCase, message for humans). */
public interface EventRecorder {
  void normal(UpdatePlan plan, String reason, String message);

  void warning(UpdatePlan plan, String reason, String message);

  /**
   * A Normal Event on an object of a workload author that the operator acted on for the plan (a
   * workload it paused or resumed, the pod a hook ran in), in that object's namespace, where
   * {@code oc describe} of the object shows it. Recording the same event again (a replayed step)
   * leaves one event.
   */
  void normalOn(UpdatePlan plan, ObjectReference object, String reason, String message);

  /** As {@link #normalOn}, a Warning. */
  void warningOn(UpdatePlan plan, ObjectReference object, String reason, String message);
}
