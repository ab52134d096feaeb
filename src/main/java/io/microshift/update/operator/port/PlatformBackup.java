package io.microshift.update.operator.port;

import io.microshift.update.api.BackupStatus;
import io.microshift.update.api.UpdatePlan;
import java.util.List;
import java.util.Set;

/** MicroShift's etcd: preflight, snapshot into a backup set, retention (issue 6). */
public interface PlatformBackup {

  /** Human problems that block the update (empty: fine). Never throws for an unreachable etcd. */
  List<String> preflight(UpdatePlan plan);

  /** Bytes the backup set will need (snapshot plus data-dir copy), and what is free. */
  long[] estimateAndFree(UpdatePlan plan);

  /** Takes (or finds, when already complete) the snapshot of backup set {@code backupId}. */
  BackupStatus snapshot(UpdatePlan plan, String backupId);

  /** Keeps the newest {@code keep} complete sets and every protected one. */
  List<String> prune(int keep, Set<String> protectedIds);
}
