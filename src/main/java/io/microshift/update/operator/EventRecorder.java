package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;

/** Kubernetes Events about a plan (reason in UpperCamelCase, message for humans). */
public interface EventRecorder {
  void normal(UpdatePlan plan, String reason, String message);

  void warning(UpdatePlan plan, String reason, String message);
}
