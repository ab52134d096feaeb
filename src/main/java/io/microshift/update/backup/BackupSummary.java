package io.microshift.update.backup;

/**
 * What the reconciler records of a finished etcd backup, in the plan's status and in
 * request.json: plain JSON-friendly values (paths and times as strings).
 *
 * @param id the backup set id
 * @param dir the set's directory
 * @param snapshotPath the verified {@code etcd.snapshot}
 * @param sizeBytes the snapshot's size
 * @param sha256 the snapshot's sha256, lower-case hex
 * @param revision the etcd store revision at the snapshot (lower bound, see {@link BackupManifest})
 * @param etcdVersion the etcd server version that produced it
 * @param createdAt RFC 3339 time the snapshot was completed
 * @param reused true when an existing complete set was verified and returned, no new snapshot taken
 */
public record BackupSummary(
    String id,
    String dir,
    String snapshotPath,
    long sizeBytes,
    String sha256,
    long revision,
    String etcdVersion,
    String createdAt,
    boolean reused) {

  public static BackupSummary of(BackupStore store, BackupManifest m, boolean reused) {
    return new BackupSummary(m.id(), store.dir(m.id()).toString(),
        store.etcdSnapshot(m.id()).toString(), m.etcd().sizeBytes(), m.etcd().sha256(),
        m.etcd().revision(), m.etcd().etcdVersion(), m.createdAt(), reused);
  }
}
