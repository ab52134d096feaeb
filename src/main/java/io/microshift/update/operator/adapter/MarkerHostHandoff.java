package io.microshift.update.operator.adapter;

import io.microshift.update.api.HostFacts;
import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.BackupIds;
import io.microshift.update.operator.EffectiveSpec;
import io.microshift.update.operator.port.HostHandoff;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's side of the marker protocol on the hostPath state dir: writes request.json
 * (validated, atomic, durable, through {@link MarkerFiles}) and reads host-status.json with the
 * reader's safety checks. A refused host-status.json is a refusal in the {@link HostReading}.
 */
public final class MarkerHostHandoff implements HostHandoff {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MarkerHostHandoff.class);
  private final Path stateDir;
  private final int hostUid;
  private final Clock clock;
  private final Supplier<Optional<String>> operatorImage;

  /** @param hostUid the uid that owns host-status.json (root on a device) */
  public MarkerHostHandoff(Path stateDir, int hostUid, Clock clock) {
    this(stateDir, hostUid, clock, Optional.empty());
  }

  /**
   * @param operatorImage the operator's image by digest ({@link OperatorImage}), which an ostree
   *     target must carry; empty: not checked
   */
  public MarkerHostHandoff(Path stateDir, int hostUid, Clock clock, Optional<String> operatorImage) {
    this(stateDir, hostUid, clock, () -> operatorImage);
  }

  /**
   * @param operatorImage asked for the operator's image when a request or a check first needs it
   *     ({@link OperatorImage#lazily}: the operator does not read its pod before it is ready)
   */
  public MarkerHostHandoff(Path stateDir, int hostUid, Clock clock, Supplier<Optional<String>> operatorImage) {
    this.stateDir = stateDir;
    this.hostUid = hostUid;
    this.clock = clock;
    this.operatorImage = operatorImage;
  }

  @Override
  public synchronized long nextSequence() {
    long last = Math.max(
        readRequest().map(UpdateRequest::sequence).orElse(0L),
        readStatus().map(s -> s.request() == null ? 0L : s.request().sequence()).orElse(0L));
    return last + 1;
  }

  @Override
  public synchronized void writeRequest(UpdatePlan plan, long sequence, UpdateRequest.Action act) {
    Optional<UpdateRequest> existing = readRequest();
    if (existing.isPresent() && isOurs(existing.get(), plan) && existing.get().sequence() == sequence
        && existing.get().action() == act) {
      return;
    }
    if (act == UpdateRequest.Action.Cancel && (existing.isEmpty() || !isOurs(existing.get(), plan))) {
      return; // nothing of ours to withdraw: never overwrite another plan's request
    }
    UpdateRequest request = act == UpdateRequest.Action.Cancel
        ? existing.get().withAction(act, sequence)
        : build(plan, sequence, act);
    MarkerFiles.writeRequest(stateDir, request);
  }

  /**
   * host-status.json about this plan, the other plan it may be busy with, and history.json, read
   * once. A refused file is data in the reading (its problems), not an exception.
   */
  @Override
  public HostReading read(UpdatePlan plan) {
    String uid = plan.getMetadata().getUid();
    try {
      Optional<HostStatus> status = readStatus();
      Optional<HostStatus> ours = status.filter(s -> s.request() != null && s.request().uid().equals(uid));
      ours.ifPresent(s -> refuseUnwrittenSequence(s, plan));
      Optional<String> busy = status
          .filter(s -> s.request() != null && !s.request().uid().equals(uid))
          .filter(s -> s.state() != null && !s.state().isTerminal())
          .map(s -> "the host agent is still working on another request (plan uid " + s.request().uid()
              + ", state " + s.state() + "); this plan starts when it ends");
      return new HostReading(ours.map(MarkerHostHandoff::toHostAnswer), Optional.empty(), busy,
          ours.isPresent() ? recentUpdates(MIRRORED_UPDATES) : List.of());
    } catch (MarkerProblems e) {
      return HostReading.refused(e.getMessage());
    }
  }

  /**
   * The agent only ever answers a request.json it read, so a status about a later sequence than
   * this plan's request.json (say a forged {@code Committed}) is not about any request written.
   */
  private void refuseUnwrittenSequence(HostStatus s, UpdatePlan plan) {
    readRequest().filter(r -> isOurs(r, plan)).filter(r -> s.request().sequence() > r.sequence())
        .ifPresent(r -> {
          throw new MarkerProblems(MarkerFiles.hostStatusFile(stateDir).toString(), List.of(
              "request.sequence: " + s.request().sequence() + " is newer than request.json's sequence "
                  + r.sequence() + "; the status (" + s.state() + ") is not about a request the operator wrote"));
        });
  }

  /**
   * Idempotent: a verification of the same sequence, boot and result already in request.json is
   * kept as it is. A request.json that is gone (deleted by hand while greenboot checks the target)
   * is written again from status, exactly as it was written at the hand-off, so the host sees the
   * request it accepted and greenboot's check gets its verification; another plan's request is
   * never overwritten.
   */
  @Override
  public synchronized void writeVerification(UpdatePlan plan, String bootId, boolean passed, String message) {
    Optional<UpdateRequest> existing = readRequest();
    if (existing.isPresent() && !isOurs(existing.get(), plan)) {
      throw new IllegalStateException("request.json belongs to plan " + existing.get().plan().name()
          + ", not " + plan.getMetadata().getName() + "; the verification is not written");
    }
    UpdateRequest request = existing.orElseGet(() -> rewrittenFromStatus(plan));
    UpdateRequest.VerificationResult result = passed
        ? UpdateRequest.VerificationResult.Passed : UpdateRequest.VerificationResult.Failed;
    UpdateRequest.Verification current = request.verification();
    if (existing.isPresent() && current != null && current.sequence() == request.sequence()
        && bootId.equals(current.bootId()) && current.result() == result) {
      return;
    }
    MarkerFiles.writeRequest(stateDir, request.withVerification(new UpdateRequest.Verification(
        request.sequence(), bootId, result, message, clock.instant().toString())));
  }

  /** The request of the hand-off, rebuilt from status (the same content: see {@link #build}). */
  private UpdateRequest rewrittenFromStatus(UpdatePlan plan) {
    UpdatePlanStatus st = plan.getStatus();
    if (st == null || st.handoff == null || st.handoff.sequence == null) {
      throw new IllegalStateException("request.json is missing and status records no hand-off sequence;"
          + " it cannot be written again");
    }
    return build(plan, st.handoff.sequence, UpdateRequest.Action.Apply);
  }

  @Override
  public Optional<String> uncheckedTarget(UpdatePlan plan) {
    if (operatorImage.get().isPresent() || EffectiveSpec.of(plan).raw().type == UpdateType.RPM) {
      return Optional.empty();
    }
    return Optional.of("the target commit is not checked for the operator's image: the operator does not know"
        + " its image by digest (set OPERATOR_IMAGE=<repo>@sha256:..., or run the image by digest as the"
        + " packaged manifests do; docs/install.md). If the commit lacks it, the operator must pull it after"
        + " the reboot");
  }

  /**
   * The newest {@code n} records of history.json (read-only, with the marker reader's checks); a
   * refused file is logged and shows as no history, it never stops the plan.
   */
  public List<HostUpdateRecord> recentUpdates(int n) {
    try {
      return MarkerFiles.readHistory(stateDir, hostUid).map(h -> h.newest(n)).orElse(List.of()).stream()
          .map(MarkerHostHandoff::record).toList();
    } catch (MarkerProblems e) {
      LOG.atWarn().log("history.json not mirrored: {}", e.getMessage().replace('\n', ' '));
      return List.of();
    }
  }

  private static HostUpdateRecord record(UpdateHistory.Update u) {
    HostUpdateRecord r = new HostUpdateRecord();
    r.plan = u.planName();
    r.planUid = u.planUid();
    r.sequence = u.sequence();
    r.fromVersion = u.fromVersion();
    r.targetVersion = u.targetVersion();
    r.outcome = u.outcome().name();
    r.startedAt = u.startedAt();
    r.finishedAt = u.finishedAt();
    r.backupId = u.backupId();
    r.restoredBackupId = u.restoredBackupId();
    r.etcdSnapshotTime = u.etcdSnapshotTime();
    r.deploymentAfter = u.deploymentAfter();
    r.greenbootAttempts = u.greenbootAttempts();
    r.message = u.message();
    return r;
  }

  /** A file watch on the state dir ({@link StateDirWatch}): host-status.json written or removed. */
  @Override
  public AutoCloseable onChange(Runnable listener) {
    return StateDirWatch.start(stateDir, listener);
  }

  @Override
  public Optional<String> lastHostBackupId() {
    return readStatus().map(HostStatus::backupId).filter(Objects::nonNull);
  }

  private Optional<UpdateRequest> readRequest() {
    // request.json is written by this operator, which runs as root on a device like the agent
    return MarkerFiles.readRequest(stateDir, hostUid);
  }

  private Optional<HostStatus> readStatus() {
    return MarkerFiles.readHostStatus(stateDir, hostUid);
  }

  private static boolean isOurs(UpdateRequest r, UpdatePlan plan) {
    return r.plan() != null && plan.getMetadata().getUid().equals(r.plan().uid());
  }

  private static UpdateRequest.UpdateType requestType(UpdateType type) {
    return switch (type) {
      case RPM -> UpdateRequest.UpdateType.RPM;
      case IMAGE -> UpdateRequest.UpdateType.IMAGE;
      case OSTREE -> UpdateRequest.UpdateType.OSTREE;
    };
  }

  /**
   * The request for {@code action} (Prepare or Apply): the same fixed fields for both, so the host
   * takes the Apply over from its Prepare. The backup set is the plan's; its etcd snapshot is the
   * host's to take on Apply, so the request carries no snapshot facts.
   */
  private UpdateRequest build(UpdatePlan plan, long sequence, UpdateRequest.Action action) {
    EffectiveSpec spec = EffectiveSpec.of(plan);
    UpdatePlanStatus st = plan.getStatus();
    UpdateTarget t = spec.raw().target;
    UpdateRequest.Backup backup = UpdateRequest.Backup.takenByHost(BackupIds.forPlan(plan));
    Long generation = st.acceptedGeneration != null ? st.acceptedGeneration : plan.getMetadata().getGeneration();
    return new UpdateRequest(Markers.API_VERSION,
        new UpdateRequest.Plan(plan.getMetadata().getName(), plan.getMetadata().getUid(),
            generation == null ? 1 : generation),
        sequence,
        action,
        requestType(spec.raw().type),
        new UpdateRequest.From(st.fromVersion),
        spec.raw().type == UpdateType.IMAGE
            ? UpdateRequest.Target.image(t.version, t.image, Boolean.TRUE.equals(t.allowImageTag),
                operatorImage.get().map(List::of).orElse(null))
            : new UpdateRequest.Target(t.version, t.ostreeRef, t.ostreeCommit,
            t.packages == null || t.packages.isEmpty() ? null : List.copyOf(t.packages),
            t.repositories == null || t.repositories.isEmpty() ? null : List.copyOf(t.repositories),
            t.reboot == null ? null : UpdateRequest.Reboot.valueOf(t.reboot.name()),
            spec.raw().type == UpdateType.RPM ? null : operatorImage.get().map(List::of).orElse(null)),
        spec.allowDowngrade(),
        backup,
        (int) spec.healthCheckTimeout().toSeconds(),
        spec.retention(),
        null,
        spec.allowUnsupportedPath(),
        spec.bypassUpdateDriver(),
        spec.dryRun());
  }

  private static HostAnswer toHostAnswer(HostStatus s) {
    return new HostAnswer(s.state(), s.request().sequence(), s.message(),
        s.bootIdAfter() != null ? s.bootIdAfter() : s.bootIdBefore(),
        s.deploymentAfter() != null ? s.deploymentAfter() : s.deploymentBefore(),
        s.greenbootAttempts(), s.backupId(), s.restoredBackupId(), s.updatedAt(), facts(s));
  }

  /** host-status.json's Prepare facts and etcd snapshot, for the plan's status; null when it has neither. */
  static HostFacts facts(HostStatus s) {
    if (s.prepared() == null && s.etcdSnapshot() == null) {
      return null;
    }
    HostFacts f = new HostFacts();
    HostStatus.Prepared p = s.prepared();
    if (p != null) {
      f.dryRun = p.dryRun();
      f.freeBytes = p.freeBytes() < 0 ? null : p.freeBytes();
      f.requiredBytes = p.requiredBytes() < 0 ? null : p.requiredBytes();
      if (p.etcd() != null) {
        f.etcdHealthy = p.etcd().healthy();
        f.etcdVersion = p.etcd().version();
        f.etcdDbSizeBytes = p.etcd().dbSizeBytes() < 0 ? null : p.etcd().dbSizeBytes();
        f.etcdAlarms = p.etcd().alarms().isEmpty() ? null : p.etcd().alarms();
      }
      f.bootedDeployment = p.bootedDeployment();
      f.stagedDeployment = p.stagedDeployment();
      f.finalizationLocked = p.stagedDeployment() == null ? null : p.finalizationLocked();
      f.updateDriver = p.updateDriver();
      f.packages = p.packages();
    }
    if (s.etcdSnapshot() != null) {
      f.etcdSnapshotBytes = s.etcdSnapshot().bytes();
      f.etcdSnapshotSha256 = s.etcdSnapshot().sha256();
      f.etcdSnapshotRevision = s.etcdSnapshot().revision();
      f.etcdSnapshotTime = s.etcdSnapshot().time();
    }
    return f;
  }
}
