package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;

/**
 * The Event a workload author sees on the pod a hook ran in ({@code oc describe pod}): Normal when
 * the hook succeeded, Warning when it failed (with the exit code) or timed out (with the timeout).
 * The message names the attempt, so a hook run again after an operator restart gets its own event,
 * while a replayed record of the same attempt leaves one.
 */
final class HookPodEvents {
  static final String SUCCEEDED = "UpdateHookSucceeded";
  static final String FAILED = "UpdateHookFailed";
  static final String TIMED_OUT = "UpdateHookTimedOut";

  private HookPodEvents() {}

  /** After the entry holds the outcome of its attempt (state Succeeded, Failed or TimedOut). */
  static void finished(EventRecorder events, UpdatePlan plan, HookStatus h) {
    ObjectReference pod = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withNamespace(h.namespace).withName(h.pod).build();
    String what = h.hookPhase + " hook of UpdatePlan " + plan.getMetadata().getName() + " in container "
        + h.container + " (attempt " + h.attempts + ")";
    if (HookLedger.SUCCEEDED.equals(h.state)) {
      events.normalOn(plan, pod, SUCCEEDED, what + " succeeded: exit code 0");
    } else if (HookLedger.TIMED_OUT.equals(h.state)) {
      events.warningOn(plan, pod, TIMED_OUT, HookLimits.message(what + " timed out: " + h.message
          + "; on-error " + h.onError));
    } else {
      events.warningOn(plan, pod, FAILED, HookLimits.message(what + " failed: " + h.message
          + "; on-error " + h.onError));
    }
  }
}
