package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.util.ArrayList;
import java.util.List;
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
    String staged = req.type() == UpdateType.OSTREE ? stageOstree(req) : stageRpm(req);
    // the operator must start after the reboot without pulling its image
    new TargetImagesCheck(ctx).requireIn(req, staged);
    return staged;
  }

  /** ostree: rpm-ostree rebase (ref) or deploy (commit), finalization locked, unless the target is already pending. */
  private String stageOstree(UpdateRequest req) {
    RpmOstree ro = ctx.rpmOstree();
    UpdateRequest.Target t = req.target();
    RpmOstree.Status st = ro.status();
    String bootedOrigin = st.booted().map(RpmOstree.Deployment::origin).orElse(null);
    Optional<RpmOstree.Deployment> pending = st.pending();
    if (pending.isPresent() && matches(pending.get(), t, bootedOrigin)) {
      ctx.log().info("target already staged: " + pending.get().checksum());
      return pending.get().checksum();
    }
    List<String> argv = new ArrayList<>(List.of("rpm-ostree"));
    if (t.ostreeRef() != null) {
      argv.add("rebase");
      argv.add(t.ostreeRef());
      if (t.ostreeCommit() != null) {
        argv.add(t.ostreeCommit());
      }
    } else {
      argv.add("deploy");
      argv.add(t.ostreeCommit());
    }
    argv.add("--lock-finalization");
    if (req.bypassUpdateDriver()) {
      argv.add("--bypass-driver");
    }
    ctx.runner().check(argv);
    RpmOstree.Deployment staged = ro.pending()
        .orElseThrow(() -> new HostException(String.join(" ", argv) + " left no pending deployment"));
    if (!matches(staged, t, bootedOrigin)) {
      throw new HostException("pending deployment " + staged.checksum() + " (origin " + staged.origin()
          + ", base commit " + staged.baseChecksum() + ") does not match the target");
    }
    return staged.checksum();
  }

  /** rpm: download the exact package set now; installing waits until MicroShift is stopped and copied. */
  private String stageRpm(UpdateRequest req) {
    if (ctx.microshift().installedPackageVersion().map(req.target().version()::equals).orElse(false)) {
      return null;
    }
    new Dnf(ctx.runner()).resolveAndDownload(req.target());
    return null;
  }

  /**
   * ostree: lets the staged deployment take effect and reboots. A deployment staged with its
   * finalization locked: {@code rpm-ostree finalize-deployment} with its base commit (the command
   * refuses another one) unlocks it and reboots; one that is not locked (finalize-deployment
   * already ran, and the agent runs again): {@code systemctl reboot}.
   */
  void finalizeAndReboot() {
    Optional<RpmOstree.Deployment> pending = ctx.rpmOstree().pending();
    if (pending.isPresent() && pending.get().finalizationLocked()) {
      ctx.runner().check(List.of("rpm-ostree", "finalize-deployment", pending.get().baseChecksum()));
      return;
    }
    ctx.runner().check(List.of("systemctl", "reboot"));
  }

  /**
   * ostree: removes the staged deployment ({@code rpm-ostree cleanup --pending}), so that no
   * later boot runs a target whose update failed or was cancelled; the checks refused any other
   * staged deployment, so a pending one is this request's. Returns what was done, for the message.
   */
  String removeStaged(UpdateRequest req) {
    if (req.type() != UpdateType.OSTREE || !ctx.isOstreeHost()) {
      return "";
    }
    try {
      if (ctx.rpmOstree().pending().isEmpty()) {
        return "";
      }
      ctx.runner().check(List.of("rpm-ostree", "cleanup", "--pending"));
      return "; the staged deployment was removed (rpm-ostree cleanup --pending)";
    } catch (HostException e) {
      return "; could not remove the staged deployment (" + e.getMessage() + "): run rpm-ostree cleanup --pending"
          + " before the next reboot";
    }
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
