package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code boot}: runs once per boot before microshift.service (and after greenboot's fallback).
 * Decides from host-status.json, the boot id and the booted deployment: the target booted
 * ({@code Booted}), a rollback (restore the data dir: {@code RolledBack} then {@code Restored}),
 * or nothing to do. Re-running it after a crash at any point finishes the same decision.
 */
public final class BootCommand {

  private final HostContext ctx;
  private final StatusRecorder recorder;

  public BootCommand(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  public int run() {
    Optional<HostStatus> maybe = recorder.read();
    LostStatus lostStatus = new LostStatus(ctx);
    Optional<io.microshift.update.marker.UpdateRequest> lost = lostStatus.lost(maybe);
    if (lost.isPresent()) {
      Optional<HostStatus> rolledBack = lostStatus.rolledBack(lost.get());
      return rolledBack.isPresent() ? rollback(rolledBack.get(), ctx.bootId(), null)
          : lostStatus.settle(lost.get(), true, "boot");
    }
    FlagFile commitUnconfirmed = new FlagFile(ctx.paths().commitUnconfirmedFlag(), ctx.log());
    if (commitUnconfirmed.isSet()) {
      Optional<Integer> rc = afterCommit(maybe, commitUnconfirmed);
      if (rc.isPresent()) {
        return rc.get();
      }
    }
    if (maybe.isEmpty() || maybe.get().state().isTerminal()) {
      ctx.log().info("boot: no update in flight");
      recorder.settled(maybe);
      return 0;
    }
    HostStatus s = maybe.get();
    String boot = ctx.bootId();
    clearTriggerOfLockedStaging(s, boot);
    switch (s.state()) {
      case Staging, Staged, Rebooting, Restarting -> {
        if (boot.equals(s.bootIdBefore())) {
          ctx.log().info("boot: same boot as the apply in progress; nothing to do");
          return 0;
        }
        if (targetBooted(s)) {
          return booted(s, boot, "target " + s.targetVersion() + " booted");
        }
        Optional<String> neverBooted = targetNeverBooted(s);
        if (neverBooted.isPresent()) {
          return rollback(s, boot, neverBooted.get());
        }
        ctx.log().info("boot: the update was interrupted before the target booted (state "
            + s.state() + "); microshift-update-apply.service resumes it");
        return 0;
      }
      case Booted, Healthy, Unhealthy -> {
        if (boot.equals(s.bootIdAfter())) {
          ctx.log().info("boot: already recorded this boot");
          return 0;
        }
        if (targetBooted(s)) {
          return booted(s, boot, "target " + s.targetVersion() + " booted again after "
              + s.greenbootAttempts() + " failed greenboot attempt(s)");
        }
        if (s.type().deploysOstree() && ctx.booted().bootedChecksum().map(d -> d.equals(s.deploymentBefore())).orElse(false)) {
          return rollback(s, boot, "greenboot rolled back to deployment " + s.deploymentBefore());
        }
        String what = s.type().deploysOstree()
            ? "booted deployment " + ctx.booted().bootedChecksum().orElse("unknown") + " is neither the target nor the previous one"
            : "installed MicroShift is " + ctx.microshift().installedPackageVersion().orElse("unknown")
                + ", not the target " + s.targetVersion();
        recorder.transition("boot", s.toBuilder().bootIdAfter(boot), HostState.Failed,
            what + restoreHint(s));
        return 1;
      }
      case RolledBack -> {
        return rollback(s, boot, null);
      }
      default -> {
        return 0;
      }
    }
  }

  /**
   * The first boot after green.d committed an ostree or image update (the commit-unconfirmed flag):
   * the target booted again, and the commit stands; or grub fell back to the previous deployment
   * because it never learnt that the target's boot was good (a power cut between green.d and
   * greenboot's grub update, on the last boot attempt), and the old MicroShift would meet the data
   * that the target migrated. Then, where the fallback is made permanent (the bash greenboot's
   * fallback unit made the booted deployment the default before this unit; greenboot-rs's health
   * check will, its rollback trigger naming another deployment: {@link #greenbootRsWillRollBack}), the
   * data is restored as after any rollback: {@code Committed} → {@code RolledBack} → {@code
   * Restored}. The previous deployment picked by hand while the target stays the default is left
   * alone. Empty: go on as without the flag.
   */
  private Optional<Integer> afterCommit(Optional<HostStatus> maybe, FlagFile flag) {
    String boot = ctx.bootId();
    if (maybe.isEmpty() || maybe.get().state() != HostState.Committed || !maybe.get().type().deploysOstree()) {
      flag.clear(); // a later update, or a restore that finished
      return Optional.empty();
    }
    HostStatus s = maybe.get();
    if (boot.equals(s.bootIdAfter())) {
      return Optional.of(0); // the boot of the commit itself: wait for the next one
    }
    if (targetBooted(s)) {
      ctx.log().info("boot: the committed target " + s.targetVersion() + " booted again; the commit stands");
      flag.clear();
      return Optional.empty();
    }
    String booted = ctx.booted().bootedChecksum().orElse(null);
    if (booted == null || !booted.equals(s.deploymentBefore())) {
      flag.clear();
      return Optional.empty();
    }
    String why = "deployment " + s.deploymentBefore() + " booted again after the update to " + s.targetVersion()
        + " was committed: grub fell back before greenboot recorded the target's boot as good (a power cut right"
        + " after green.d on the last boot attempt)";
    java.util.List<RpmOstree.Deployment> ds = ctx.ostree().deployments();
    boolean permanent = !ds.isEmpty() && ds.get(0).booted();
    if (!permanent) {
      permanent = greenbootRsWillRollBack(s).isPresent();
    }
    if (!permanent) {
      ctx.log().error("boot: deployment " + booted + " is booted although the committed target "
          + s.targetDeployment() + " stays the default (picked in the boot menu?); the data dir is the target's:"
          + " boot the target again");
      flag.clear();
      return Optional.of(0);
    }
    int rc = rollback(s, boot, why);
    flag.clear();
    return Optional.of(rc);
  }

  /**
   * Only the "target booted" decision, for the greenboot check: if {@code boot} did not run or
   * crashed on the target boot, the check still sees the update (and never restores anything
   * while MicroShift may run).
   */
  public void recordTargetBooted() {
    Optional<HostStatus> maybe = recorder.read();
    if (maybe.isEmpty()) {
      return;
    }
    HostStatus s = maybe.get();
    String boot = ctx.bootId();
    boolean beforeReboot = s.state().isBeforeTargetBoot();
    if (beforeReboot && !boot.equals(s.bootIdBefore()) && targetBooted(s)) {
      booted(s, boot, "target " + s.targetVersion() + " booted (recorded by the greenboot check)");
    }
    // greenboot's next attempt on the target (the same decision as run()): without it the check
    // would pass a retry boot on which the boot unit did not run
    boolean afterAttempt = s.state().isVerifying();
    if (afterAttempt && !boot.equals(s.bootIdAfter()) && targetBooted(s)) {
      booted(s, boot, "target " + s.targetVersion() + " booted again after " + s.greenbootAttempts()
          + " failed greenboot attempt(s) (recorded by the greenboot check)");
    }
  }

  /**
   * ostree: the reboot into the target was requested, yet the previous deployment is booted and
   * the target deployment is still there. The target never came up: grub's boot counter ran out
   * and greenboot's fallback ran {@code rpm-ostree rollback} (fedora-iot/greenboot
   * greenboot-rpm-ostree-grub2-check-fallback, {@code attempt_rollback}), or greenboot-rs rolled
   * back from the failing boot; either way the target is now {@code deployments[1]}. That is a
   * rollback, never an interrupted apply: staging the same request again would loop. A target
   * missing from the deployments was never finalized (the staged deployment is lost on a power cut
   * before the shutdown), so the apply unit stages it again. Where the target is still the default
   * (the old entry was picked in the boot menu, or grub fell back from a kernel it could not load),
   * it is rolled back first so that no later boot runs it unsupervised, unless greenboot-rs will:
   * with its rollback trigger set to another deployment than the booted one, its health check,
   * which runs after this unit, takes the boot as grub's fallback and runs the rollback itself
   * (fedora-iot/greenboot-rs src/main.rs, {@code detect_grub_fallback}, {@code
   * handle_rollback(RollbackMode::Forced)}); a second rollback of ours would swap the deployments
   * back and leave the target the default.
   */
  private Optional<String> targetNeverBooted(HostStatus s) {
    if (!s.type().deploysOstree() || s.state() != HostState.Rebooting || s.targetDeployment() == null
        || !ctx.booted().bootedChecksum().map(d -> d.equals(s.deploymentBefore())).orElse(false)) {
      return Optional.empty();
    }
    java.util.List<RpmOstree.Deployment> ds = ctx.ostree().deployments();
    int target = -1;
    for (int i = 0; i < ds.size(); i++) {
      if (ds.get(i).checksum().equals(s.targetDeployment())) {
        target = i;
      }
    }
    if (target < 0) {
      return Optional.empty();
    }
    String why = "the target deployment " + s.targetDeployment() + " never came up: deployment "
        + s.deploymentBefore() + " is booted again";
    if (target == 0) {
      Optional<String> trigger = greenbootRsWillRollBack(s);
      if (trigger.isPresent()) {
        return Optional.of(why + " although the target was the default (grub's fallback, or chosen in the boot menu);"
            + " greenboot-rs makes the booted deployment the default in its health check (its rollback trigger "
            + Grubenv.ROLLBACK_TRIGGER + " is " + Markers.printable(trigger.get(), 80) + ")");
      }
      String rollback;
      if (s.type() == UpdateType.IMAGE) {
        ctx.image().rollback();
        rollback = "bootc rollback";
      } else {
        rollback = rollBackToTheBooted();
      }
      why += " although the target was the default (chosen in the boot menu?); " + rollback
          + " made it the default again";
    } else {
      why += " (greenboot's fallback)";
    }
    return Optional.of(why);
  }

  /**
   * {@code rpm-ostree rollback} until the booted deployment is the default. rpm-ostree moves the
   * rollback deployment, the first one after the booted, to the top, and the booted one only when
   * there is none (src/daemon/rpmostreed-transaction-types.cxx, {@code rollback_transaction_execute}):
   * with a third deployment kept after the booted one (a pinned one, which ostree's finalization
   * keeps), one run makes that one the default, the second the booted one. Returns what ran.
   */
  private String rollBackToTheBooted() {
    int runs = 0;
    do {
      ctx.ostree().rollback();
      runs++;
    } while (runs < 3 && !ctx.ostree().deployments().get(0).booted());
    return runs == 1 ? "rpm-ostree rollback" : "rpm-ostree rollback (" + runs + " times: a deployment after the booted one came first)";
  }

  /**
   * greenboot-rs's rollback trigger when it names another deployment than the booted one: its
   * health check, after this unit, takes the boot as grub's fallback and makes the booted
   * deployment the default (src/main.rs {@code detect_grub_fallback}). Called with the previous
   * deployment booted ({@code deploymentBefore}).
   */
  private Optional<String> greenbootRsWillRollBack(HostStatus s) {
    return Grubenv.rollbackTrigger(ctx.runner()).filter(trigger -> !trigger.equals(greenbootRsBootedId(s)));
  }

  /**
   * greenboot-rs, an update before its reboot (the Prepare or the apply staged a deployment with
   * its finalization locked) and a new boot: a clean shutdown set greenboot-rs's rollback trigger
   * for the locked deployment, which ostree did not finalize, so the current deployment booted;
   * cleared before greenboot-rs's health check, which runs after this unit
   * ({@link GreenbootRs#clearTriggerOfUnfinalizedStaging}). From Rebooting on, the trigger is the
   * agent's own reboot's and stays.
   */
  private void clearTriggerOfLockedStaging(HostStatus s, String boot) {
    boolean beforeReboot = java.util.EnumSet.of(HostState.Preparing, HostState.Prepared, HostState.Staging,
        HostState.Staged).contains(s.state());
    if (!beforeReboot || !s.type().deploysOstree() || boot.equals(s.bootIdBefore()) || !GreenbootRs.installed(ctx.paths())) {
      return;
    }
    try {
      GreenbootRs.clearTriggerOfUnfinalizedStaging(ctx, greenbootRsBootedId(s)).ifPresent(done -> ctx.log().info("boot: " + done));
    } catch (HostException e) {
      ctx.log().error("boot: could not clear greenboot-rs's rollback trigger (" + e.getMessage() + "): greenboot-rs"
          + " may roll back to the deployment before the booted one; see docs/host.md, greenboot-rs and a clean reboot");
    }
  }

  /**
   * The booted deployment's id as greenboot-rs compares it with its rollback trigger: the booted
   * image's digest on an image-mode host, the booted checksum otherwise (src/lib/handler.rs,
   * {@code get_booted_deployment_id}); null when it cannot be told.
   */
  private String greenbootRsBootedId(HostStatus s) {
    if (s.type() == UpdateType.IMAGE) {
      return ctx.image().status().booted().map(Bootc.Entry::imageDigest).orElse(null);
    }
    return ctx.booted().bootedChecksum().orElse(null);
  }

  private boolean targetBooted(HostStatus s) {
    if (s.type().deploysOstree()) {
      boolean deployment = s.targetDeployment() != null
          && ctx.booted().bootedChecksum().map(s.targetDeployment()::equals).orElse(false);
      return deployment && (s.type() != UpdateType.IMAGE || targetImageBooted(s));
    }
    return s.targetVersion() != null
        && ctx.microshift().hasInstalled(s.targetVersion());
  }

  /**
   * Image mode: the booted image is the target by digest ({@code bootc status --json},
   * {@code status.booted.image.imageDigest}, as greenboot-rs reads the booted deployment id:
   * src/lib/handler.rs, {@code get_bootc_deployment_id}); a target by tag has no digest to
   * compare, and its staged deployment's checksum decides alone.
   */
  private boolean targetImageBooted(HostStatus s) {
    String digest = recorder.acceptedRequest(s.request().uid(), s.request().sequence())
        .map(r -> r.target().imageDigest()).orElse(null);
    if (digest == null) {
      return true;
    }
    Optional<Bootc.Entry> booted = ctx.image().status().booted();
    if (booted.isPresent() && !digest.equals(booted.get().imageDigest())) {
      ctx.log().error("boot: deployment " + s.targetDeployment() + " is booted but bootc says its image digest is "
          + booted.get().imageDigest() + ", not the target's " + digest);
      return false;
    }
    return booted.isPresent();
  }

  private int booted(HostStatus s, String boot, String message) {
    HostStatus.Builder b = s.toBuilder().bootIdAfter(boot);
    if (s.type().deploysOstree()) {
      b.deploymentAfter(ctx.booted().bootedChecksum().orElse(null));
    }
    recorder.transition("boot", b, HostState.Booted, message);
    return 0;
  }

  static String restoreHint(HostStatus s) {
    return s.backupId() == null ? "" : "; to bring the data back: microshift-update restore " + s.backupId();
  }

  /** The previous deployment is booted: move the failed data dir aside, copy the backup back. */
  private int rollback(HostStatus s, String boot, String why) {
    if (s.state() != HostState.RolledBack) {
      String aside = DataRestorer.newAsidePath(ctx.clock());
      s = recorder.transition("boot", s.toBuilder().bootIdAfter(boot)
          .deploymentAfter(ctx.booted().bootedChecksum().orElse(null)).failedDataPath(aside),
          HostState.RolledBack, why + "; restoring /var/lib/microshift from backup " + s.backupId());
    }
    ctx.reached(CrashPoints.BOOT_ROLLED_BACK_RECORDED);
    Path restoreMarker = ctx.paths().microshiftRestoreMarker();
    Path backupData = s.dataCopy() == null ? null : ctx.backups().dataDir(s.dataCopy().backupId());
    if (backupData == null || !Files.isDirectory(backupData, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(restoreMarker, LinkOption.NOFOLLOW_LINKS)) {
        recorder.transition("boot", s.toBuilder(), HostState.Restored,
            "no data copy of ours; MicroShift's own pre-run restore applies (marker " + ctx.paths().hostPath(restoreMarker) + ")");
        return 0;
      }
      recorder.transition("boot", s.toBuilder(), HostState.Failed,
          "rolled back but there is no data copy to restore and no MicroShift restore marker");
      return 1;
    }
    Path data = ctx.paths().microshiftData();
    DataRestorer restorer = new DataRestorer(ctx);
    String backupId = s.dataCopy().backupId();
    if (!restorer.restored(s.failedDataPath(), backupId)) {
      long need = (long) Math.ceil(DiskSpace.treeBytes(backupData) * SpaceCheck.MARGIN);
      long free = ctx.disk().usableBytes(data.getParent());
      if (free < need) {
        recorder.transition("boot", s.toBuilder(), HostState.Failed, "cannot restore: need "
            + need / (1024 * 1024) + " MiB free, have " + free / (1024 * 1024) + " MiB; the data dir is untouched"
            + (Files.exists(restoreMarker) ? " and MicroShift's own pre-run restore will apply" : "")
            + restoreHint(s));
        return 1;
      }
      restorer.restore(backupId, backupData, s.failedDataPath());
    }
    ctx.reached(CrashPoints.BOOT_DATA_RESTORED);
    // our restore is authoritative: MicroShift must not restore a second time on top of it
    try {
      if (Files.deleteIfExists(restoreMarker)) {
        ctx.log().info("removed MicroShift's restore marker: the data dir is already restored");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ctx.reached(CrashPoints.BOOT_MICROSHIFT_MARKER_CLEARED);
    String restoredVersion = ctx.microshift().versionFile()
        .map(v -> "; data dir version " + v.version() + (v.deploymentId() == null ? "" : ", deployment id " + v.deploymentId()))
        .orElse("; the restored data dir has no readable version file");
    recorder.transition("boot", s.toBuilder().restoredBackupId(s.dataCopy().backupId()), HostState.Restored,
        "restored /var/lib/microshift from backup " + s.dataCopy().backupId() + "; the failed data dir is kept at "
            + s.failedDataPath() + restoredVersion);
    return 0;
  }
}
