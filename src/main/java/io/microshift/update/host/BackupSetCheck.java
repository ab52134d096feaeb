package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Is the backup set a request names really there and the one the operator made? Real
 * directories (no symlink out of the backups dir), a manifest, and an etcd snapshot of the
 * request's size and sha256 (also as recorded in {@code etcd.snapshot.sha256}, when present).
 */
final class BackupSetCheck {
  /** {@code etcd.snapshot.sha256} is one line: the digest and the file name. */
  private static final int MAX_SHA256_FILE_BYTES = 1024;

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
      if (size != backup.etcdSnapshotBytes()) {
        out.add("etcd.snapshot of " + id + " is " + size + " bytes, request says " + backup.etcdSnapshotBytes());
        return out;
      }
      String actual = sha256(snap);
      if (!actual.equals(backup.etcdSnapshotSha256())) {
        out.add("backup.etcdSnapshotSha256: etcd.snapshot of " + id + " has sha256 " + actual
            + ", request says " + backup.etcdSnapshotSha256() + "; the snapshot is not the operator's");
      }
      Path recorded = store.etcdSnapshotSha256(id);
      if (Files.exists(recorded, LinkOption.NOFOLLOW_LINKS)) {
        String line = recordedSha256(recorded);
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

  /** The first word of etcd.snapshot.sha256 ({@code sha256sum} format); "" when unusable. */
  private static String recordedSha256(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return "";
    }
    byte[] b;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      b = in.readNBytes(MAX_SHA256_FILE_BYTES);
    }
    String text = new String(b, java.nio.charset.StandardCharsets.US_ASCII).strip();
    int space = text.indexOf(' ');
    return space < 0 ? text : text.substring(0, space);
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
