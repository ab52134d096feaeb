package io.microshift.update.pause;

import io.microshift.update.api.PausedWorkload;
import java.util.List;

/**
 * @param paused the workloads this plan holds paused (newly or already), as mirrored in status
 * @param skipped selected workloads left alone, one line each (gone, paused by another plan)
 * @param failures workloads that could not be paused (API errors), one line each
 */
public record PauseOutcome(List<PausedWorkload> paused, List<String> skipped, List<String> failures) {
  public PauseOutcome {
    paused = List.copyOf(paused);
    skipped = List.copyOf(skipped);
    failures = List.copyOf(failures);
  }

  /** Every selected workload is paused or deliberately skipped. */
  public boolean succeeded() {
    return failures.isEmpty();
  }
}
