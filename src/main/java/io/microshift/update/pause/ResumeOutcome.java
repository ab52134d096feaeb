package io.microshift.update.pause;

import io.microshift.update.api.PausedWorkload;
import java.util.List;

/**
 * @param resumed workloads given back exactly what was recorded (or found needing nothing)
 * @param conflicts workloads changed by someone while paused: left as they are, record removed
 * @param failures workloads that could not be updated (API errors): their record stays, call
 *     resume again
 */
public record ResumeOutcome(
    List<PausedWorkload> resumed, List<PausedWorkload> conflicts, List<String> failures) {
  public ResumeOutcome {
    resumed = List.copyOf(resumed);
    conflicts = List.copyOf(conflicts);
    failures = List.copyOf(failures);
  }

  /** Nothing is left paused by the plan (conflicts are reported, not retried). */
  public boolean complete() {
    return failures.isEmpty();
  }
}
