package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerCodec;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import io.microshift.update.marker.Versions;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code apply}: stage the update, stop MicroShift, copy its data dir into the backup set,
 * record the boot, reboot. Every sub-step checks what is already done, so running it again after
 * a crash or power cut at any point continues where it stopped.
 */
public final class ApplyCommand {
  private final HostContext ctx;
  private final StatusRecorder recorder;

  public ApplyCommand(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  public int run() {
    Optional<UpdateRequest> maybeReq;
    try {
      maybeReq = recorder.readRequest();
    } catch (MarkerProblems refused) {
      reportRefusedRequest(refused);
      throw refused;
    }
    if (maybeReq.isEmpty()) {
      ctx.log().info("no request.json: nothing to do");
      return 0;
    }
    UpdateRequest req = maybeReq.get();
    Optional<HostStatus> maybeStatus = recorder.read();
    LostStatus lostStatus = new LostStatus(ctx);
    Optional<UpdateRequest> lost = lostStatus.lost(maybeStatus);
    if (lost.isPresent()) {
      return lostStatus.settle(lost.get(), false, "apply");
    }
    Optional<UpdateRequest> accepted = acceptedInsteadOf(req, maybeStatus);
    if (accepted.isPresent()) {
      req = accepted.get();
    }
    if (req.action() == Action.Cancel) {
      return cancel(req, maybeStatus);
    }
    if (req.action() == Action.Prepare) {
      return new PrepareCommand(ctx).run(req, maybeStatus);
    }
    Optional<HostStatus> afterPrepare = applyAfterPrepare(req, maybeStatus);
    if (afterPrepare.isPresent()) {
      maybeStatus = afterPrepare;
    }
    HostStatus status = maybeStatus.orElse(null);
    boolean resumed = status != null && status.isFor(req);
    if (status != null && !status.isFor(req)) {
      Optional<String> refusal = HostChecks.refusalAfter(status, req, "start");
      if (refusal.isPresent()) {
        ctx.log().error(refusal.get());
        return 1;
      }
      status = null;
    }
    if (status == null) {
      Optional<HostStatus> started = start(req);
      if (started.isEmpty()) {
        return 1;
      }
      status = started.get();
    } else if (RestartVerification.inProgress(ctx, status)) {
      return new RestartVerification(ctx).resume(status);
    } else if (status.state().isHandedOver()) {
      ctx.log().info("request " + req.sequence() + " is already " + status.state() + ": nothing to do");
      return 0;
    }
    if (resumed && recorder.acceptedRequest(req.plan().uid(), req.sequence()).isEmpty()) {
      MarkerFiles.writeAcceptedRequest(ctx.paths().stateDir(), req); // a power cut right after Staging
    }
    if (resumed && status.state().isBeforeDataCopy()) {
      // the agent resumes an update it accepted earlier: the set must still be what it checked
      List<String> problems = backupSetProblems(req);
      if (!problems.isEmpty()) {
        return fail(req, status, "the backup set changed since the host accepted the request: "
            + String.join("; ", problems));
      }
    }
    return continueSteps(req, status);
  }

  /**
   * The Apply that follows this plan's Prepare (a higher sequence, the same fixed fields): the
   * host takes it over from {@code Prepared} (or a {@code Preparing} the agent did not finish:
   * the apply steps stage what is missing) and records {@code Staged} for the Apply's sequence;
   * from then on it acts on the Apply (accepted-request.json). Empty when {@code req} is no such
   * Apply.
   */
  private Optional<HostStatus> applyAfterPrepare(UpdateRequest req, Optional<HostStatus> maybeStatus) {
    if (maybeStatus.isEmpty()) {
      return Optional.empty();
    }
    HostStatus s = maybeStatus.get();
    boolean prepared = s.state() == HostState.Prepared || s.state() == HostState.Preparing;
    if (!prepared || !s.request().uid().equals(req.plan().uid()) || s.request().sequence() >= req.sequence()) {
      return Optional.empty();
    }
    // the Prepare's copy, or the Apply's when a crash came between rewriting the copy and recording Staged
    Optional<UpdateRequest> accepted = recorder.acceptedRequest(s.request().uid(), s.request().sequence())
        .or(() -> recorder.acceptedRequest(req.plan().uid(), req.sequence()));
    if (accepted.isEmpty() || !accepted.get().fixedFieldsDifferingFrom(req).isEmpty()) {
      return Optional.empty(); // acceptedInsteadOf already refused a request that changes a fixed field
    }
    MarkerFiles.writeAcceptedRequest(ctx.paths().stateDir(), req);
    HostStatus staged = recorder.transition("apply", s.toBuilder().request(
        new HostStatus.RequestRef(req.plan().uid(), req.sequence())), HostState.Staged,
        "apply (sequence " + req.sequence() + ") after prepare (sequence " + s.request().sequence() + ")"
            + (s.targetDeployment() != null ? ": deployment " + s.targetDeployment() + " is staged" : ""));
    ctx.reached(CrashPoints.APPLY_AFTER_PREPARE_RECORDED);
    return Optional.of(staged);
  }

  /**
   * While an update is in flight, what the host acts on is the request it accepted
   * ({@code accepted-request.json}): a request.json for the same plan may change only the action
   * (a Cancel, with a higher sequence) and the verification. One that changes anything else
   * (another target, backup set, snapshot digest, ...) is refused and logged, and the update in
   * flight continues as accepted. Returns the accepted request to act on instead, when refused.
   */
  private Optional<UpdateRequest> acceptedInsteadOf(UpdateRequest req, Optional<HostStatus> maybeStatus) {
    if (maybeStatus.isEmpty() || maybeStatus.get().state().isTerminal()
        || !maybeStatus.get().request().uid().equals(req.plan().uid())) {
      return Optional.empty();
    }
    HostStatus status = maybeStatus.get();
    Optional<UpdateRequest> accepted = recorder.acceptedRequest(status.request().uid(), status.request().sequence());
    if (accepted.isEmpty()) {
      return Optional.empty(); // accepted by an agent that kept no copy
    }
    List<String> changed = accepted.get().fixedFieldsDifferingFrom(req);
    if (changed.isEmpty() && !UpdateRequest.mayFollow(accepted.get().action(), req.action())) {
      ctx.log().error("request.json refused: sequence " + req.sequence() + " (" + req.action() + ") may not follow "
          + accepted.get().action() + " (sequence " + status.request().sequence() + ", accepted): only Prepare then"
          + " Apply, and Prepare or Apply then Cancel; the update in flight continues as accepted");
      return accepted;
    }
    if (changed.isEmpty()) {
      return Optional.empty();
    }
    ctx.log().error("request.json refused: sequence " + req.sequence() + " (" + req.action() + ") changes "
        + String.join(", ", changed) + ", fixed since the host accepted sequence " + status.request().sequence()
        + " for this plan; only the action (Prepare then Apply, or a Cancel) and the verification may change: the update in flight"
        + " continues as accepted");
    return accepted;
  }

  /**
   * A request.json that is safe to read but fails validation: when its plan uid and sequence
   * are themselves valid and no other update is in flight, record {@code Failed} with the
   * problems so that the operator sees why. An unsafe file (symlink, owner, mode, size) is
   * never parsed.
   */
  private void reportRefusedRequest(MarkerProblems refused) {
    Path file = MarkerFiles.requestFile(ctx.paths().stateDir());
    byte[] bytes;
    try {
      bytes = new MarkerReader(ctx.markerOwnerUid()).readBytes(file).orElse(null);
    } catch (MarkerProblems unsafe) {
      return;
    }
    Optional<HostStatus.RequestRef> ref = bytes == null ? Optional.empty() : MarkerCodec.requestRef(bytes);
    if (ref.isEmpty()) {
      return;
    }
    Optional<HostStatus> current = recorder.read();
    if (current.isPresent() && !current.get().state().isTerminal()) {
      ctx.log().error("request.json refused while another update is in state " + current.get().state());
      return;
    }
    if (current.isPresent() && current.get().request().uid().equals(ref.get().uid())
        && current.get().request().sequence() >= ref.get().sequence()) {
      return; // already reported, or older than the outcome recorded: never overwrite that
    }
    recorder.transition("apply", new HostStatus.Builder().request(ref.get()), HostState.Failed,
        "request.json refused: " + String.join("; ", refused.problems()));
  }

  /** Checks the request against the host and records Staging, or records Failed. */
  private Optional<HostStatus> start(UpdateRequest req) {
    HostStatus.Builder b = new HostStatus.Builder()
        .request(new HostStatus.RequestRef(req.plan().uid(), req.sequence()))
        .type(req.type()).targetVersion(req.target().version()).backupId(req.backup().id())
        .bootIdBefore(ctx.bootId());
    List<String> refusals = new ArrayList<>(new HostChecks(ctx).refusals(req, b));
    refusals.addAll(backupSetProblems(req));
    if (!refusals.isEmpty()) {
      recorder.transition("apply", b, HostState.Failed, "refused: " + String.join("; ", refusals));
      return Optional.empty();
    }
    HostStatus s = recorder.transition("apply", b, HostState.Staging, "staging " + req.type().jsonName()
        + " update " + b.build().fromVersion() + " -> " + req.target().version());
    // after the first status, so that a kept request with the in-flight flag and no status means
    // the status was lost (LostStatus), never a power cut before it was written
    MarkerFiles.writeAcceptedRequest(ctx.paths().stateDir(), req);
    return Optional.of(s);
  }

  private List<String> backupSetProblems(UpdateRequest req) {
    return BackupSetCheck.problems(ctx.backups(), req.backup());
  }

  private int continueSteps(UpdateRequest req, HostStatus status) {
    ctx.reached(CrashPoints.APPLY_VALIDATED);
    MicroShift ms = ctx.microshift();
    String id = req.backup().id();
    Path dataCopy = ctx.backups().dataDir(id);
    boolean copied = status.dataCopy() != null && id.equals(status.dataCopy().backupId())
        && Files.isDirectory(dataCopy, LinkOption.NOFOLLOW_LINKS);

    // 1. free space (nothing to check once the copy exists)
    if (!copied) {
      long dataBytes = DiskSpace.treeBytes(ctx.paths().microshiftData());
      Optional<String> refusal = SpaceCheck.refusal(ctx, req, dataBytes);
      if (refusal.isPresent()) {
        return fail(req, status, refusal.get());
      }
    }
    ctx.reached(CrashPoints.APPLY_DISK_CHECKED);

    // 2. stage (done by the Prepare; an Apply without one, or whose staged deployment an
    // unplanned reboot dropped, stages here)
    String targetDeployment;
    try {
      targetDeployment = new Staging(ctx).stage(req);
    } catch (HostException e) {
      return fail(req, status, "staging failed: " + e.getMessage());
    }
    ctx.reached(CrashPoints.APPLY_STAGED);
    if (status.state() == HostState.Staging) {
      status = recorder.transition("apply", status.toBuilder().targetDeployment(targetDeployment),
          HostState.Staged, "staged " + (targetDeployment != null ? "deployment " + targetDeployment
              : "packages " + String.join(" ", req.target().packages())));
    }
    ctx.reached(CrashPoints.APPLY_STAGED_RECORDED);

    Optional<UpdateRequest> cancel = cancelArrived(req);
    if (cancel.isPresent()) {
      return cancel(cancel.get(), Optional.of(status));
    }

    // 2'. the etcd snapshot, MicroShift still running, when the request carries none of the operator's
    if (!copied && req.backup().hostTakesSnapshot()) {
      try {
        status = new HostSnapshot(ctx).take(req, status);
      } catch (RuntimeException e) {
        return fail(req, status, "the etcd snapshot failed: " + e.getMessage());
      }
      ctx.reached(CrashPoints.APPLY_SNAPSHOT_TAKEN);
    }

    // 3. stop MicroShift, and wait for its etcd scope to stop too
    try {
      if (ms.isActive()) {
        ms.stop(ctx);
      } else {
        ms.awaitStopped(ctx);
      }
    } catch (HostException e) {
      return fail(req, status, "stopping MicroShift failed: " + e.getMessage());
    }
    ctx.reached(CrashPoints.APPLY_MICROSHIFT_STOPPED);

    // 4. offline copy of /var/lib/microshift into the backup set (once per request)
    if (!copied) {
      FileTrees.delete(dataCopy);
      DataCopier.Method method = ms.hasBackupVerbs() ? DataCopier.Method.MICROSHIFT : DataCopier.Method.CP;
      Path tmp = dataCopy.resolveSibling("data.tmp");
      try {
        new DataCopier(ctx).copy(ctx.paths().microshiftData(), tmp, dataCopy, method,
            CrashPoints.APPLY_DATA_COPY_BEFORE_RENAME);
      } catch (HostException | UncheckedIOException e) {
        return copyFailed(req, status, tmp, e);
      }
      ctx.reached(CrashPoints.APPLY_DATA_COPIED);
      HostStatus.DataCopy record = new HostStatus.DataCopy(id, Markers.dataPath(id),
          DiskSpace.treeBytes(dataCopy), method == DataCopier.Method.MICROSHIFT
              ? HostStatus.CopyMethod.microshift : HostStatus.CopyMethod.cp, ctx.bootId(), ctx.now());
      status = recorder.write(status.toBuilder().dataCopy(record).updatedAt(ctx.now()).build(),
          "apply.write-data-copy");
    }
    ctx.reached(CrashPoints.APPLY_DATA_COPY_RECORDED);

    cancel = cancelArrived(req);
    if (cancel.isPresent()) {
      return cancel(cancel.get(), Optional.of(status));
    }

    // 5. rpm: install the exact package set (point of no return on rpm hosts)
    if (req.type() == UpdateType.RPM) {
      if (status.state() != HostState.Restarting
          && !ms.installedPackageVersion().map(req.target().version()::equals).orElse(false)) {
        try {
          new Dnf(ctx.runner()).install(req.target());
        } catch (HostException e) {
          return installFailed(req, status, e);
        }
      }
      ctx.reached(CrashPoints.APPLY_PACKAGES_INSTALLED);
      // 6'. rpm: restart MicroShift instead of rebooting where no reboot is needed
      if (status.state() == HostState.Restarting || (status.state() != HostState.Rebooting
          && RpmRestartRule.rebootReason(req, status.fromVersion(), new Dnf(ctx.runner())).isEmpty())) {
        return new RestartVerification(ctx).restart(req, status);
      }
    }

    // 6. record the boot we leave, then reboot
    String bootId = ctx.bootId();
    if (status.state() != HostState.Rebooting || !bootId.equals(status.bootIdBefore())) {
      status = recorder.transition("apply", status.toBuilder().bootIdBefore(bootId), HostState.Rebooting,
          "rebooting from boot " + bootId + " into " + req.target().version());
    }
    ctx.reached(CrashPoints.APPLY_BOOT_RECORDED);
    if (req.type().deploysOstree()) {
      new Staging(ctx).finalizeAndReboot(req);
    } else {
      ctx.runner().check(List.of("systemctl", "reboot"));
    }
    ctx.reached(CrashPoints.APPLY_REBOOT_REQUESTED);
    return 0;
  }

  /** A Cancel for the same plan written while this apply runs (checked before each irreversible step). */
  private Optional<UpdateRequest> cancelArrived(UpdateRequest req) {
    if (req.action() == Action.Cancel) {
      return Optional.empty();
    }
    return recorder.readRequest().filter(r -> r.action() == Action.Cancel
        && r.plan().uid().equals(req.plan().uid()) && r.sequence() > req.sequence()
        && req.fixedFieldsDifferingFrom(r).isEmpty());
  }

  /**
   * {@code dnf install} failed after MicroShift was stopped and copied (a download, the rpm
   * transaction test, a scriptlet): take the fail path of a failed staging, start MicroShift
   * again and record Failed with dnf's reason; when the packages did change, with the restore
   * command. Without this the agent exited with MicroShift stopped and the update stuck in Staged.
   */
  private int installFailed(UpdateRequest req, HostStatus status, HostException e) {
    String installed = ctx.microshift().installedPackageVersion().orElse("unknown");
    String state = installed.equals(status.fromVersion())
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
  private int copyFailed(UpdateRequest req, HostStatus status, Path tmp, RuntimeException e) {
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

  private int fail(UpdateRequest req, HostStatus status, String why) {
    MicroShift ms = ctx.microshift();
    String restart = removeStaged(req);
    if (!ms.isActive()) {
      ms.start();
      restart += "; MicroShift started again";
    }
    recorder.transition("apply", status.toBuilder(), HostState.Failed, why + restart);
    return 1;
  }

  private String removeStaged(UpdateRequest req) {
    return new Staging(ctx).removeStaged(req);
  }

  /**
   * Cancel: honoured until the point of no return (the reboot on ostree hosts, the package
   * install on rpm hosts). Nothing started for the plan: nothing is written.
   */
  private int cancel(UpdateRequest req, Optional<HostStatus> maybeStatus) {
    if (maybeStatus.isEmpty() || !maybeStatus.get().request().uid().equals(req.plan().uid())
        || maybeStatus.get().request().sequence() > req.sequence()) {
      ctx.log().info("cancel: nothing was started for plan " + req.plan().uid() + "; nothing to do");
      return 0;
    }
    HostStatus status = maybeStatus.get();
    if (status.state().isTerminal() || status.state().isHandedOver()) {
      ctx.log().info("cancel: the update is already " + status.state() + "; nothing to cancel");
      return 0;
    }
    boolean pastNoReturn = status.state() == HostState.Rebooting
        || (req.type() == UpdateType.RPM
            && ctx.microshift().installedPackageVersion().map(req.target().version()::equals).orElse(false));
    if (pastNoReturn) {
      ctx.log().info("cancel refused: the update is past the point of no return; finishing it");
      return continueSteps(req, status);
    }
    removeStaged(req);
    MicroShift ms = ctx.microshift();
    String restart = "";
    if (!ms.isActive()) {
      ms.start();
      restart = "; MicroShift started again";
    }
    recorder.transition("apply", status.toBuilder().request(
        new HostStatus.RequestRef(req.plan().uid(), req.sequence())), HostState.Failed,
        CANCELLED + " by request sequence " + req.sequence() + " before the point of no return; the host is unchanged" + restart);
    return 0;
  }

  /** Prefix of the Failed message written for an honoured Cancel. */
  public static final String CANCELLED = "cancelled";
}
