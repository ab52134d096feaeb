package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.port.HostHandoff;

/**
 * What a rollback did, in one sentence an admin reading {@code oc describe} understands, from the
 * host's facts (host-status.json): the target, greenboot's failed boots, the deployment the device
 * went back to, the backup set restored and when its etcd snapshot was taken. The restore put etcd
 * back to that moment, so the plan's status and events from then until the rollback are gone; the
 * sentence says so, and where the host's own record is (status.host.history, history.json).
 */
public final class RollbackStory {
  private RollbackStory() {}

  /** The message for a plan whose host reports {@code RolledBack} or {@code Restored}. */
  public static String of(UpdatePlan plan, HostHandoff.HostAnswer s) {
    String target = plan.getStatus() == null || plan.getStatus().toVersion == null ? "the target"
        : plan.getStatus().toVersion;
    StringBuilder b = new StringBuilder("the update to ").append(target);
    if (s.greenbootAttempts() != null && s.greenbootAttempts() > 0) {
      b.append(" failed greenboot's health checks (").append(attempts(s.greenbootAttempts())).append(')');
    } else {
      b.append(" failed");
    }
    if (s.deployment() != null) {
      b.append("; greenboot rolled back to deployment ").append(s.deployment());
    }
    String snapshotTime = s.facts() == null ? null : s.facts().etcdSnapshotTime;
    if (s.restoredBackupId() == null) {
      return b.append("; the host agent is restoring MicroShift's data from backup ")
          .append(s.backupId() == null ? "(unknown)" : s.backupId()).toString();
    }
    b.append(" and backup ").append(s.restoredBackupId()).append(" restored MicroShift's data");
    if (snapshotTime != null) {
      b.append(" (etcd as of its snapshot, ").append(snapshotTime).append(')');
    }
    return b.append("; events and status changes of this plan ")
        .append(snapshotTime != null ? "after " + snapshotTime : "after the snapshot")
        .append(" were lost with the restored etcd: status.host.history and `microshift-update status`"
            + " on the device keep the host's record").toString();
  }

  /** "1 greenboot attempt", "3 greenboot attempts". */
  public static String attempts(int n) {
    return n + " greenboot attempt" + (n == 1 ? "" : "s");
  }
}
