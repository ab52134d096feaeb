package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the host agent found when it prepared the update, and the etcd snapshot it took on Apply
 * (host-status.json's {@code prepared} and {@code etcdSnapshot}). The operator never reaches etcd:
 * these are the host's figures.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HostFacts {
  /** The Prepare only checked (a dry run): nothing was downloaded or staged. */
  public Boolean dryRun;
  /** Usable bytes where the backup set goes. */
  public Long freeBytes;
  /** What every copy that coexists at the peak of the update needs there. */
  public Long requiredBytes;
  public Boolean etcdHealthy;
  public String etcdVersion;
  public Long etcdDbSizeBytes;
  public List<String> etcdAlarms;
  /** ostree: the booted deployment. */
  public String bootedDeployment;
  /** ostree: the target deployment staged by Prepare. */
  public String stagedDeployment;
  /** ostree: the staged deployment is not finalized at a shutdown (an unplanned reboot boots the booted one). */
  public Boolean finalizationLocked;
  /** ostree: the registered rpm-ostree update driver, if any. */
  public String updateDriver;
  /** rpm: the package set resolved and downloaded. */
  public List<String> packages;
  /** The etcd snapshot the host took on Apply, MicroShift running. */
  public Long etcdSnapshotBytes;
  public String etcdSnapshotSha256;
  public Long etcdSnapshotRevision;
  /** When the host took that snapshot: a rollback restores the cluster to this moment. */
  public String etcdSnapshotTime;
}
