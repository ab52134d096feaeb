package io.microshift.update.sim;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.microshift.update.api.RebootPolicy;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import java.util.ArrayList;
import java.util.List;

/** The plans the simulated device's stories apply: each pauses the shop namespace, health check timeout 1m. */
final class SimPlans {
  private SimPlans() {}

  static UpdatePlan image(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.IMAGE, version, resume);
    plan.getSpec().target.image = SimulatedDevice.imageOf(version);
    return plan;
  }

  static UpdatePlan ostree(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.OSTREE, version, resume);
    plan.getSpec().target.ostreeRef = SimulatedDevice.OSTREE_REF_PREFIX + version;
    return plan;
  }

  static UpdatePlan rpm(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = rpmRestart(name, version, resume);
    plan.getSpec().target.reboot = RebootPolicy.Always;
    return plan;
  }

  static UpdatePlan rpmRestart(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.RPM, version, resume);
    plan.getSpec().target.packages = new ArrayList<>(List.of("microshift-" + version,
        "microshift-networking-" + version, "microshift-selinux-" + version, "microshift-greenboot-" + version));
    return plan;
  }

  private static UpdatePlan plan(String name, UpdateType type, String version, ResumePolicy resume) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).build());
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = type;
    spec.target = new UpdateTarget(version);
    spec.workloads = new WorkloadSelection();
    spec.workloads.namespaces = new ArrayList<>(List.of(SimulatedDevice.APP_NAMESPACE));
    spec.healthCheckTimeout = "1m";
    spec.resumeWorkloads = resume;
    plan.setSpec(spec);
    return plan;
  }
}
