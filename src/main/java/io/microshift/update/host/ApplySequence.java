package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The steps of {@code apply} once the request is accepted, in order: check the free space, stage,
 * take the etcd snapshot, stop MicroShift, copy its data, install the packages (rpm), record the
 * boot and reboot. Each step checks what is already done, so running the sequence again after a
 * crash or a power cut continues where it stopped. Before the two irreversible steps (the snapshot
 * and stop, the package install or reboot) the sequence stops at a Cancel that arrived; what to do
 * with it is the caller's decision.
 */
final class ApplySequence {
  /** How the sequence ended. */
  sealed interface Outcome permits Exit, CancelArrived {}

  /** The verb is done, with this exit code. */
  record Exit(int code) implements Outcome {}

  /** A Cancel for this plan arrived at a cancellation point; {@code status} is the status then. */
  record CancelArrived(UpdateRequest cancel, HostStatus status) implements Outcome {}

  /** One step: empty to go on with the next one, or how the sequence ends. */
  @FunctionalInterface
  private interface Step {
    Optional<Outcome> run(Progress p);
  }

  /** What the steps of one run share: the request, the status as recorded last, the data copy. */
  private static final class Progress {
    final UpdateRequest req;
    final Path dataCopy;
    final boolean copied;
    HostStatus status;

    Progress(UpdateRequest req, HostStatus status, Path dataCopy, boolean copied) {
      this.req = req;
      this.status = status;
      this.dataCopy = dataCopy;
      this.copied = copied;
    }
  }

  private final HostContext ctx;
  private final StatusRecorder recorder;
  private final ApplyFailure failure;
  private final List<Step> steps = List.of(this::checkFreeSpace, this::stage, this::cancelPoint, this::checkShutdownLocks,
      this::takeSnapshot,
      this::stopMicroShift, this::copyData, this::cancelPoint, this::installPackages, this::reboot);

  ApplySequence(HostContext ctx, StatusRecorder recorder) {
    this.ctx = ctx;
    this.recorder = recorder;
    this.failure = new ApplyFailure(ctx, recorder);
  }

  Outcome run(UpdateRequest req, HostStatus status) {
    ctx.reached(CrashPoints.APPLY_VALIDATED);
    String id = req.backup().id();
    Path dataCopy = ctx.backups().dataDir(id);
    boolean copied = status.dataCopy() != null && id.equals(status.dataCopy().backupId())
        && Files.isDirectory(dataCopy, LinkOption.NOFOLLOW_LINKS);
    Progress p = new Progress(req, status, dataCopy, copied);
    for (Step step : steps) {
      Optional<Outcome> end = step.run(p);
      if (end.isPresent()) {
        return end.get();
      }
    }
    return new Exit(0);
  }

  /** 1. Free space for the copy and the staging (nothing to check once the copy exists). */
  private Optional<Outcome> checkFreeSpace(Progress p) {
    if (!p.copied) {
      long dataBytes = DiskSpace.treeBytes(ctx.paths().microshiftData());
      Optional<String> refusal = SpaceCheck.refusal(ctx, p.req, dataBytes);
      if (refusal.isPresent()) {
        return fail(p, refusal.get());
      }
    }
    ctx.reached(CrashPoints.APPLY_DISK_CHECKED);
    return Optional.empty();
  }

  /**
   * 2. Stage, and record {@code Staged}: done by the Prepare; an Apply without one, or whose staged
   * deployment an unplanned reboot dropped, stages here.
   */
  private Optional<Outcome> stage(Progress p) {
    String targetDeployment;
    try {
      targetDeployment = new Staging(ctx).stage(p.req);
    } catch (HostException e) {
      return fail(p, "staging failed: " + e.getMessage());
    }
    ctx.reached(CrashPoints.APPLY_STAGED);
    p.status = recorder.read().filter(s -> s.isFor(p.req)).orElse(p.status); // the staging may have recorded a wait
    if (p.status.state() == HostState.Staging) {
      p.status = recorder.transition("apply", p.status.toBuilder().targetDeployment(targetDeployment),
          HostState.Staged, "staged " + (targetDeployment != null ? "deployment " + targetDeployment
              : "packages " + String.join(" ", p.req.target().packages())));
    }
    ctx.reached(CrashPoints.APPLY_STAGED_RECORDED);
    return Optional.empty();
  }

  /** Stops at a Cancel for the same plan written while this apply runs. */
  private Optional<Outcome> cancelPoint(Progress p) {
    if (p.req.action() == Action.Cancel) {
      return Optional.empty();
    }
    return recorder.readRequest().filter(r -> r.action() == Action.Cancel
        && r.plan().uid().equals(p.req.plan().uid()) && r.sequence() > p.req.sequence()
        && p.req.fixedFieldsDifferingFrom(r).isEmpty())
        .map(cancel -> new CancelArrived(cancel, p.status));
  }

  /**
   * 2'. Before the downtime grows: an update that will reboot stops here, MicroShift still running,
   * while a systemd inhibitor lock refuses the reboot ({@link ShutdownInhibitors}) or the bash
   * greenboot's boot counter cannot be armed; later it would fail after the snapshot, the stop and
   * the copy.
   */
  private Optional<Outcome> checkShutdownLocks(Progress p) {
    if (!p.copied) {
      Optional<String> blocked = ShutdownInhibitors.refusalFor(ctx, p.req, p.status.fromVersion());
      if (blocked.isPresent()) {
        return fail(p, blocked.get() + "; nothing was stopped or changed");
      }
      Optional<String> unarmed = unarmedBootCounter(p.req);
      if (unarmed.isPresent()) {
        return fail(p, unarmed.get() + "; nothing was stopped or changed");
      }
    }
    return Optional.empty();
  }

  /** The bash greenboot's boot counter, armed for the reboot into the target ({@link GreenbootBootCounter#ensureArmed}). */
  private Optional<String> unarmedBootCounter(UpdateRequest req) {
    return GreenbootBootCounter.counts(ctx, req) ? new GreenbootBootCounter(ctx).ensureArmed() : Optional.empty();
  }

  /** 2''. The etcd snapshot, MicroShift still running, when the request carries none of the operator's. */
  private Optional<Outcome> takeSnapshot(Progress p) {
    if (!p.copied && p.req.backup().hostTakesSnapshot()) {
      try {
        p.status = new HostSnapshot(ctx).take(p.req, p.status);
      } catch (RuntimeException e) {
        return fail(p, "the etcd snapshot failed: " + e.getMessage());
      }
      ctx.reached(CrashPoints.APPLY_SNAPSHOT_TAKEN);
    }
    return Optional.empty();
  }

  /** 3. Stop MicroShift, and wait for its etcd scope to stop too. */
  private Optional<Outcome> stopMicroShift(Progress p) {
    MicroShift ms = ctx.microshift();
    try {
      if (ms.isActive()) {
        ms.stop(ctx);
      } else {
        ms.awaitStopped(ctx);
      }
    } catch (HostException e) {
      return fail(p, "stopping MicroShift failed: " + e.getMessage());
    }
    ctx.reached(CrashPoints.APPLY_MICROSHIFT_STOPPED);
    return Optional.empty();
  }

  /** 4. The offline copy of /var/lib/microshift into the backup set (once per request), recorded. */
  private Optional<Outcome> copyData(Progress p) {
    if (!p.copied) {
      String id = p.req.backup().id();
      FileTrees.delete(p.dataCopy);
      DataCopier.Method method = ctx.microshift().hasBackupVerbs() ? DataCopier.Method.MICROSHIFT : DataCopier.Method.CP;
      Path tmp = p.dataCopy.resolveSibling("data.tmp");
      try {
        new DataCopier(ctx).copy(ctx.paths().microshiftData(), tmp, p.dataCopy, method,
            CrashPoints.APPLY_DATA_COPY_BEFORE_RENAME);
      } catch (HostException | UncheckedIOException e) {
        return Optional.of(new Exit(failure.copyFailed(p.req, p.status, tmp, e)));
      }
      ctx.reached(CrashPoints.APPLY_DATA_COPIED);
      HostStatus.DataCopy record = new HostStatus.DataCopy(id, Markers.dataPath(id),
          DiskSpace.treeBytes(p.dataCopy), method == DataCopier.Method.MICROSHIFT
              ? HostStatus.CopyMethod.microshift : HostStatus.CopyMethod.cp, ctx.bootId(), ctx.now());
      p.status = recorder.write(p.status.toBuilder().dataCopy(record).updatedAt(ctx.now()).build(),
          "apply.write-data-copy");
    }
    ctx.reached(CrashPoints.APPLY_DATA_COPY_RECORDED);
    return Optional.empty();
  }

  /**
   * 5. rpm: install the exact package set (the point of no return on rpm hosts); then 6'. restart
   * MicroShift instead of rebooting where no reboot is needed.
   */
  private Optional<Outcome> installPackages(Progress p) {
    if (p.req.type() != UpdateType.RPM) {
      return Optional.empty();
    }
    HostStatus status = p.status;
    if (status.state() != HostState.Restarting
        && !ctx.microshift().hasInstalled(p.req.target().version())) {
      try {
        ctx.packages().install(p.req.target());
      } catch (HostException e) {
        return Optional.of(new Exit(failure.installFailed(p.req, status, e)));
      }
    }
    ctx.reached(CrashPoints.APPLY_PACKAGES_INSTALLED);
    if (status.state() == HostState.Restarting || (status.state() != HostState.Rebooting
        && RpmRestartRule.rebootReason(p.req, status.fromVersion(), ctx.packages()).isEmpty())) {
      return Optional.of(new Exit(new RestartVerification(ctx).restart(p.req, status)));
    }
    return Optional.empty();
  }

  /**
   * 6. Record the boot we leave, then reboot, the bash greenboot's boot counter armed again if
   * something cleared it since step 2'. A systemd inhibitor lock taken since step 2' refuses
   * the reboot: ostree and image undo the update (the staged deployment is still locked, the data
   * unchanged); rpm, whose packages are installed, waits in Rebooting for a reboot.
   */
  private Optional<Outcome> reboot(Progress p) {
    Optional<String> blocked = ShutdownInhibitors.refusal(ctx, ShutdownInhibitors.actionOf(p.req));
    if (blocked.isPresent() && p.req.type().deploysOstree()) {
      return fail(p, blocked.get() + "; the update did not take effect");
    }
    Optional<String> unarmed = unarmedBootCounter(p.req);
    if (unarmed.isPresent()) {
      return fail(p, unarmed.get() + "; the update did not take effect");
    }
    String bootId = ctx.bootId();
    if (p.status.state() != HostState.Rebooting || !bootId.equals(p.status.bootIdBefore())) {
      p.status = recorder.transition("apply", p.status.toBuilder().bootIdBefore(bootId), HostState.Rebooting,
          "rebooting from boot " + bootId + " into " + p.req.target().version());
    }
    ctx.reached(CrashPoints.APPLY_BOOT_RECORDED);
    if (blocked.isPresent()) {
      p.status = recorder.transition("apply", p.status.toBuilder(), HostState.Rebooting, blocked.get()
          + "; MicroShift " + p.req.target().version() + " is installed and stopped: reboot the host once the lock"
          + " is released, or run systemctl start microshift-update-apply.service to try again");
      return Optional.of(new Exit(1));
    }
    if (p.req.type().deploysOstree()) {
      new Staging(ctx).finalizeAndReboot(p.req);
    } else {
      ctx.systemd().reboot();
    }
    ctx.reached(CrashPoints.APPLY_REBOOT_REQUESTED);
    return Optional.of(new Exit(0));
  }

  private Optional<Outcome> fail(Progress p, String why) {
    return Optional.of(new Exit(failure.fail(p.req, p.status, why)));
  }
}
