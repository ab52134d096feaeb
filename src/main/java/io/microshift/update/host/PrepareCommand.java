package io.microshift.update.host;

import io.microshift.update.etcd.EtcdPreflightResult;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Prepare request, before any hook runs or any workload is paused: every check the host can
 * make ({@link HostChecks}; etcd's health, alarms and size through jetcd with MicroShift's client
 * certificate; the free space for every copy that will coexist), then the download and the
 * staging without letting it take effect ({@link Staging}: the ostree deployment's finalization
 * is locked, rpm packages are only downloaded). Records {@code Preparing}, then {@code Prepared}
 * with what it found ({@link HostStatus.Prepared}); a dry run records {@code Checked} (terminal)
 * and stages nothing; a refusal records {@code Failed}, with the host unchanged. Running it again
 * after a crash continues from what host-status.json says.
 */
final class PrepareCommand {
  private final HostContext ctx;
  private final StatusRecorder recorder;

  PrepareCommand(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  int run(UpdateRequest req, Optional<HostStatus> current) {
    if (current.isPresent() && current.get().isFor(req)) {
      HostStatus s = current.get();
      if (s.state() == HostState.Preparing) {
        if (recorder.acceptedRequest(req.plan().uid(), req.sequence()).isEmpty()) {
          MarkerFiles.writeAcceptedRequest(ctx.paths().stateDir(), req); // a power cut right after Preparing
        }
        return prepare(req, s);
      }
      ctx.log().info("prepare: request " + req.sequence() + " is already " + s.state() + ": nothing to do");
      return 0;
    }
    if (current.isPresent()) {
      Optional<String> refusal = HostChecks.refusalAfter(current.get(), req, "prepare");
      if (refusal.isPresent()) {
        ctx.log().error(refusal.get());
        return 1;
      }
    }
    HostStatus.Builder b = new HostStatus.Builder()
        .request(new HostStatus.RequestRef(req.plan().uid(), req.sequence()))
        .type(req.type()).targetVersion(req.target().version()).backupId(req.backup().id())
        .bootIdBefore(ctx.bootId());
    List<String> refusals = new ArrayList<>(new HostChecks(ctx).refusals(req, b));
    refusals.addAll(BackupSetCheck.problems(ctx.backups(), req.backup()));
    EtcdPreflightResult etcd = ctx.etcdBackups().preflight();
    refusals.addAll(etcd.problems());
    long dataBytes = DiskSpace.treeBytes(ctx.paths().microshiftData());
    SpaceCheck.refusal(ctx, req, dataBytes).ifPresent(refusals::add);
    ShutdownInhibitors.refusalFor(ctx, req, req.from().version()).ifPresent(refusals::add);
    b.prepared(facts(req, etcd, dataBytes, null));
    ctx.reached(CrashPoints.PREPARE_CHECKED);
    if (!refusals.isEmpty()) {
      recorder.transition("prepare", b, HostState.Failed, "prepare refused: " + String.join("; ", refusals)
          + "; nothing was staged and nothing changed on the host");
      return 1;
    }
    if (req.dryRun()) {
      recorder.transition("prepare", b, HostState.Checked, "dry run: every host check passed for "
          + req.type().jsonName() + " update " + b.build().fromVersion() + " -> " + req.target().version()
          + "; nothing was downloaded or staged");
      return 0;
    }
    HostStatus s = recorder.transition("prepare", b, HostState.Preparing, "preparing " + req.type().jsonName()
        + " update " + b.build().fromVersion() + " -> " + req.target().version()
        + ": downloading and staging while the workloads run");
    // after the first status: a kept request with the in-flight flag and no status then always
    // means the status was lost (LostStatus), never a power cut before it was written
    MarkerFiles.writeAcceptedRequest(ctx.paths().stateDir(), req);
    return prepare(req, s);
  }

  /** Downloads and stages the target (idempotent), then records Prepared. */
  private int prepare(UpdateRequest req, HostStatus status) {
    Staging staging = new Staging(ctx);
    String staged;
    try {
      staged = staging.stage(req);
    } catch (HostException e) {
      String removed = staging.removeStaged(req);
      recorder.transition("prepare", status.toBuilder(), HostState.Failed, "staging failed: " + e.getMessage()
          + removed + "; nothing was paused and the host runs as before");
      return 1;
    }
    ctx.reached(CrashPoints.PREPARE_STAGED);
    status = recorder.read().filter(s -> s.isFor(req)).orElse(status); // the staging may have recorded a wait
    HostStatus.Prepared before = status.prepared();
    HostStatus.Prepared facts = new HostStatus.Prepared(false, before == null ? -1 : before.freeBytes(),
        before == null ? -1 : before.requiredBytes(), before == null ? null : before.etcd(),
        before == null ? null : before.bootedDeployment(), staged, locked(req, staged),
        before == null ? null : before.updateDriver(), req.type() == UpdateType.RPM ? req.target().packages() : null,
        ctx.now());
    recorder.transition("prepare", status.toBuilder().targetDeployment(staged).prepared(facts), HostState.Prepared,
        staged != null ? "prepared: " + (req.type() == UpdateType.IMAGE ? "image " + req.target().image()
            + " staged download-only as deployment " + staged : "deployment " + staged + " staged")
            + " with its finalization locked (an unplanned reboot boots the current deployment); waiting for Apply"
            : "prepared: packages " + String.join(" ", req.target().packages()) + " resolved and downloaded;"
                + " waiting for Apply");
    return 0;
  }

  private boolean locked(UpdateRequest req, String staged) {
    if (staged == null || !req.type().deploysOstree()) {
      return false;
    }
    if (req.type() == UpdateType.IMAGE) {
      return ctx.image().status().staged().map(Bootc.Entry::downloadOnly).orElse(false);
    }
    return ctx.ostree().pending().map(ctx.ostree()::finalizationLocked).orElse(false);
  }

  /** The facts the checks found (before staging). */
  private HostStatus.Prepared facts(UpdateRequest req, EtcdPreflightResult etcd, long dataBytes, String staged) {
    long free = -1;
    long required = -1;
    try {
      free = ctx.disk().usableBytes(ctx.backups().backupsDir());
      required = SpaceCheck.requiredOnBackupFileSystem(ctx, req, dataBytes);
    } catch (RuntimeException e) {
      ctx.log().info("prepare: cannot tell the free space: " + e.getMessage());
    }
    String booted = null;
    String driver = null;
    if (req.type().deploysOstree() && ctx.isOstreeHost()) {
      RpmOstree.Status st = ctx.ostree().status();
      booted = st.booted().map(RpmOstree.Deployment::checksum).orElse(null);
      driver = st.updateDriver().map(RpmOstree.UpdateDriver::describe).orElse(null);
    }
    HostStatus.Etcd e = new HostStatus.Etcd(etcd.ok(), versionOrNull(etcd.etcdVersion()), etcd.dbSizeBytes(),
        etcd.revision(), etcd.alarms());
    return new HostStatus.Prepared(req.dryRun(), free, required, e, booted, staged, false, driver,
        req.type() == UpdateType.RPM ? req.target().packages() : null, ctx.now());
  }

  private static String versionOrNull(String v) {
    return v != null && io.microshift.update.marker.Markers.VERSION.matcher(v).matches() ? v : null;
  }
}
