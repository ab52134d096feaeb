package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.ObjectEvent;
import io.microshift.update.checkpoint.WorkloadReason;

/**
 * The Events a workload author sees on their own Deployment, StatefulSet or CronJob ({@code oc
 * describe deployment web}): paused by which plan for which update, and resumed (or left alone
 * after a conflict), with the replicas or suspend before and after. The recorder names an event
 * after what it says, so a replayed step records it once. Each is taken when the change is
 * done and sent later, in the background ({@link io.microshift.update.checkpoint.BackgroundEvents}).
 */
final class WorkloadEvents {
  private WorkloadEvents() {}

  static ObjectEvent paused(UpdatePlan plan, HasMetadata object, String change) {
    return new ObjectEvent(reference(object), false, WorkloadReason.PausedByUpdatePlan,
        "Paused by UpdatePlan " + plan.getMetadata().getName() + forUpdate(plan) + ": " + change);
  }

  static ObjectEvent resumed(UpdatePlan plan, HasMetadata object, String change) {
    return new ObjectEvent(reference(object), false, WorkloadReason.ResumedByUpdatePlan,
        "Resumed by UpdatePlan " + plan.getMetadata().getName() + afterPhase(plan) + ": " + change);
  }

  static ObjectEvent notResumed(UpdatePlan plan, HasMetadata object, String why) {
    return new ObjectEvent(reference(object), true, WorkloadReason.NotResumedByUpdatePlan,
        "Not resumed by UpdatePlan " + plan.getMetadata().getName() + afterPhase(plan) + ": " + why);
  }

  static ObjectReference reference(HasMetadata o) {
    return new ObjectReferenceBuilder()
        .withApiVersion(o.getApiVersion())
        .withKind(o.getKind())
        .withNamespace(o.getMetadata().getNamespace())
        .withName(o.getMetadata().getName())
        .withUid(o.getMetadata().getUid())
        .build();
  }

  private static String forUpdate(UpdatePlan plan) {
    String version = plan.getStatus() == null || plan.getStatus().acceptedSpec == null
        || plan.getStatus().acceptedSpec.target == null ? null : plan.getStatus().acceptedSpec.target.version;
    return version == null ? "" : " for the update to " + version;
  }

  /** The phase the plan was in when it resumed: after a success, a failure or a rollback. */
  private static String afterPhase(UpdatePlan plan) {
    return forUpdate(plan) + (plan.getStatus() == null || plan.getStatus().phase == null ? ""
        : " (plan phase " + plan.getStatus().phase + ")");
  }
}
