package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.ObjectEvent;
import io.microshift.update.checkpoint.WorkloadReason;

/**
 * The Event a workload author sees on the pod a hook ran in ({@code oc describe pod}): Normal when
 * the hook succeeded, Warning when it failed (with the exit code) or timed out (with the timeout).
 * The message names the attempt, so a hook run again after an operator restart gets its own event,
 * while a replayed record of the same attempt leaves one.
 */
final class HookPodEvents {
  private HookPodEvents() {}

  /**
   * The Event for the entry's outcome, taken while the entry holds it, to be sent later (from
   * another thread: it copies what it needs). {@code podUid} is the uid of the pod the exec went
   * to ({@link ExecResult#podUid}), so that the Event needs no read of the pod; when it is null
   * the recorder reads the pod for it.
   */
  static ObjectEvent of(UpdatePlan plan, HookStatus h, String podUid) {
    ObjectReference pod = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
        .withNamespace(h.namespace).withName(h.pod).withUid(podUid).build();
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
