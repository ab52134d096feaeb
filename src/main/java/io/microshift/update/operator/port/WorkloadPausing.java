package io.microshift.update.operator.port;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import java.util.List;

/** Scaling selected workloads to 0 (suspending CronJobs) and back. */
public interface WorkloadPausing {

  /** Read-only: the workloads the plan would pause, as kind/namespace/name. */
  List<String> select(UpdatePlan plan);

  /**
   * Pauses what the plan selects; the originals are recorded on each object. Idempotent. Then
   * returns null when every pod of the paused workloads is gone, else what is still running (one
   * listing of the workloads for both).
   */
  String pause(UpdatePlan plan, StatusWriter writer, EventRecorder events);

  /** Null when every resumed workload is ready again, else what is still starting. */
  String notReady(UpdatePlan plan);

  /** Restores what was recorded on the objects. Idempotent; conflicts are reported, not forced. */
  void resume(UpdatePlan plan, StatusWriter writer, EventRecorder events);
}
