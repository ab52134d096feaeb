package io.microshift.update.host;

import io.microshift.update.backup.BackupSummary;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.util.List;

/**
 * The etcd snapshot of an Apply, taken by the agent on the host while MicroShift still runs
 * ({@link io.microshift.update.etcd.EtcdBackupService}: jetcd with MicroShift's client
 * certificate, streamed into {@code backups/<id>/etcd.snapshot}, its sha256 in
 * {@code etcd.snapshot.sha256}, validated, then {@code manifest.json}; a complete set is verified
 * against its manifest instead of taken again). Then retention keeps the request's number of
 * complete sets, this one included. Records the snapshot in host-status.json.
 */
final class HostSnapshot {
  private final HostContext ctx;

  HostSnapshot(HostContext ctx) {
    this.ctx = ctx;
  }

  HostStatus take(UpdateRequest req, HostStatus status) {
    String id = req.backup().id();
    if (status.etcdSnapshot() != null && id.equals(status.etcdSnapshot().backupId()) && ctx.backups().isComplete(id)) {
      ctx.etcdBackups().snapshot(id, req.plan().name(), req.plan().uid()); // verifies the complete set again
      return status;
    }
    BackupSummary s = ctx.etcdBackups().snapshot(id, req.plan().name(), req.plan().uid());
    List<String> pruned = ctx.etcdBackups().prune(req.backupRetention(), id);
    if (!pruned.isEmpty()) {
      ctx.log().info("retention (" + req.backupRetention() + " sets): removed backup sets " + String.join(", ", pruned));
    }
    HostStatus.EtcdSnapshot record = new HostStatus.EtcdSnapshot(id, s.sizeBytes(), s.sha256(), s.revision(), ctx.now());
    return ctx.recorder().write(status.toBuilder().etcdSnapshot(record).updatedAt(ctx.now()).build(),
        "apply.write-etcd-snapshot");
  }
}
