package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerJson;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code apply}: decides which request the host acts on (the accepted one, the Apply after a
 * Prepare, a Cancel), records Staging for a new one, and runs {@link ApplySequence} (stage, stop
 * MicroShift, copy its data dir into the backup set, record the boot, reboot). Every step checks
 * what is already done, so running it again after a crash or power cut at any point continues
 * where it stopped.
 */
public final class ApplyCommand {
  private final HostContext ctx;
  private final StatusRecorder recorder;

  public ApplyCommand(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  public int run() {
    while (true) {
      try {
        return runRequest();
      } catch (RequestSuperseded e) {
        ctx.log().info("request.json changed while the agent waited (" + e.getMessage() + "): acting on it");
      }
    }
  }

  private int runRequest() {
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
      OptionalInt cancelled = cancel(req, maybeStatus);
      if (cancelled.isPresent()) {
        return cancelled.getAsInt();
      }
      return continueSteps(req, maybeStatus.orElseThrow());
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
    Optional<HostStatus.RequestRef> ref = bytes == null ? Optional.empty() : MarkerJson.requestRef(bytes);
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

  /**
   * Runs the apply sequence; a Cancel that arrives at one of its cancellation points is honoured
   * or, past the point of no return, refused, and the sequence then runs again for the Cancel's
   * request, which has no cancellation points: the update is finished.
   */
  private int continueSteps(UpdateRequest req, HostStatus status) {
    ApplySequence sequence = new ApplySequence(ctx, recorder);
    while (true) {
      ApplySequence.Outcome outcome = sequence.run(req, status);
      if (outcome instanceof ApplySequence.Exit exit) {
        return exit.code();
      }
      ApplySequence.CancelArrived arrived = (ApplySequence.CancelArrived) outcome;
      OptionalInt cancelled = cancel(arrived.cancel(), Optional.of(arrived.status()));
      if (cancelled.isPresent()) {
        return cancelled.getAsInt();
      }
      req = arrived.cancel();
      status = arrived.status();
    }
  }

  private int fail(UpdateRequest req, HostStatus status, String why) {
    return new ApplyFailure(ctx, recorder).fail(req, status, why);
  }

  /**
   * Cancel: honoured until the point of no return (the reboot on ostree hosts, the package
   * install on rpm hosts). Nothing started for the plan: nothing is written. Returns the exit
   * code, or empty when the update is past the point of no return and is to be finished.
   */
  private OptionalInt cancel(UpdateRequest req, Optional<HostStatus> maybeStatus) {
    if (maybeStatus.isEmpty() || !maybeStatus.get().request().uid().equals(req.plan().uid())
        || maybeStatus.get().request().sequence() > req.sequence()) {
      ctx.log().info("cancel: nothing was started for plan " + req.plan().uid() + "; nothing to do");
      return OptionalInt.of(0);
    }
    HostStatus status = maybeStatus.get();
    if (status.state().isTerminal() || status.state().isHandedOver()) {
      ctx.log().info("cancel: the update is already " + status.state() + "; nothing to cancel");
      return OptionalInt.of(0);
    }
    boolean pastNoReturn = status.state() == HostState.Rebooting
        || (req.type() == UpdateType.RPM
            && ctx.microshift().hasInstalled(req.target().version()));
    if (pastNoReturn) {
      ctx.log().info("cancel refused: the update is past the point of no return; finishing it");
      return OptionalInt.empty();
    }
    String restart = new ApplyFailure(ctx, recorder).removeStaged(req);
    MicroShift ms = ctx.microshift();
    if (!ms.isActive()) {
      ms.start();
      restart += "; MicroShift started again";
    }
    recorder.transition("apply", status.toBuilder().request(
        new HostStatus.RequestRef(req.plan().uid(), req.sequence())), HostState.Failed,
        CANCELLED + " by request sequence " + req.sequence() + " before the point of no return; the host is unchanged" + restart);
    return OptionalInt.of(0);
  }

  /** Prefix of the Failed message written for an honoured Cancel. */
  public static final String CANCELLED = "cancelled";
}
