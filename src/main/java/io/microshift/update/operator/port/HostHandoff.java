package io.microshift.update.operator.port;

import io.microshift.update.api.UpdatePlan;
import java.util.Optional;

/** The marker protocol from the operator's side: request.json out, host-status.json in. */
public interface HostHandoff {

  /** What the host agent reports about a request of this plan. */
  record HostState(
      String state,
      long sequence,
      String message,
      String bootId,
      String deployment,
      Integer greenbootAttempts,
      String backupId,
      String restoredBackupId,
      String updatedAt,
      io.microshift.update.api.HostFacts facts) {
    public HostState(String state, long sequence, String message, String bootId, String deployment,
        Integer greenbootAttempts, String backupId, String restoredBackupId, String updatedAt) {
      this(state, sequence, message, bootId, deployment, greenbootAttempts, backupId, restoredBackupId, updatedAt, null);
    }
  }

  /** A sequence number greater than that of any request written before. */
  long nextSequence();

  /** Writes request.json (atomic); a no-op when it already holds this plan, sequence and action. */
  void writeRequest(UpdatePlan plan, long sequence, String action);

  /** The host's status when it is about this plan (same uid), else empty. */
  Optional<HostState> hostState(UpdatePlan plan);

  /** A message when the host is in the middle of another plan's update, else empty. */
  Optional<String> busyWithAnotherPlan(UpdatePlan plan);

  /** Records in request.json the operator's verification of the boot {@code bootId}. */
  void writeVerification(UpdatePlan plan, String bootId, boolean passed, String message);

  /** The newest {@code n} updates that ended on the host (history.json), newest first; empty when none. */
  java.util.List<io.microshift.update.api.HostUpdateRecord> recentUpdates(int n);

  /**
   * Calls {@code listener} (on another thread) whenever the host's status may have changed, until
   * the returned handle is closed. A hint only: it may miss a change, callers poll slowly as well.
   */
  default AutoCloseable onChange(Runnable listener) {
    return () -> { };
  }

  /** The backup id the host's last update refers to (never pruned), if any. */
  Optional<String> lastHostBackupId();

  /**
   * Why the request for {@code plan} lets the host check less than it should, e.g. an ostree
   * target that is not checked for the operator's image because the operator does not know its
   * image by digest; empty when nothing is left unchecked.
   */
  default Optional<String> uncheckedTarget(UpdatePlan plan) {
    return Optional.empty();
  }
}
