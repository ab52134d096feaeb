package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import java.util.ArrayList;
import java.util.List;

/**
 * Are the workloads a plan resumed back up? Post-update and post-rollback hooks run in pods: right
 * after a resume those pods may not even exist yet, and hook discovery only sees pods that exist.
 * Non-blocking, read-only; the caller polls it before running those hooks.
 */
final class ReadyCheck {
  private final Workloads workloads;

  ReadyCheck(Workloads workloads) {
    this.workloads = workloads;
  }

  ReadyResult ready(UpdatePlan plan) {
    List<String> waiting = new ArrayList<>();
    for (PausedWorkload p : PausedStatus.status(plan).pausedWorkloads) {
      WorkloadRef ref = new WorkloadRef(p.kind, p.namespace, p.name);
      if (!ref.scalable() || PausedStatus.PAUSED.equals(p.state)) {
        continue;
      }
      HasMetadata o = workloads.get(ref);
      if (o == null) {
        continue;
      }
      int wanted = Workloads.replicas(o);
      int ready = readyReplicas(o);
      if (ready < wanted) {
        waiting.add(ref + " " + ready + "/" + wanted + " ready");
      }
    }
    return new ReadyResult(waiting.isEmpty(), waiting);
  }

  private static int readyReplicas(HasMetadata o) {
    Integer r = null;
    if (o instanceof Deployment d && d.getStatus() != null) {
      r = d.getStatus().getReadyReplicas();
    } else if (o instanceof StatefulSet s && s.getStatus() != null) {
      r = s.getStatus().getReadyReplicas();
    }
    return r == null ? 0 : r;
  }
}
