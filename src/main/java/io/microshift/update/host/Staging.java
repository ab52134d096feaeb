package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.util.Optional;

/**
 * Downloads and stages the target without letting it take effect, lets it take effect, or removes
 * it. ostree: {@code rpm-ostree rebase|deploy --lock-finalization} stages a deployment that
 * ostree does not finalize at shutdown (coreos/rpm-ostree src/app/rpmostree-builtin-rebase.cxx
 * and -deploy.cxx, option {@code lock-finalization}: "Prevent automatic deployment finalization on
 * shutdown"), so an unplanned reboot boots the old deployment; {@code rpm-ostree
 * finalize-deployment BASE-CHECKSUM} unlocks it and reboots
 * (src/daemon/rpmostreed-transaction-types.cxx, {@code finalize_deployment_transaction_execute}).
 * rpm: {@code dnf install --downloadonly} fills dnf's cache; the install later uses it.
 * image: {@code bootc switch IMAGE} then {@code bootc upgrade --download-only} (see {@link Bootc}:
 * bootc's switch has no download-only mode and stages unlocked; the upgrade that follows finds
 * the image already staged and locks its finalization); {@code bootc upgrade --from-downloaded
 * --apply} unlocks it and reboots. Between the two commands the staged image is unlocked: a power
 * cut drops it (ostree finalizes a staged deployment only at a clean shutdown), only a clean
 * reboot in that instant would boot it, and the agent locks it on its next run.
 */
final class Staging {
  private final HostContext ctx;

  Staging(HostContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Stages the target (ostree: its deployment checksum; rpm: null), or finds it already staged;
   * then checks that it carries the images the request requires (a HostException otherwise).
   */
  String stage(UpdateRequest req) {
    String staged = switch (req.type()) {
      case OSTREE -> stageOstree(req);
      case IMAGE -> stageImage(req);
      case RPM -> stageRpm(req);
    };
    // the operator must start after the reboot without pulling its image
    new TargetImagesCheck(ctx).requireIn(req, staged);
    return staged;
  }

  /** ostree: rpm-ostree rebase (ref) or deploy (commit), finalization locked, unless the target is already pending. */
  private String stageOstree(UpdateRequest req) {
    Ostree ro = ctx.ostree();
    UpdateRequest.Target t = req.target();
    RpmOstree.Status st = ro.status();
    String bootedOrigin = st.booted().map(RpmOstree.Deployment::origin).orElse(null);
    Optional<RpmOstree.Deployment> pending = st.pending();
    if (pending.isPresent() && matches(pending.get(), t, bootedOrigin)) {
      ctx.log().info("target already staged: " + pending.get().checksum());
      return pending.get().checksum();
    }
    awaitGreenbootVerdict(req);
    String command = ro.stageLocked(t.ostreeRef(), t.ostreeCommit(), req.bypassUpdateDriver());
    RpmOstree.Deployment staged = ro.pending()
        .orElseThrow(() -> new HostException(command + " left no pending deployment"));
    if (!matches(staged, t, bootedOrigin)) {
      throw new HostException("pending deployment " + staged.checksum() + " (origin " + staged.origin()
          + ", base commit " + staged.baseChecksum() + ") does not match the target");
    }
    return staged.checksum();
  }

  /**
   * image: {@code bootc switch} unless the target is already staged, then {@code bootc upgrade
   * --download-only} unless its finalization is already locked; returns the staged deployment's
   * ostree checksum. A staged deployment that is not the target, or not locked, is refused.
   */
  private String stageImage(UpdateRequest req) {
    Image bootc = ctx.image();
    String image = req.target().image();
    Optional<Bootc.Entry> staged = bootc.status().staged();
    if (staged.isEmpty() || !staged.get().is(image)) {
      awaitGreenbootVerdict(req);
      bootc.switchTo(image);
      ctx.reached(CrashPoints.IMAGE_SWITCHED);
      staged = bootc.status().staged();
    }
    if (staged.isPresent() && staged.get().is(image) && !staged.get().downloadOnly()) {
      awaitGreenbootVerdict(req);
      bootc.lockStaged();
      staged = bootc.status().staged();
    }
    Bootc.Entry s = staged.orElseThrow(() -> new HostException("bootc switch " + image + " left no staged deployment"));
    if (!s.is(image)) {
      throw new HostException("the staged deployment " + s.checksum() + " (image " + s.image() + ", digest "
          + s.imageDigest() + ") is not the target " + image);
    }
    if (!s.downloadOnly()) {
      throw new HostException("bootc upgrade --download-only left the staged deployment " + s.checksum()
          + " unlocked (downloadOnly false): it would be applied at the next shutdown");
    }
    ctx.log().info("image " + image + " staged as deployment " + s.checksum() + " (digest " + s.imageDigest()
        + "), download-only until Apply");
    return s.checksum();
  }

  /**
   * ostree and image under the bash greenboot: a staging arms grub's boot counter, which must
   * outlive this boot's greenboot verdict ({@link GreenbootBootCounter#awaitVerdict}).
   */
  private void awaitGreenbootVerdict(UpdateRequest req) {
    if (GreenbootBootCounter.counts(ctx, req)) {
      new GreenbootBootCounter(ctx).awaitVerdict(req);
    }
  }

  /** rpm: download the exact package set now; installing waits until MicroShift is stopped and copied. */
  private String stageRpm(UpdateRequest req) {
    if (ctx.microshift().hasInstalled(req.target().version())) {
      return null;
    }
    ctx.packages().resolveAndDownload(req.target());
    return null;
  }

  /**
   * ostree: lets the staged deployment take effect and reboots: {@code rpm-ostree
   * finalize-deployment --allow-unlocked} with its base commit (the command refuses another one)
   * unlocks it if it is locked and reboots, whatever status --json says of the lock (rpm-ostree
   * since v2024.6 no longer reports it: {@link RpmOstree#finalizationLocked}); with no staged
   * deployment (a pending one that is not staged is finalized already): {@code systemctl reboot}.
   */
  void finalizeAndReboot(UpdateRequest req) {
    if (req.type() == UpdateType.IMAGE) {
      boolean locked = ctx.image().status().staged().map(Bootc.Entry::downloadOnly).orElse(false);
      if (locked) {
        ctx.image().applyStaged();
      } else {
        ctx.systemd().reboot();
      }
      return;
    }
    Optional<RpmOstree.Deployment> pending = ctx.ostree().pending();
    if (pending.isPresent() && pending.get().staged()) {
      ctx.ostree().finalizeDeployment(pending.get().baseChecksum());
      return;
    }
    ctx.systemd().reboot();
  }

  /**
   * ostree: removes the staged deployment ({@code rpm-ostree cleanup --pending}), so that no
   * later boot runs a target whose update failed or was cancelled; the checks refused any other
   * staged deployment, so a pending one is this request's. Returns what was done, for the message.
   * image: the same command; bootc has none of its own, and rpm-ostree works on the same ostree
   * sysroot (bootc-dev/bootc docs/src/relationships.md, "Relationship with rpm-ostree"). Under
   * the bash greenboot, then clears the boot counter the staging armed ({@link GreenbootBootCounter#disarmAfterRemoval}).
   */
  String removeStaged(UpdateRequest req) {
    if (!req.type().deploysOstree() || !ctx.isOstreeHost()) {
      return "";
    }
    String removed = "";
    try {
      if (ctx.ostree().pending().isPresent()) {
        ctx.ostree().cleanupPending();
        removed = "; the staged deployment was removed (rpm-ostree cleanup --pending)";
      }
    } catch (HostException e) {
      return "; could not remove the staged deployment (" + e.getMessage() + "): run rpm-ostree cleanup --pending"
          + " before the next reboot";
    }
    // a staging arms the bash greenboot's counter even when it then fails (ostree starts
    // ostree-finalize-staged.service before it writes the deployment)
    return GreenbootBootCounter.counts(ctx, req) ? removed + new GreenbootBootCounter(ctx).disarmAfterRemoval() : removed;
  }

  /**
   * Whether a deployment is the target: its repository commit ({@code base-checksum} on a
   * layered host) is the target commit, and its origin is the target ref as rpm-ostree completes
   * it (the booted origin's remote added to a ref given without one).
   */
  static boolean matches(RpmOstree.Deployment d, UpdateRequest.Target t, String bootedOrigin) {
    boolean commitOk = t.ostreeCommit() == null || t.ostreeCommit().equals(d.baseChecksum());
    boolean refOk = t.ostreeRef() == null || RpmOstree.completedRefspec(t.ostreeRef(), bootedOrigin).equals(d.origin());
    return commitOk && refOk;
  }
}
