package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The host agent's last report, copied from host-status.json. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HostReport {
  public String state;
  public String message;
  public String bootId;
  public String deployment;
  public Integer greenbootAttempts;
  public String restoredBackupId;
  public String updatedAt;
  /** The host's Prepare facts and its etcd snapshot. */
  public HostFacts facts;
  /**
   * The last updates that ended on this host, newest first (history.json), mirrored while the plan
   * runs; after a rollback the only record, on the cluster, of what happened after the snapshot.
   */
  public java.util.List<HostUpdateRecord> history;
}
