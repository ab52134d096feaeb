package io.microshift.update.marker;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * history.json, written only by the host agent: one record per update that reached a terminal host
 * state, the newest last, at most {@link Markers#MAX_UPDATES}. It lives in /var, which neither an
 * ostree rollback nor an etcd restore touches, so it tells what happened after both erased the
 * cluster's own record. See docs/marker.md, "history.json".
 */
@JsonPropertyOrder({"apiVersion", "updates"})
public record UpdateHistory(String apiVersion, List<Update> updates) {

  /** How an update ended, derived from its terminal host state. */
  public enum Outcome {
    /** greenboot (or, on rpm after a restart, the apply unit) committed the target. */
    Committed,
    /** greenboot fell back to the previous deployment and the data dir was restored from the backup. */
    RolledBack,
    /** the data dir was restored by hand ({@code microshift-update restore}) after the update failed. */
    Restored,
    /** a Cancel was honoured before the point of no return; the host is unchanged. */
    Cancelled,
    /** refused, failed, or the restore was impossible; the message says why. */
    Failed,
    /** a dry run: every host check passed, nothing was staged. */
    Checked
  }

  /** One update as the host saw it end. Keyed by plan uid and request sequence. */
  @JsonPropertyOrder({"planName", "planUid", "sequence", "type", "fromVersion", "targetVersion", "outcome",
      "hostState", "startedAt", "finishedAt", "backupId", "restoredBackupId", "etcdSnapshotTime",
      "bootIdBefore", "bootIdAfter", "deploymentBefore", "deploymentAfter", "targetDeployment",
      "greenbootAttempts", "message"})
  public record Update(
      String planName,
      String planUid,
      long sequence,
      UpdateRequest.UpdateType type,
      String fromVersion,
      String targetVersion,
      Outcome outcome,
      HostState hostState,
      String startedAt,
      String finishedAt,
      String backupId,
      String restoredBackupId,
      String etcdSnapshotTime,
      String bootIdBefore,
      String bootIdAfter,
      String deploymentBefore,
      String deploymentAfter,
      String targetDeployment,
      int greenbootAttempts,
      String message) {

    public boolean sameUpdate(Update other) {
      return planUid.equals(other.planUid) && sequence == other.sequence;
    }
  }

  /** Messages in history.json are short, so that {@link Markers#MAX_UPDATES} records fit in 64 KiB. */
  public static final int MAX_MESSAGE = 300;

  public static UpdateHistory empty() {
    return new UpdateHistory(Markers.API_VERSION, List.of());
  }

  /**
   * This history with {@code u} recorded: a record of the same update (plan uid and sequence, e.g.
   * a verb that reran after a power cut) is replaced in place, else {@code u} is appended and the
   * oldest records beyond {@link Markers#MAX_UPDATES} are dropped.
   */
  public UpdateHistory with(Update u) {
    List<Update> out = new ArrayList<>(updates == null ? List.of() : updates);
    int at = -1;
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).sameUpdate(u)) {
        at = i;
      }
    }
    if (at >= 0) {
      out.set(at, u);
    } else {
      out.add(u);
    }
    while (out.size() > Markers.MAX_UPDATES) {
      out.remove(0);
    }
    return new UpdateHistory(Markers.API_VERSION, List.copyOf(out));
  }

  /**
   * Whether {@code u} is already recorded exactly as it is. Compared component by component
   * ({@link RecordEquality}), not with the record's {@code equals}: greenboot-green calls this at
   * boot, and a record's {@code equals} is bootstrapped by {@code ObjectMethods} on first use,
   * classes that the boot archive does not hold.
   */
  public boolean holds(Update u) {
    return updates != null && updates.stream().anyMatch(x -> RecordEquality.equal(x, u));
  }

  /** The newest {@code n} records, newest first. */
  public List<Update> newest(int n) {
    List<Update> out = new ArrayList<>(updates == null ? List.of() : updates);
    java.util.Collections.reverse(out);
    return List.copyOf(out.subList(0, Math.min(Math.max(n, 0), out.size())));
  }
}
