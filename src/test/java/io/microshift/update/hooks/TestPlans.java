package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.operator.StatusWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Plans, a status writer and an event recorder for tests against the mock server. */
public final class TestPlans {
  private TestPlans() {}

  /** A plan stored on the server, with spec and status.acceptedSpec both set. */
  public static UpdatePlan create(KubernetesClient client, String name, HookPolicy hooks,
      WorkloadSelection workloads) {
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = UpdateType.OSTREE;
    spec.target = new UpdateTarget("4.17.3");
    spec.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    spec.hooks = hooks;
    spec.workloads = workloads;
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).build());
    plan.setSpec(spec);
    UpdatePlan created = client.resource(plan).create();
    created.setStatus(new UpdatePlanStatus());
    created.getStatus().acceptedSpec = spec;
    return client.resource(created).updateStatus();
  }

  /** Persists status through the status subresource, like the operator's writer. */
  /** Saves as ApiStatusWriter does: the new resourceVersion set on the plan given. */
  public static StatusWriter writer(KubernetesClient client) {
    return plan -> {
      plan.getMetadata().setResourceVersion(client.resource(plan).updateStatus().getMetadata().getResourceVersion());
      return plan;
    };
  }

  /** The operator's checkpoint over {@link #writer} and {@code events}. */
  public static OperatorCheckpoint checkpoint(KubernetesClient client, EventRecorder events) {
    return new OperatorCheckpoint(writer(client), events);
  }

  /** The plan as stored on the server, as a restarted operator would read it. */
  public static UpdatePlan reload(KubernetesClient client, String name) {
    return client.resources(UpdatePlan.class).withName(name).get();
  }

  /** Records events as "Type Reason: message". */
  public static final class Events implements EventRecorder {
    public final List<String> all = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void normal(UpdatePlan plan, String reason, String message) {
      all.add("Normal " + reason + ": " + message);
    }

    @Override
    public void warning(UpdatePlan plan, String reason, String message) {
      all.add("Warning " + reason + ": " + message);
    }

    /** Events on objects, as "Type Reason on Kind namespace/name: message". */
    public final List<String> onObjects = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void normalOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
      onObjects.add("Normal " + reason + " on " + object.getKind() + " " + object.getNamespace() + "/"
          + object.getName() + ": " + message);
    }

    @Override
    public void warningOn(UpdatePlan plan, ObjectReference object, String reason, String message) {
      onObjects.add("Warning " + reason + " on " + object.getKind() + " " + object.getNamespace() + "/"
          + object.getName() + ": " + message);
    }

    public List<String> withReason(String reason) {
      synchronized (all) {
        return all.stream().filter(e -> e.split(" ", 3)[1].equals(reason + ":")).toList();
      }
    }
  }
}
