package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import io.microshift.update.marker.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * host-status.json is gone while an update is in flight (deleted by hand): the in-flight flag is
 * there and so is the request the agent accepted (accepted-request.json, written only after the
 * first status), but the record of how far the agent got is not. The agent never guesses that
 * progress and never acts on the update again. It writes a new record from what it can observe:
 * <ul>
 *   <li>the target runs on a booted system (MicroShift's installed package is the target version
 *       and, when the request names a commit, the booted deployment is that commit): {@code Booted},
 *       so that greenboot's check and the operator's verification decide as usual, and a later
 *       rollback restores from the backup set as it would have;
 *   <li>otherwise {@code Failed}, with the facts: a staged deployment is removed so that no boot
 *       runs it unsupervised, MicroShift is started again where the agent may (not in early boot,
 *       where systemd starts it), and the message says how to bring the data back if needed;
 *   <li>at boot, when the target MicroShift ran on the data dir and a rollback brought the older
 *       one back ({@link #rolledBack}): {@code RolledBack}, and the boot unit restores the data
 *       from the backup set as after any rollback.
 * </ul>
 */
final class LostStatus {
  static final String LOST = "host-status.json was missing (deleted?) while the update of plan uid %s,"
      + " sequence %d, was in flight; the agent kept the request it accepted, not its progress";

  private final HostContext ctx;
  private final StatusRecorder recorder;

  LostStatus(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  /** The accepted request whose record is lost, when that is the situation now. */
  Optional<UpdateRequest> lost(Optional<HostStatus> status) {
    if (status.isPresent() || !recorder.inFlight()) {
      return Optional.empty();
    }
    return recorder.acceptedRequest();
  }

  /**
   * At boot: the data dir's version file names the target, so the target MicroShift ran on it
   * (upstream writes that file only after its pre-run checks passed: openshift/microshift
   * pkg/admin/prerun/version.go, {@code WriteVersionMetadata}), yet the installed MicroShift is
   * another version: a rollback brought the old one back, and after a y-stream update it refuses
   * the newer data ({@code checkVersionCompatibility}: "executable ... is older than existing
   * data"). Records {@code RolledBack} with the complete data copy, for the boot unit to restore
   * it. Empty when that is not the situation, or no complete data copy of the request exists
   * ({@link #settle} then says what to do).
   */
  Optional<HostStatus> rolledBack(UpdateRequest accepted) {
    String target = accepted.target().version();
    Optional<String> dataVersion = ctx.microshift().versionFile().map(MicroShift.VersionFile::version);
    Optional<String> installed = ctx.microshift().installedPackageVersion();
    Optional<HostStatus.DataCopy> copy = copyRecord(accepted);
    if (!dataVersion.equals(Versions.dataVersion(target)) || dataVersion.isEmpty() || installed.isEmpty()
        || MicroShift.isRelease(installed.get(), target)
        || copy.isEmpty()) {
      return Optional.empty();
    }
    HostStatus.Builder b = rebuilt(accepted).dataCopy(copy.get()).bootIdAfter(ctx.bootId())
        .failedDataPath(DataRestorer.newAsidePath(ctx.clock()));
    if (accepted.type().deploysOstree() && ctx.isOstreeHost()) {
      ctx.booted().bootedChecksum().ifPresent(b::deploymentAfter);
    }
    return Optional.of(recorder.transition("boot", b, HostState.RolledBack,
        lost(accepted) + "; the data dir was last run by MicroShift "
            + target + " (its version file) but MicroShift " + installed.get() + " is installed: the update was"
            + " rolled back; restoring /var/lib/microshift from backup " + accepted.backup().id()));
  }

  /** The first words of every record this class writes: what was lost, for which request. */
  private static String lost(UpdateRequest accepted) {
    return String.format(LOST, accepted.plan().uid(), accepted.sequence());
  }

  private static HostStatus.Builder rebuilt(UpdateRequest accepted) {
    return new HostStatus.Builder()
        .request(new HostStatus.RequestRef(accepted.plan().uid(), accepted.sequence()))
        .type(accepted.type()).fromVersion(accepted.from().version())
        .targetVersion(accepted.target().version()).backupId(accepted.backup().id());
  }

  /**
   * Writes the new record for {@code accepted}. {@code atBoot}: the boot unit, before MicroShift
   * starts; otherwise the apply unit on a running system. 0 when the target runs, else 1.
   */
  int settle(UpdateRequest accepted, boolean atBoot, String verb) {
    String lost = lost(accepted);
    HostStatus.Builder b = rebuilt(accepted);
    Optional<RpmOstree.Status> ostree = accepted.type().deploysOstree() && ctx.isOstreeHost()
        ? Optional.of(ctx.ostree().status()) : Optional.empty();
    Optional<RpmOstree.Deployment> booted = ostree.flatMap(RpmOstree.Status::booted);
    Optional<String> installed = ctx.microshift().installedPackageVersion();
    boolean targetInstalled = installed.map(v -> MicroShift.isRelease(v, accepted.target().version())).orElse(false);
    boolean targetBooted = accepted.type().deploysOstree()
        ? targetInstalled && booted.isPresent() && isTargetCommit(accepted, booted.get())
        : targetInstalled && atBoot;
    copyRecord(accepted).ifPresent(b::dataCopy);
    if (targetBooted) {
      b.bootIdAfter(ctx.bootId());
      booted.ifPresent(d -> b.deploymentAfter(d.checksum()).targetDeployment(d.checksum()));
      ostree.flatMap(st -> st.deployments().stream().filter(d -> !d.booted()).findFirst())
          .ifPresent(d -> b.deploymentBefore(d.checksum()));
      recorder.transition(verb, b, HostState.Booted, lost + "; rebuilt from the accepted request and the"
          + " booted system: the target " + accepted.target().version() + " runs on this boot"
          + booted.map(d -> " (deployment " + d.checksum() + ")").orElse("")
          + "; greenboot's checks decide as usual. The history before this is lost.");
      return 0;
    }
    List<String> done = new ArrayList<>();
    if (ostree.flatMap(RpmOstree.Status::pending).isPresent()) {
      try {
        ctx.ostree().cleanupPending();
        done.add("the staged deployment was removed (rpm-ostree cleanup --pending)");
      } catch (HostException e) {
        done.add("the staged deployment could not be removed (" + e.getMessage() + "): run rpm-ostree"
            + " cleanup --pending before the next reboot");
      }
    }
    if (!atBoot && !ctx.microshift().isActive()) {
      try {
        ctx.microshift().start();
        done.add("MicroShift was started again");
      } catch (RuntimeException e) {
        done.add("MicroShift could not be started again (" + e.getMessage() + ")");
      }
    }
    String now = "MicroShift " + installed.orElse("(version unknown)") + " is installed"
        + booted.map(d -> ", deployment " + d.checksum() + " is booted").orElse("");
    recorder.transition(verb, b, HostState.Failed, lost + ", so it stopped the update. " + now
        + (done.isEmpty() ? "" : "; " + String.join("; ", done))
        + ". The backup set " + accepted.backup().id() + " is kept; if MicroShift's data must go back to"
        + " before the update: microshift-update restore " + accepted.backup().id());
    return 1;
  }

  private static boolean isTargetCommit(UpdateRequest accepted, RpmOstree.Deployment booted) {
    String commit = accepted.target().ostreeCommit();
    return commit == null || commit.equals(booted.checksum()) || commit.equals(booted.baseChecksum());
  }

  /** The backup set's data copy, when it is complete (it is renamed into place only then). */
  private Optional<HostStatus.DataCopy> copyRecord(UpdateRequest accepted) {
    String id = accepted.backup().id();
    Path data = ctx.backups().dataDir(id);
    if (!Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    String time;
    try {
      time = Files.getLastModifiedTime(data, LinkOption.NOFOLLOW_LINKS).toInstant()
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    } catch (IOException e) {
      time = ctx.now();
    }
    // the copy's own boot is not known any more: the current one is recorded
    return Optional.of(new HostStatus.DataCopy(id, Markers.dataPath(id), DiskSpace.treeBytes(data),
        ctx.microshift().hasBackupVerbs() ? HostStatus.CopyMethod.microshift : HostStatus.CopyMethod.cp,
        ctx.bootId(), time));
  }
}
