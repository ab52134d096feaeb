package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Puts a backup copy back as /var/lib/microshift. The current data dir is moved aside first and
 * never deleted; then the copy is put in place, by MicroShift's own {@code microshift restore}
 * where it has that verb and accepts the copy, else by {@code cp} into a temp dir and a rename.
 * Progress is in {@link RestoreRecord}: re-running after a crash at any point finishes the same
 * restore, and a finished one is not done twice.
 */
public final class DataRestorer {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /**
   * What {@code microshift restore} requires in a backup, else it refuses it
   * (openshift/microshift pkg/admin/data/data_manager.go, {@code expectedBackupContent},
   * {@code isMicroShiftBackup}; the same list in release-4.14 to main).
   */
  static final List<String> MICROSHIFT_BACKUP_CONTENT = List.of("certs", "etcd", "kubelet-plugins", "resources", "version");

  private final HostContext ctx;

  public DataRestorer(HostContext ctx) {
    this.ctx = ctx;
  }

  /**
   * A new, unique place for the failed data dir beside /var/lib/microshift: the time for the
   * reader, and a random suffix so that two restores in the same second (an early-boot clock
   * that repeats) never share it.
   */
  public static String newAsidePath(Clock clock) {
    return "/var/lib/microshift.failed-" + STAMP.format(clock.instant()) + "-" + randomSuffix();
  }

  /**
   * 8 random hex digits, for names that must be unique beside the second of the stamp (two
   * restores in the same second). Not SecureRandom: the name needs no secrecy (only root writes
   * /var/lib, and a dir already at that name is kept beside the new one, never overwritten: see
   * keepAside), and seeding SecureRandom costs some 10 ms of the rollback's restore, inside the
   * boot.
   */
  private static String randomSuffix() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  /** True when the restore that moves the failed dir to {@code aside} and puts {@code backupId} back has finished. */
  public boolean restored(String aside, String backupId) {
    return RestoreRecord.read(ctx).map(r -> r.isDoneFor(aside, backupId)).orElse(false)
        && Files.isDirectory(ctx.paths().microshiftData(), LinkOption.NOFOLLOW_LINKS);
  }

  public void restore(String backupId, Path backupData, String asideHostPath) {
    if (restored(asideHostPath, backupId)) {
      return;
    }
    HostPaths paths = ctx.paths();
    new RestoreRecord(asideHostPath, backupId, false).write(paths);
    Path data = paths.microshiftData();
    Path aside = paths.host(asideHostPath);
    if (!Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
        DataCopier.rename(data, aside);
        ctx.log().info("moved " + paths.hostPath(data) + " aside to " + asideHostPath);
      } else {
        ctx.log().info(paths.hostPath(data) + " does not exist: nothing to move aside");
      }
    } else if (Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
      // the failed dir is aside already: this data dir is an interrupted attempt of this restore,
      // or one that MicroShift created when it started after the boot unit failed
      keepAside(data, aside, "found while restoring");
    }
    ctx.reached(CrashPoints.BOOT_DATA_MOVED_ASIDE);
    // what an interrupted `microshift restore` leaves behind: it renames the live dir to .saved
    Path saved = data.resolveSibling(data.getFileName() + ".saved");
    if (Files.exists(saved, LinkOption.NOFOLLOW_LINKS)) {
      keepAside(saved, aside, "saved");
    }
    MicroShift ms = ctx.microshift();
    if (ms.hasBackupVerbs() && acceptedByMicroShiftRestore(backupData)) {
      // `microshift restore` renames the live data dir to .saved first, and fails when there is
      // none; it copies the backup in and then deletes .saved (pkg/admin/data/data_manager.go,
      // Restore). The failed dir is aside already: it gets an empty dir, whose deletion loses nothing.
      createEmptyDataDir(data);
      ms.restore(backupData);
      ctx.reached(CrashPoints.BOOT_RESTORE_BEFORE_RENAME);
      if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS) || FileTrees.isEmptyDir(data)) {
        throw new HostException("microshift restore " + paths.hostPath(backupData) + " left no data in " + paths.hostPath(data));
      }
    } else {
      new DataCopier(ctx).copy(backupData, paths.restoreTemp(), data, DataCopier.Method.CP,
          CrashPoints.BOOT_RESTORE_BEFORE_RENAME);
    }
    new RestoreRecord(asideHostPath, backupId, true).write(paths);
  }

  /** Whether {@code microshift restore} would accept this copy as a MicroShift backup. */
  private boolean acceptedByMicroShiftRestore(Path backupData) {
    List<String> missing = MICROSHIFT_BACKUP_CONTENT.stream()
        .filter(n -> !Files.exists(backupData.resolve(n), LinkOption.NOFOLLOW_LINKS)).toList();
    if (!missing.isEmpty()) {
      ctx.log().info("microshift restore would refuse " + ctx.paths().hostPath(backupData) + " (no "
          + String.join(", ", missing) + "); restoring it with cp");
    }
    return missing.isEmpty();
  }

  /** An empty dir holds nothing and is removed; anything else is moved aside beside the failed dir, never deleted. */
  private void keepAside(Path dir, Path aside, String what) {
    if (FileTrees.isEmptyDir(dir)) {
      try {
        Files.delete(dir);
        return;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the empty dir " + dir, e);
      }
    }
    Path to = aside.resolveSibling(aside.getFileName() + "." + what.replace(' ', '-') + "-" + randomSuffix());
    DataCopier.rename(dir, to);
    ctx.log().error("a data dir was " + what + " (" + ctx.paths().hostPath(dir) + "); kept it at "
        + ctx.paths().hostPath(to) + " and restoring from the backup");
  }


  private static void createEmptyDataDir(Path data) {
    try {
      if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        io.microshift.update.backup.AtomicFiles.fsyncDir(data.getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + data, e);
    }
  }
}
