package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/** {@code restore BACKUP-ID}: manual restore of /var/lib/microshift (rpm hosts); MicroShift must be stopped. */
public final class RestoreCommand {
  private final HostContext ctx;

  public RestoreCommand(HostContext ctx) {
    this.ctx = ctx;
  }

  public int run(String backupId, PrintStream out) {
    if (backupId == null || !BackupStore.ID.matcher(backupId).matches()) {
      out.println("refused: '" + backupId + "' is not a backup id (lower-case letters, digits, dashes)");
      return 1;
    }
    Path backupData = ctx.backups().dataDir(backupId);
    if (!Files.isDirectory(backupData, LinkOption.NOFOLLOW_LINKS)) {
      out.println("refused: backup set " + backupId + " has no data copy at " + ctx.paths().hostPath(backupData));
      return 1;
    }
    Optional<HostStatus> before = ctx.recorder().read();
    if (before.isPresent() && before.get().state().isApplyInFlight()) {
      out.println("refused: an update is in flight (state " + before.get().state() + "); let it finish or cancel its plan first");
      return 1;
    }
    if (ctx.microshift().isActive()) {
      out.println("refused: microshift.service is running; stop it first: systemctl stop microshift.service");
      return 1;
    }
    try {
      // its etcd scope stops after the service; microshift restore refuses while it runs
      ctx.microshift().awaitStopped(ctx);
    } catch (HostException e) {
      out.println("refused: " + e.getMessage());
      return 1;
    }
    long need = (long) Math.ceil(DiskSpace.treeBytes(backupData) * SpaceCheck.MARGIN);
    long free = ctx.disk().usableBytes(ctx.paths().microshiftData().getParent());
    if (free < need) {
      out.println("refused: need " + need / (1024 * 1024) + " MiB free to restore, have " + free / (1024 * 1024) + " MiB");
      return 1;
    }
    String aside = DataRestorer.newAsidePath(ctx.clock());
    new DataRestorer(ctx).restore(backupId, backupData, aside);
    out.println("restored /var/lib/microshift from backup " + backupId + "; the previous data dir is at " + aside);
    Optional<HostStatus> s = before;
    if (s.isPresent() && s.get().backupId() != null && s.get().backupId().equals(backupId)
        && s.get().state() != HostState.Committed) {
      ctx.recorder().transition("restore", s.get().toBuilder().restoredBackupId(backupId).failedDataPath(aside),
          HostState.Restored, "restored manually from backup " + backupId + "; previous data dir kept at " + aside);
    }
    out.println("start MicroShift again: systemctl start microshift.service");
    return 0;
  }
}
