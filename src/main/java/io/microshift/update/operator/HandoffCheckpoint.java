package io.microshift.update.operator;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.UpdateRequest;

/** The write-ahead record of a hand-off: in status (saved) before request.json is written. */
@FunctionalInterface
public interface HandoffCheckpoint {
  /**
   * Records a new hand-off for {@code action} with {@code sequence} in {@code plan}'s status and
   * saves it, so that a restarted operator rewrites the same request rather than a new one.
   */
  HandoffStatus beginHandoff(UpdatePlan plan, UpdateRequest.Action action, long sequence);
}
