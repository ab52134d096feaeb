package io.microshift.update.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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

  public static final String ETCD_SNAPSHOT = "etcd.snapshot";
  public static final String ETCD_SNAPSHOT_SHA256 = "etcd.snapshot.sha256";
  public static final String DATA_DIR = "data";
  public static final String MANIFEST = "manifest.json";

  private final Path backupsDir;

  /** @param stateDir the state dir, {@code /var/lib/microshift-update} on a host */
  public BackupStore(Path stateDir) {
    this.backupsDir = stateDir.resolve("backups");
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
   * Keeps the newest {@code keep} complete sets and every set named in {@code protectedIds};
   * deletes the other complete sets and every unprotected incomplete set (left-overs of an
   * interrupted backup). Returns the ids deleted.
   */
  public List<String> prune(int keep, Set<String> protectedIds) {
    if (keep < 1) {
      throw new IllegalArgumentException("backup retention must keep at least 1 set, got " + keep);
    }
    List<String> deleted = new ArrayList<>();
    int keptComplete = 0;
    for (BackupSet set : list()) {
      if (protectedIds.contains(set.id())) {
        continue;
      }
      if (set.complete() && keptComplete < keep) {
        keptComplete++;
        continue;
      }
      deleteTree(set.dir());
      deleted.add(set.id());
    }
    return deleted;
  }

  /**
   * Like {@link #prune} but {@code keep} counts {@code inUse} (the set of the update that just
   * committed): {@code inUse} is always kept, plus the newest other complete sets up to {@code keep}
   * in total. Returns the ids deleted.
   */
  public List<String> pruneKeepingTotal(int keep, String inUse) {
    if (inUse == null || !isComplete(inUse)) {
      return prune(keep, inUse == null ? Set.of() : Set.of(inUse));
    }
    if (keep > 1) {
      return prune(keep - 1, Set.of(inUse));
    }
    List<String> deleted = new ArrayList<>();
    for (BackupSet set : list()) {
      if (!set.id().equals(inUse)) {
        deleteTree(set.dir());
        deleted.add(set.id());
      }
    }
    return deleted;
  }

  /** Deletes a tree without following symlinks out of it. */
  static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          if (exc != null) {
            throw exc;
          }
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete backup set " + root, e);
    }
  }
}
