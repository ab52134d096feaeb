package io.microshift.update.operator.port;

import io.microshift.update.api.HostFacts;
import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.UpdateRequest;
import java.util.List;
import java.util.Optional;

/** The marker protocol from the operator's side: request.json out, host-status.json in. */
public interface HostHandoff {
  /** How many of the host's last updates (history.json) a reading carries (status.host.history). */
  int MIRRORED_UPDATES = 5;

  /** What the host agent reports about a request of this plan. */
  record HostAnswer(
      HostState state,
      long sequence,
      String message,
      String bootId,
      String deployment,
      Integer greenbootAttempts,
      String backupId,
      String restoredBackupId,
      String updatedAt,
      HostFacts facts) {
    public HostAnswer(HostState state, long sequence, String message, String bootId, String deployment,
        Integer greenbootAttempts, String backupId, String restoredBackupId, String updatedAt) {
      this(state, sequence, message, bootId, deployment, greenbootAttempts, backupId, restoredBackupId, updatedAt, null);
    }

    /** The answer is to the request of this sequence (not to an earlier one of the same plan). */
    public boolean answers(long requestSequence) {
      return sequence == requestSequence;
    }
  }

  /**
   * What the marker files said at one moment, as data: the host's answer about this plan (empty
   * when it wrote none), or the refusal of a marker file the operator does not act on (unsafe,
   * unparsable, invalid, or about a request never written), a message when the host works on
   * another plan's request, and the host's newest finished updates when it answered this plan.
   */
  record HostReading(
      Optional<HostAnswer> answer,
      Optional<String> refusal,
      Optional<String> busyWithAnotherPlan,
      List<HostUpdateRecord> recentUpdates) {
    public HostReading {
      recentUpdates = List.copyOf(recentUpdates);
    }

    public static HostReading nothing() {
      return new HostReading(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    public static HostReading refused(String refusal) {
      return new HostReading(Optional.empty(), Optional.of(refusal), Optional.empty(), List.of());
    }
  }

  /** Reads request.json and host-status.json (and history.json) once; never throws for a refused file. */
  HostReading read(UpdatePlan plan);

  /** A sequence number greater than that of any request written before. */
  long nextSequence();

  /** Writes request.json (atomic); a no-op when it already holds this plan, sequence and action. */
  void writeRequest(UpdatePlan plan, long sequence, UpdateRequest.Action action);

  /** Records in request.json the operator's verification of the boot {@code bootId}. */
  void writeVerification(UpdatePlan plan, String bootId, boolean passed, String message);

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
