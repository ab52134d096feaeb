package io.microshift.update.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The backup sets under {@code <state dir>/backups/<backup-id>/}, shared by the operator (etcd
 * snapshot and {@code manifest.json}) and the host agent ({@code data/} copy). A set is complete
 * once its {@code manifest.json} exists: the operator writes it last, after the snapshot is
 * verified and renamed into place.
 */
public final class BackupStore {

  /** Backup ids are plain directory names: lower-case letters, digits and dashes. */
  public static final Pattern ID = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

  /** The layout of the state dir's backup sets: {@code backups/<id>/{etcd.snapshot,etcd.snapshot.sha256,data/,manifest.json}}. */
  public static final String BACKUPS_DIR = "backups";
  public static final String ETCD_SNAPSHOT = "etcd.snapshot";
  public static final String ETCD_SNAPSHOT_SHA256 = "etcd.snapshot.sha256";
  public static final String DATA_DIR = "data";
  public static final String MANIFEST = "manifest.json";

  private final Path backupsDir;

  /** @param stateDir the state dir, {@code /var/lib/microshift-update} on a host */
  public BackupStore(Path stateDir) {
    this.backupsDir = stateDir.resolve(BACKUPS_DIR);
  }

  public Path backupsDir() {
    return backupsDir;
  }

  /** The directory of one set; refuses ids that are not plain names. */
  public Path dir(String backupId) {
    requireValidId(backupId);
    return backupsDir.resolve(backupId);
  }

  public Path etcdSnapshot(String backupId) {
    return dir(backupId).resolve(ETCD_SNAPSHOT);
  }

  public Path etcdSnapshotSha256(String backupId) {
    return dir(backupId).resolve(ETCD_SNAPSHOT_SHA256);
  }

  public Path dataDir(String backupId) {
    return dir(backupId).resolve(DATA_DIR);
  }

  public Path manifest(String backupId) {
    return dir(backupId).resolve(MANIFEST);
  }

  public static void requireValidId(String backupId) {
    if (backupId == null || !ID.matcher(backupId).matches()) {
      throw new IllegalArgumentException(
          "invalid backup id '" + backupId + "': use 1-63 lower-case letters, digits and dashes");
    }
  }

  public boolean isComplete(String backupId) {
    return Files.isRegularFile(manifest(backupId), LinkOption.NOFOLLOW_LINKS);
  }

  /** One set on disk. {@code completedAt} is the manifest's mtime, null while incomplete. */
  public record BackupSet(String id, Path dir, boolean complete, FileTime completedAt) {}

  /** Every set, complete ones newest first, then the incomplete ones. Symlinks are ignored. */
  public List<BackupSet> list() {
    List<BackupSet> sets = new ArrayList<>();
    if (!Files.isDirectory(backupsDir, LinkOption.NOFOLLOW_LINKS)) {
      return sets;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(backupsDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!ID.matcher(name).matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Path manifest = entry.resolve(MANIFEST);
        boolean complete = Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS);
        FileTime at = complete ? Files.getLastModifiedTime(manifest, LinkOption.NOFOLLOW_LINKS) : null;
        sets.add(new BackupSet(name, entry, complete, at));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list backup sets in " + backupsDir, e);
    }
    sets.sort(Comparator.comparing(BackupSet::complete).reversed()
        .thenComparing(BackupSet::completedAt, Comparator.nullsLast(Comparator.reverseOrder()))
        .thenComparing(BackupSet::id));
    return sets;
  }

  /**
   * The one retention rule, for the operator and the host agent: at most {@code keep} complete
   * sets stay, counting the protected ones (the active plan's, the one the host's last update
   * refers to), which are never deleted; the newest unprotected complete sets fill the rest.
   * Unprotected incomplete sets (left-overs of an interrupted backup) are deleted. Returns the
   * ids deleted.
   */
  public List<String> prune(int keep, Set<String> protectedIds) {
    if (keep < 1) {
      throw new IllegalArgumentException("backup retention must keep at least 1 set, got " + keep);
    }
    List<BackupSet> sets = list();
    long protectedComplete = sets.stream()
        .filter(s -> s.complete() && protectedIds.contains(s.id())).count();
    long room = Math.max(0, keep - protectedComplete);
    List<String> deleted = new ArrayList<>();
    for (BackupSet set : sets) {
      if (protectedIds.contains(set.id())) {
        continue;
      }
      if (set.complete() && room > 0) {
        room--;
        continue;
      }
      FileTrees.delete(set.dir());
      deleted.add(set.id());
    }
    return deleted;
  }
}
