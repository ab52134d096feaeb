package io.microshift.update.marker;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;

/** host-status.json, written only by the host agent. See docs/marker.md for every field. */
@JsonPropertyOrder({"apiVersion", "request", "state", "message", "type", "fromVersion",
    "targetVersion", "bootIdBefore", "bootIdAfter", "deploymentBefore", "deploymentAfter",
    "targetDeployment", "greenbootAttempts", "backupId", "dataCopy", "restoredBackupId",
    "failedDataPath", "prepared", "etcdSnapshot", "updatedAt", "history"})
public record HostStatus(
    String apiVersion,
    RequestRef request,
    HostState state,
    String message,
    UpdateRequest.UpdateType type,
    String fromVersion,
    String targetVersion,
    String bootIdBefore,
    String bootIdAfter,
    String deploymentBefore,
    String deploymentAfter,
    String targetDeployment,
    int greenbootAttempts,
    String backupId,
    DataCopy dataCopy,
    String restoredBackupId,
    String failedDataPath,
    String updatedAt,
    List<HistoryEntry> history,
    Prepared prepared,
    EtcdSnapshot etcdSnapshot) {

  /** A status without the facts of a Prepare. */
  public HostStatus(String apiVersion, RequestRef request, HostState state, String message,
      UpdateRequest.UpdateType type, String fromVersion, String targetVersion, String bootIdBefore,
      String bootIdAfter, String deploymentBefore, String deploymentAfter, String targetDeployment,
      int greenbootAttempts, String backupId, DataCopy dataCopy, String restoredBackupId,
      String failedDataPath, String updatedAt, List<HistoryEntry> history) {
    this(apiVersion, request, state, message, type, fromVersion, targetVersion, bootIdBefore, bootIdAfter,
        deploymentBefore, deploymentAfter, targetDeployment, greenbootAttempts, backupId, dataCopy,
        restoredBackupId, failedDataPath, updatedAt, history, null, null);
  }

  /** The etcd snapshot the host agent took on Apply (MicroShift running), verified, in the backup set. */
  @JsonPropertyOrder({"backupId", "bytes", "sha256", "revision", "time"})
  public record EtcdSnapshot(String backupId, long bytes, String sha256, long revision, String time) {}

  /**
   * What the host found when it prepared the update (a Prepare request): the free space and what
   * the copies need at the peak, etcd's health, the booted and staged deployments, the update
   * driver, for rpm the package set that resolved and was downloaded. Kept through the Apply.
   *
   * @param dryRun the Prepare only checked: nothing was downloaded or staged
   * @param freeBytes usable bytes where the backup set goes
   * @param requiredBytes what every copy that coexists at the peak needs there (SpaceCheck)
   * @param stagedDeployment ostree: the target staged with its finalization locked
   * @param updateDriver ostree: the registered rpm-ostree update driver, null when none
   * @param packages rpm: the package set dnf resolved and downloaded
   */
  @JsonPropertyOrder({"dryRun", "freeBytes", "requiredBytes", "etcd", "bootedDeployment", "stagedDeployment",
      "finalizationLocked", "updateDriver", "packages", "time"})
  public record Prepared(boolean dryRun, long freeBytes, long requiredBytes, Etcd etcd, String bootedDeployment,
      String stagedDeployment, boolean finalizationLocked, String updateDriver, List<String> packages,
      String time) {}

  /** etcd as the host agent saw it through jetcd (MicroShift's client certificate). */
  @JsonPropertyOrder({"healthy", "version", "dbSizeBytes", "revision", "alarms"})
  public record Etcd(boolean healthy, String version, long dbSizeBytes, long revision, List<String> alarms) {}

  /** Which request (plan uid and sequence) this status is about. */
  public record RequestRef(String uid, long sequence) {}

  /** The offline copy of /var/lib/microshift into the backup set. */
  @JsonPropertyOrder({"backupId", "path", "bytes", "method", "bootId", "time"})
  public record DataCopy(String backupId, String path, long bytes, CopyMethod method,
      String bootId, String time) {}

  public enum CopyMethod { cp, microshift }

  @JsonPropertyOrder({"time", "state", "message"})
  public record HistoryEntry(String time, HostState state, String message) {}

  public boolean isFor(UpdateRequest r) {
    return request != null && r.plan() != null && request.uid().equals(r.plan().uid())
        && request.sequence() == r.sequence();
  }

  /**
   * A copy in {@code newState} with a history entry appended (oldest dropped beyond the bound).
   *
   * @throws IllegalStateException for a move {@link HostTransitions} does not allow
   */
  public HostStatus transition(HostState newState, String newMessage, String time) {
    HostTransitions.check(state, newState);
    List<HistoryEntry> h = new ArrayList<>(history == null ? List.of() : history);
    h.add(new HistoryEntry(time, newState, truncate(newMessage, MAX_HISTORY_MESSAGE)));
    while (h.size() > Markers.MAX_HISTORY) {
      h.remove(0);
    }
    return new Builder(this).state(newState).message(truncate(newMessage)).updatedAt(time)
        .history(List.copyOf(h)).build();
  }

  /** History messages are shorter so that 50 entries always fit in the 64 KiB file limit. */
  static final int MAX_HISTORY_MESSAGE = 300;

  static String truncate(String s) {
    return truncate(s, Markers.MAX_MESSAGE_CHARS);
  }

  /** Replaces unsafe code points ({@link SafeText#unsafe}: control, format, ...) and bounds the length. */
  static String truncate(String s, int max) {
    return s == null ? null : SafeText.replaceUnsafe(s, max);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Mutable builder, so that the agent changes one field at a time. */
  public static final class Builder {
    private String apiVersion = Markers.API_VERSION;
    private RequestRef request;
    private HostState state;
    private String message;
    private UpdateRequest.UpdateType type;
    private String fromVersion;
    private String targetVersion;
    private String bootIdBefore;
    private String bootIdAfter;
    private String deploymentBefore;
    private String deploymentAfter;
    private String targetDeployment;
    private int greenbootAttempts;
    private String backupId;
    private DataCopy dataCopy;
    private String restoredBackupId;
    private String failedDataPath;
    private String updatedAt;
    private List<HistoryEntry> history = List.of();
    private Prepared prepared;
    private EtcdSnapshot etcdSnapshot;

    public Builder() {}

    Builder(HostStatus s) {
      apiVersion = s.apiVersion; request = s.request; state = s.state; message = s.message;
      type = s.type; fromVersion = s.fromVersion; targetVersion = s.targetVersion;
      bootIdBefore = s.bootIdBefore; bootIdAfter = s.bootIdAfter;
      deploymentBefore = s.deploymentBefore; deploymentAfter = s.deploymentAfter;
      targetDeployment = s.targetDeployment; greenbootAttempts = s.greenbootAttempts;
      backupId = s.backupId; dataCopy = s.dataCopy; restoredBackupId = s.restoredBackupId;
      failedDataPath = s.failedDataPath; updatedAt = s.updatedAt;
      history = s.history == null ? List.of() : s.history;
      prepared = s.prepared;
      etcdSnapshot = s.etcdSnapshot;
    }

    public Builder request(RequestRef v) { request = v; return this; }
    public Builder state(HostState v) { state = v; return this; }
    public Builder message(String v) { message = v; return this; }
    public Builder type(UpdateRequest.UpdateType v) { type = v; return this; }
    public Builder fromVersion(String v) { fromVersion = v; return this; }
    public Builder targetVersion(String v) { targetVersion = v; return this; }
    public Builder bootIdBefore(String v) { bootIdBefore = v; return this; }
    public Builder bootIdAfter(String v) { bootIdAfter = v; return this; }
    public Builder deploymentBefore(String v) { deploymentBefore = v; return this; }
    public Builder deploymentAfter(String v) { deploymentAfter = v; return this; }
    public Builder targetDeployment(String v) { targetDeployment = v; return this; }
    public Builder greenbootAttempts(int v) { greenbootAttempts = v; return this; }
    public Builder backupId(String v) { backupId = v; return this; }
    public Builder dataCopy(DataCopy v) { dataCopy = v; return this; }
    public Builder restoredBackupId(String v) { restoredBackupId = v; return this; }
    public Builder failedDataPath(String v) { failedDataPath = v; return this; }
    public Builder updatedAt(String v) { updatedAt = v; return this; }
    public Builder history(List<HistoryEntry> v) { history = v; return this; }
    public Builder prepared(Prepared v) { prepared = v; return this; }
    public Builder etcdSnapshot(EtcdSnapshot v) { etcdSnapshot = v; return this; }

    public HostStatus build() {
      return new HostStatus(apiVersion, request, state, message, type, fromVersion, targetVersion,
          bootIdBefore, bootIdAfter, deploymentBefore, deploymentAfter, targetDeployment,
          greenbootAttempts, backupId, dataCopy, restoredBackupId, failedDataPath, updatedAt,
          history, prepared, etcdSnapshot);
    }
  }
}
