package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How an apply that failed before the point of no return ends: the staged deployment removed,
 * MicroShift started again and {@code Failed} recorded with the reason.
 */
final class ApplyFailure {
  private final HostContext ctx;
  private final StatusRecorder recorder;

  ApplyFailure(HostContext ctx, StatusRecorder recorder) {
    this.ctx = ctx;
    this.recorder = recorder;
  }

  /** Undoes what can be undone and records {@code Failed} with {@code why}; returns the exit code 1. */
  int fail(UpdateRequest req, HostStatus status, String why) {
    MicroShift ms = ctx.microshift();
    String restart = removeStaged(req);
    if (!ms.isActive()) {
      ms.start();
      restart += "; MicroShift started again";
    }
    recorder.transition("apply", status.toBuilder(), HostState.Failed, why + restart);
    return 1;
  }

  String removeStaged(UpdateRequest req) {
    return new Staging(ctx).removeStaged(req);
  }

  /**
   * {@code dnf install} failed after MicroShift was stopped and copied (a download, the rpm
   * transaction test, a scriptlet): take the fail path of a failed staging, start MicroShift
   * again and record Failed with dnf's reason; when the packages did change, with the restore
   * command. Without this the agent exited with MicroShift stopped and the update stuck in Staged.
   */
  int installFailed(UpdateRequest req, HostStatus status, HostException e) {
    String installed = ctx.microshift().installedPackageVersion().orElse("unknown");
    String state = MicroShift.isRelease(installed, status.fromVersion())
        ? "; the packages are unchanged (microshift " + installed + ")"
        : "; the installed microshift is now " + installed + BootCommand.restoreHint(status)
            + " (after reinstalling MicroShift " + status.fromVersion() + ", see docs/procedures/restore-rpm.md)";
    return fail(req, status, e.getMessage() + state);
  }

  /**
   * The data copy failed (a full disk, an I/O error): nothing irreversible happened yet, so undo
   * what did (the partial copy, the staged deployment), start MicroShift again and record Failed.
   * Without this the agent exited with MicroShift stopped and the update stuck in Staged.
   */
  int copyFailed(UpdateRequest req, HostStatus status, Path tmp, RuntimeException e) {
    ctx.log().error("data copy failed: " + e.getMessage());
    String undone = "";
    try {
      FileTrees.delete(tmp);
      undone = "; the partial copy was removed";
    } catch (UncheckedIOException cleanup) {
      undone = "; could not remove the partial copy " + ctx.paths().hostPath(tmp) + ": " + cleanup.getMessage();
    }
    return fail(req, status, "copying /var/lib/microshift into backup set " + req.backup().id() + " failed: "
        + e.getMessage() + undone + "; the host is unchanged");
  }
}
