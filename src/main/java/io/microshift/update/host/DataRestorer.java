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

  public void restore(Path backupData, Path aside) {
    Path data = ctx.paths().microshiftData();
    boolean dataExists = Files.exists(data, LinkOption.NOFOLLOW_LINKS);
    boolean asideExists = Files.exists(aside, LinkOption.NOFOLLOW_LINKS);
    if (dataExists && asideExists) {
      return; // moved aside and restored already
    }
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
  }
}
