package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One update as the host agent recorded it when it ended (history.json on the host, docs/marker.md):
 * copied into {@code status.host.history} so that {@code oc} users see the last outcomes also after
 * a rollback restored etcd, and with it the cluster's own record, to before the update.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HostUpdateRecord {
  /** The plan's name (absent when the host refused a request it could not read). */
  public String plan;
  public String planUid;
  /** The request sequence that ended the update. */
  public Long sequence;
  public String fromVersion;
  public String targetVersion;
  /** Committed, RolledBack, Restored (by hand), Cancelled, Failed or Checked (a dry run). */
  public String outcome;
  public String startedAt;
  public String finishedAt;
  public String backupId;
  /** The backup set MicroShift's data was restored from, if it was. */
  public String restoredBackupId;
  /** When the etcd snapshot of the backup set was taken: what a restore goes back to. */
  public String etcdSnapshotTime;
  /** ostree: the deployment booted when the update ended (the previous one after a rollback). */
  public String deploymentAfter;
  public Integer greenbootAttempts;
  public String message;
}
