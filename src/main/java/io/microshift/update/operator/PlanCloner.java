package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.microshift.update.api.UpdatePlan;

/**
 * java-operator-sdk's clone of a resource (a JSON round trip), keeping the mark of a spec or status
 * that could not be read ({@code unreadable}, not part of the API): without it the clone of such a
 * plan would look merely empty, and its refusal would not say which value was wrong.
 */
final class PlanCloner implements Cloner {
  private final KubernetesSerialization json;

  PlanCloner(KubernetesSerialization json) {
    this.json = json;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = json.clone(object);
    if (object instanceof UpdatePlan from && copy instanceof UpdatePlan to) {
      if (from.getSpec() != null && from.getSpec().unreadable != null && to.getSpec() != null) {
        to.getSpec().unreadable = from.getSpec().unreadable;
      }
      if (from.getStatus() != null && from.getStatus().unreadable != null && to.getStatus() != null) {
        to.getStatus().unreadable = from.getStatus().unreadable;
      }
    }
    return copy;
  }
}
