package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.ObjectEvent;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;

/**
 * The Event a workload author sees on the pod a hook ran in ({@code oc describe pod}): Normal when
 * the hook succeeded, Warning when it failed (with the exit code) or timed out (with the timeout).
 * The message names the attempt, so a hook run again after an operator restart gets its own event,
 * while a replayed record of the same attempt leaves one.
 */
final class HookPodEvents {
  private HookPodEvents() {}

  /** After the entry holds the outcome of its attempt (state Succeeded, Failed or TimedOut). */
  static void finished(PlanCheckpoint checkpoint, UpdatePlan plan, HookStatus h) {
    of(plan, h).send(checkpoint, plan);
  }

  /**
   * The Event for the entry's outcome, taken while the entry holds it, to be sent later (from
   * another thread: it copies what it needs).
   */
  static ObjectEvent of(UpdatePlan plan, HookStatus h) {
    ObjectReference pod = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withNamespace(h.namespace).withName(h.pod).build();
    String what = h.hookPhase + " hook of UpdatePlan " + plan.getMetadata().getName() + " in container "
        + h.container + " (attempt " + h.attempts + ")";
    if (HookLedger.SUCCEEDED.equals(h.state)) {
      return new ObjectEvent(pod, false, WorkloadReason.UpdateHookSucceeded, what + " succeeded: exit code 0");
    } else if (HookLedger.TIMED_OUT.equals(h.state)) {
      return new ObjectEvent(pod, true, WorkloadReason.UpdateHookTimedOut,
          HookLimits.message(what + " timed out: " + h.message + "; on-error " + h.onError));
    }
    return new ObjectEvent(pod, true, WorkloadReason.UpdateHookFailed,
        HookLimits.message(what + " failed: " + h.message + "; on-error " + h.onError));
  }
}
