package io.microshift.update.host;

import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import io.microshift.update.marker.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host-side checks of a request, shared by Prepare and Apply: the type against the host, the
 * installed MicroShift version and the allowed jump, the RHEL minor (rpm), the booted deployment,
 * image mode, an update driver and another staged deployment (ostree). Records what it learns
 * (from-version, booted deployment) in the status builder.
 */
final class HostChecks {
  private final HostContext ctx;

  HostChecks(HostContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Why {@code req} may not start while host-status.json records another request ({@code
   * current}, not for {@code req}): an older sequence of the same plan, or another update still in
   * flight. Empty when a finished update may be followed. {@code verb}: "start", "prepare".
   */
  static Optional<String> refusalAfter(HostStatus current, UpdateRequest req, String verb) {
    if (current.request().uid().equals(req.plan().uid()) && current.request().sequence() > req.sequence()) {
      return Optional.of("request.json refused: sequence: " + req.sequence() + " is older than sequence "
          + current.request().sequence() + " in host-status.json for the same plan; the operator never"
          + " rewrites a request with a lower sequence: check what wrote request.json");
    }
    if (!current.state().isTerminal()) {
      return Optional.of("another update (plan uid " + current.request().uid() + ", sequence "
          + current.request().sequence() + ") is in state " + current.state() + "; refusing to " + verb
          + " a new one");
    }
    return Optional.empty();
  }

  /** Every reason to refuse {@code req} on this host; empty when it may go ahead. */
  List<String> refusals(UpdateRequest req, HostStatus.Builder b) {
    List<String> refusals = new ArrayList<>();
    boolean ostreeHost = ctx.isOstreeHost();
    if (req.type() == UpdateType.OSTREE && !ostreeHost) {
      refusals.add("request type ostree but this host is not ostree-based (no /run/ostree-booted)");
    }
    if (req.type() == UpdateType.RPM && ostreeHost) {
      refusals.add("request type rpm but this host is ostree-based; use type ostree (or image on an image-mode host)");
    }
    if (req.type() == UpdateType.IMAGE && !ostreeHost) {
      refusals.add("request type image but this host is not ostree-based (no /run/ostree-booted), so it boots no"
          + " bootc image; use type rpm");
    }
    Optional<MicroShift.VersionFile> installed = ctx.microshift().versionFile();
    if (installed.isEmpty()) {
      refusals.add("cannot read the installed MicroShift version from /var/lib/microshift/version (missing, or not"
          + " the JSON or plain X.Y.Z that MicroShift writes and reads there)");
    } else {
      // the version file holds Major.Minor.Patch only, a pre-release's too (Versions.dataVersion):
      // the request's full version (the operator read it from kube-public/microshift-version)
      // is compared at that precision; the request validator has checked its path to the target
      String v = installed.get().version();
      String from = req.from().version();
      b.fromVersion(from);
      Optional<String> written = Versions.dataVersion(from);
      if (!written.map(v::equals).orElse(false)) {
        refusals.add("installed MicroShift is " + v + " but the request is from " + from
            + (written.isPresent() && !written.get().equals(from) ? " (whose version file says " + written.get() + ")" : ""));
      }
    }
    if (req.type() == UpdateType.RPM && !ostreeHost) {
      RhelRelease.refusal(ctx.paths(), req.target().version()).ifPresent(refusals::add);
    }
    if (req.type() == UpdateType.OSTREE && ostreeHost) {
      Optional<String> booted = ctx.booted().bootedChecksum();
      if (booted.isEmpty()) {
        refusals.add("cannot tell which ostree deployment is booted");
      } else {
        b.deploymentBefore(booted.get());
        refusals.addAll(ostreeHostProblems(req, booted.get()));
      }
    }
    if (req.type() == UpdateType.IMAGE && ostreeHost) {
      ctx.booted().bootedChecksum().ifPresent(b::deploymentBefore);
      refusals.addAll(imageHostProblems(req));
    }
    return refusals;
  }

  /**
   * Image mode: what would stage something other than the target, or nothing at all: a host that
   * boots an ostree commit rather than a container image ({@code bootc status --json}:
   * {@code status.booted.image} null, as greenboot-rs tells the two apart: src/lib/handler.rs,
   * {@code detect_os_deployment}), the target image already booted, another staged deployment.
   */
  private List<String> imageHostProblems(UpdateRequest req) {
    List<String> out = new ArrayList<>();
    Bootc.Status st;
    try {
      st = ctx.image().status();
    } catch (HostException e) {
      out.add("request type image but bootc status --json failed (" + e.getMessage() + "); image mode needs bootc"
          + " on the host: use type ostree on an rpm-ostree host");
      return out;
    }
    if (!st.bootsImage()) {
      out.add("request type image but this host boots an ostree commit, not a container image (bootc status --json:"
          + " status.booted.image is null); use type ostree, or move the host to image mode first"
          + " (docs/procedures/update-image.md)");
      return out;
    }
    Optional<String> bootc = ctx.image().version();
    if (bootc.isPresent() && !Bootc.stagesDownloadOnly(bootc.get())) {
      out.add("bootc " + bootc.get() + " on this host cannot stage an image without applying it: bootc upgrade"
          + " --download-only and --from-downloaded came in bootc 1.12.0; update bootc on the host (it is part of"
          + " its image), or update this host by hand (docs/procedures/update-image.md)");
      return out;
    }
    String image = req.target().image();
    if (st.booted().get().is(image)) {
      out.add("target image " + image + " is already booted (digest " + st.booted().get().imageDigest() + ")");
    }
    Optional<Bootc.Entry> staged = st.staged();
    if (staged.isPresent() && !staged.get().is(image)) {
      out.add("another deployment is staged for the next boot (" + staged.get().checksum() + ", "
          + (staged.get().image() == null ? "no image" : "image " + staged.get().image()) + "): boot it, or remove it"
          + " with rpm-ostree cleanup --pending, before this update");
    }
    return out;
  }

  /**
   * What rpm-ostree would refuse, or what would stage something other than the target: a host
   * that boots a container image (bootc), a registered update driver, another staged deployment,
   * the target already booted.
   */
  private List<String> ostreeHostProblems(UpdateRequest req, String bootedChecksum) {
    List<String> out = new ArrayList<>();
    RpmOstree.Status st = ctx.ostree().status();
    Optional<RpmOstree.Deployment> booted = st.booted();
    if (booted.isPresent() && booted.get().containerImageReference() != null) {
      out.add("request type ostree but this host boots a container image (image mode, bootc: "
          + booted.get().containerImageReference() + "); use type image with spec.target.image, the bootc image"
          + " to switch to");
      return out;
    }
    String bootedBase = booted.map(RpmOstree.Deployment::baseChecksum).orElse(bootedChecksum);
    if (bootedChecksum.equals(req.target().ostreeCommit()) || bootedBase.equals(req.target().ostreeCommit())) {
      out.add("target commit " + req.target().ostreeCommit() + " is already booted");
    }
    if (st.updateDriver().isPresent() && !req.bypassUpdateDriver()) {
      out.add("rpm-ostree updates on this host are driven by " + st.updateDriver().get().describe()
          + ", and rpm-ostree refuses rebase and deploy without --bypass-driver: let that driver update the host,"
          + " or set spec.bypassUpdateDriver: true to update it with this plan anyway");
    }
    Optional<RpmOstree.Deployment> staged = st.pending();
    if (staged.isPresent()) {
      RpmOstree.Deployment pending = staged.get();
      if (!Staging.matches(pending, req.target(), booted.map(RpmOstree.Deployment::origin).orElse(null))) {
        out.add("another deployment is staged for the next boot (" + pending.checksum() + ", "
            + (pending.origin().isEmpty() ? "no origin" : "origin " + pending.origin()) + "): boot it, or remove it"
            + " with rpm-ostree cleanup --pending, before this update");
      }
    }
    return out;
  }
}
