package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.Sha256Files;
import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Is the backup set a request names really there and the one the operator made? Real
 * directories (no symlink out of the backups dir), a manifest, and an etcd snapshot of the
 * request's size and sha256 (also as recorded in {@code etcd.snapshot.sha256}, when present).
 */
final class BackupSetCheck {
  /** {@code etcd.snapshot.sha256} is one line: the digest and the file name. */

  private BackupSetCheck() {}

  /** Every problem of the request's backup set; empty when it may be relied on. */
  static List<String> problems(BackupStore store, UpdateRequest.Backup backup) {
    List<String> out = new ArrayList<>();
    String id = backup.id();
    Path dir = store.dir(id);
    for (Path d : List.of(store.backupsDir(), dir)) {
      if (Files.isSymbolicLink(d) || (Files.exists(d, LinkOption.NOFOLLOW_LINKS)
          && !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))) {
        out.add("backup.id: " + d + " must be a real directory, not a symlink; the backup set " + id
            + " cannot be trusted");
        return out;
      }
    }
    if (backup.hostTakesSnapshot()) {
      return out; // the agent takes the snapshot itself on Apply (EtcdSnapshotter verifies a complete set)
    }
    if (!store.isComplete(id)) {
      out.add("backup set " + id + " is not complete (no manifest.json from the operator)");
      return out;
    }
    Path snap = store.etcdSnapshot(id);
    try {
      if (!Files.isRegularFile(snap, LinkOption.NOFOLLOW_LINKS)) {
        out.add("backup set " + id + " has no etcd.snapshot");
        return out;
      }
      long size = Files.size(snap);
      if (size != backup.etcdSnapshotBytes().longValue()) {
        out.add("etcd.snapshot of " + id + " is " + size + " bytes, request says " + backup.etcdSnapshotBytes());
        return out;
      }
      String actual = Sha256Files.of(snap);
      if (!actual.equals(backup.etcdSnapshotSha256())) {
        out.add("backup.etcdSnapshotSha256: etcd.snapshot of " + id + " has sha256 " + actual
            + ", request says " + backup.etcdSnapshotSha256() + "; the snapshot is not the operator's");
      }
      Path recorded = store.etcdSnapshotSha256(id);
      if (Files.exists(recorded, LinkOption.NOFOLLOW_LINKS)) {
        String line = Sha256Files.recorded(recorded);
        if (!line.equals(backup.etcdSnapshotSha256())) {
          out.add("backup.etcdSnapshotSha256: " + BackupStore.ETCD_SNAPSHOT_SHA256 + " of " + id
              + " does not record the request's sha256 " + backup.etcdSnapshotSha256());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check backup set " + id, e);
    }
    return out;
  }
}
