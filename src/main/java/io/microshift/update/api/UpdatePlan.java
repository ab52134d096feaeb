package io.microshift.update.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A request to update the MicroShift device this operator runs on. Cluster-scoped. */
@Group(UpdatePlan.GROUP)
@Version(UpdatePlan.VERSION)
@Kind("UpdatePlan")
@Plural("updateplans")
@Singular("updateplan")
@ShortNames("up")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.target.version", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "From", jsonPath = ".status.fromVersion", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class UpdatePlan extends CustomResource<UpdatePlanSpec, UpdatePlanStatus> {
  public static final String GROUP = "updates.microshift.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "updateplans." + GROUP;

  /** Read leniently: a spec the types cannot hold is refused by the operator, not by the informer. */
  @Override
  @JsonDeserialize(using = LenientReader.Spec.class)
  public void setSpec(UpdatePlanSpec spec) {
    super.setSpec(spec);
  }

  /** Read leniently: a status the types cannot hold is not trusted (see LenientReader). */
  @Override
  @JsonDeserialize(using = LenientReader.Status.class)
  public void setStatus(UpdatePlanStatus status) {
    super.setStatus(status);
  }

  @Override
  protected UpdatePlanStatus initStatus() {
    return new UpdatePlanStatus();
  }
}
