package io.microshift.update.host;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Puts a backup copy back as /var/lib/microshift: the current dir is moved aside first (never
 * deleted), then the copy goes to a temp dir and is renamed into place (or MicroShift's own
 * {@code restore} verb does that part). Safe to re-run at any point.
 */
public final class DataRestorer {
  private final HostContext ctx;

  public DataRestorer(HostContext ctx) {
    this.ctx = ctx;
  }

  /**
   * True when the restore is complete: the failed dir is aside and the data dir in place is the
   * one this restorer put there. A data dir that appeared while a restore was in progress (the
   * boot unit failed after moving the failed dir aside and systemd started MicroShift anyway, on
   * an empty data dir) is not a restore.
   */
  public static boolean restored(HostPaths paths, Path aside) {
    return Files.exists(paths.microshiftData(), LinkOption.NOFOLLOW_LINKS) && Files.exists(aside, LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(paths.restoreInProgress(), LinkOption.NOFOLLOW_LINKS);
  }

  public void restore(Path backupData, Path aside) {
    Path data = ctx.paths().microshiftData();
    Path inProgress = ctx.paths().restoreInProgress();
    if (restored(ctx.paths(), aside)) {
      return; // moved aside and restored already
    }
    boolean dataExists = Files.exists(data, LinkOption.NOFOLLOW_LINKS);
    boolean asideExists = Files.exists(aside, LinkOption.NOFOLLOW_LINKS);
    if (dataExists && asideExists) {
      // not ours (see restored()): keep it, never delete it, and restore over nothing
      Path extra = aside.resolveSibling(aside.getFileName() + ".started-during-restore-"
          + ctx.clock().instant().getEpochSecond());
      DataCopier.rename(data, extra);
      ctx.log().error("a data dir appeared while the restore was in progress (MicroShift started after the"
          + " boot unit failed?); moved it aside to " + ctx.paths().hostPath(extra) + " and restoring again");
      dataExists = false;
    }
    markInProgress(inProgress, true);
    if (dataExists) {
      DataCopier.rename(data, aside);
      ctx.log().info("moved " + ctx.paths().hostPath(data) + " aside to " + ctx.paths().hostPath(aside));
    }
    ctx.reached(CrashPoints.BOOT_DATA_MOVED_ASIDE);
    MicroShift ms = ctx.microshift();
    if (ms.hasBackupVerbs()) {
      ms.restore(backupData);
      ctx.reached(CrashPoints.BOOT_RESTORE_BEFORE_RENAME);
      if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
        throw new HostException("microshift restore " + backupData + " did not create " + data);
      }
    } else {
      new DataCopier(ctx).copy(backupData, ctx.paths().restoreTemp(), data, DataCopier.Method.CP,
          CrashPoints.BOOT_RESTORE_BEFORE_RENAME);
    }
    markInProgress(inProgress, false);
  }

  private static void markInProgress(Path marker, boolean on) {
    try {
      if (on) {
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
          Files.writeString(marker, "restoring /var/lib/microshift\n");
        }
      } else {
        Files.deleteIfExists(marker);
      }
      io.microshift.update.marker.MarkerStore.fsyncDir(marker.getParent());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot " + (on ? "write " : "remove ") + marker, e);
    }
  }
}
