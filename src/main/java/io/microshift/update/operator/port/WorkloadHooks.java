package io.microshift.update.operator.port;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.hooks.HookPhase;
import java.util.List;

/** The workloads' annotated hooks: discovered from pods, exec'd through the API. */
public interface WorkloadHooks {

  /** Result of running one stage. {@code failure} is null when the plan may go on. */
  record Outcome(String failure, List<String> continued) {
    public boolean ok() {
      return failure == null;
    }
  }

  /** What would run and what is malformed ({@code blocking}: malformed with on-error Fail). */
  record Preview(List<String> hooks, List<String> malformed, List<String> blocking) {}

  Preview preview(UpdatePlan plan, HookPhase phase);

  /** Runs the phase's hooks; each attempt is recorded in status before its exec. */
  Outcome run(UpdatePlan plan, HookPhase phase, StatusWriter writer, EventRecorder events);
}
