package io.microshift.update.host;

import io.microshift.update.backup.BackupRetention;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import io.microshift.update.marker.UpdateRequest.VerificationResult;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Optional;

/** The greenboot hooks: required.d check, red.d and green.d. Each acts only on the target boot. */
public final class GreenbootCommands {
  /**
   * How often required.d looks at request.json and microshift.service while it waits: a poll, not
   * a file watch, because MicroShift's activity (systemctl is-active) has no file to watch and the
   * agent is a short-lived process; at 0.5 s it answers the operator's verification within half a
   * second for one small read and one systemctl call per look.
   */
  static final Duration POLL = Duration.ofMillis(500);

  private final HostContext ctx;
  private final StatusRecorder recorder;

  public GreenbootCommands(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  /** The status when this boot is the target boot of an update in flight. */
  private Optional<HostStatus> targetBoot() {
    Optional<HostStatus> s = recorder.read();
    LostStatus lostStatus = new LostStatus(ctx);
    Optional<UpdateRequest> lost = lostStatus.lost(s);
    if (lost.isPresent()) {
      lostStatus.settle(lost.get(), true, "greenboot");
      s = recorder.read();
    }
    recorder.settled(s);
    String boot = ctx.bootId();
    return s.filter(st -> st.state().isVerifying() && boot.equals(st.bootIdAfter()));
  }

  /**
   * required.d: waits (bounded by the request's healthCheckTimeoutSeconds) for MicroShift to be
   * active and for the operator's verification of this boot. 0 = healthy, 1 = failed (reason on out).
   */
  public int check(PrintStream out) throws InterruptedException {
    new BootCommand(ctx).recordTargetBooted();
    Optional<HostStatus> s = targetBoot();
    if (s.isEmpty()) {
      out.println("no update in flight on this boot: nothing to check");
      return 0;
    }
    String boot = ctx.bootId();
    Instant deadline = null;
    String waitingFor = "";
    while (true) {
      UpdateRequest req;
      try {
        req = recorder.readRequest().orElse(null);
      } catch (MarkerProblems e) {
        out.println("FAIL: request.json refused: " + String.join("; ", e.problems()));
        return 1;
      }
      if (req == null) {
        // deleted by hand: the operator writes it again with its verification; wait for that,
        // within the timeout of the request the host accepted, rather than fail a healthy boot
        Optional<UpdateRequest> accepted = recorder.acceptedRequest(s.get().request().uid(),
            s.get().request().sequence());
        if (accepted.isEmpty()) {
          out.println("FAIL: request.json is missing and the host kept no accepted request for plan uid "
              + s.get().request().uid() + ", sequence " + s.get().request().sequence());
          return 1;
        }
        if (deadline == null) {
          deadline = ctx.clock().instant().plusSeconds(accepted.get().healthCheckTimeoutSeconds());
        }
        waitingFor = "request.json, which is missing (the operator writes it again with its verification)";
        if (!ctx.clock().instant().isBefore(deadline)) {
          out.println("FAIL: timed out after " + accepted.get().healthCheckTimeoutSeconds() + "s waiting for "
              + waitingFor);
          return 1;
        }
        ctx.sleeper().sleep(POLL);
        continue;
      }
      if (!s.get().isFor(req)) {
        out.println("FAIL: request.json no longer matches the update in flight (plan uid "
            + s.get().request().uid() + ", sequence " + s.get().request().sequence() + ")");
        return 1;
      }
      Optional<String> rewritten = rewrittenSinceAccepted(req);
      if (rewritten.isPresent()) {
        out.println("FAIL: " + rewritten.get());
        return 1;
      }
      if (deadline == null) {
        deadline = ctx.clock().instant().plusSeconds(req.healthCheckTimeoutSeconds());
      }
      boolean active = ctx.microshift().isActive();
      UpdateRequest.Verification v = req.verification();
      boolean current = v != null && v.sequence() == req.sequence() && boot.equals(v.bootId());
      if (current && v.result() == VerificationResult.Failed) {
        out.println("FAIL: the operator's verification failed: " + (v.message() == null ? "(no message)" : v.message()));
        return 1;
      }
      if (active && current && v.result() == VerificationResult.Passed) {
        out.println("OK: MicroShift is active and the operator verified boot " + boot);
        return 0;
      }
      waitingFor = !active ? "microshift.service to be active"
          : "the operator's verification of boot " + boot + (v == null ? " (none yet)"
              : current ? " (Pending)" : " (latest is for boot " + v.bootId() + ", sequence " + v.sequence() + ")");
      if (!ctx.clock().instant().isBefore(deadline)) {
        out.println("FAIL: timed out after " + req.healthCheckTimeoutSeconds() + "s waiting for " + waitingFor);
        return 1;
      }
      ctx.sleeper().sleep(POLL);
    }
  }

  /**
   * The verification counts only in the request the host accepted: a request.json of the same
   * sequence that changes the target, the backup set or any other fixed field is not trusted.
   */
  private Optional<String> rewrittenSinceAccepted(UpdateRequest req) {
    return recorder.acceptedRequest(req.plan().uid(), req.sequence())
        .map(a -> a.fixedFieldsDifferingFrom(req))
        .filter(changed -> !changed.isEmpty())
        .map(changed -> "request.json changes " + String.join(", ", changed) + " since the host accepted it;"
            + " its verification is not trusted");
  }

  /**
   * red.d: records the failed attempt ({@code Unhealthy}); on rpm hosts also {@code Failed},
   * unless greenboot-rs will reboot to try the boot again ({@link GreenbootRs}).
   */
  public int red() {
    return recordFailure(true);
  }

  /**
   * The verification after an rpm restart failed: as red.d, but no greenboot run follows a
   * restart (RestartVerification), so nothing will try again.
   */
  public int redAfterRestart() {
    return recordFailure(false);
  }

  private int recordFailure(boolean greenbootRan) {
    Optional<HostStatus> s = targetBoot();
    if (s.isEmpty()) {
      ctx.log().info("red: no update in flight on this boot");
      return 0;
    }
    HostStatus st = s.get();
    // one attempt per failed target boot, from our own records (Unhealthy on this boot id): right
    // under greenboot and greenboot-rs alike (neither's boot_counter is read), and a red.d run again
    // on the same boot does not count twice
    HostStatus next = st;
    if (st.state() == HostState.Unhealthy) {
      ctx.log().info("red: the failed attempt on boot " + st.bootIdAfter() + " is already recorded (attempt "
          + st.greenbootAttempts() + ")");
    } else {
      int attempt = st.greenbootAttempts() + 1;
      next = recorder.transition("greenboot", st.toBuilder().greenbootAttempts(attempt), HostState.Unhealthy,
          "greenboot health checks failed on boot " + st.bootIdAfter() + " (attempt " + attempt + ")");
    }
    if (st.type() == UpdateType.RPM) {
      Optional<String> retry = greenbootRan ? GreenbootRs.retryAfterThisFailure(ctx) : Optional.empty();
      if (retry.isPresent()) {
        ctx.log().info("red: " + retry.get() + "; the update stays in flight for the next boot");
        return 0;
      }
      recorder.transition("greenboot", next.toBuilder(), HostState.Failed,
          "health checks failed after the rpm update; rpm hosts have no automatic rollback"
              + BootCommand.restoreHint(st) + " (after reinstalling MicroShift " + st.fromVersion() + ")");
    }
    return 0;
  }

  /**
   * green.d: {@code Healthy} then {@code Committed}; prunes backup sets beyond the retention. On
   * ostree and image hosts it first sets the commit-unconfirmed flag: greenboot records the boot as
   * good in grub only after green.d (greenboot-rs's {@code set_boot_status(true)} follows {@code
   * run_green} in src/main.rs {@code health_check}; the bash greenboot's
   * greenboot-grub2-set-success.service runs beside greenboot-task-runner.service, both after
   * boot-complete.target), so a power cut in between on the last boot attempt makes grub fall back
   * to the previous deployment; the next boot unit then restores the data ({@link BootCommand}).
   */
  public int green() {
    Optional<HostStatus> s = targetBoot();
    if (s.isEmpty()) {
      ctx.log().info("green: no update in flight on this boot");
      return 0;
    }
    HostStatus st = s.get();
    HostStatus healthy = st.state() == HostState.Healthy ? st
        : recorder.transition("greenboot", st.toBuilder(), HostState.Healthy,
            "greenboot health checks passed on boot " + st.bootIdAfter());
    ctx.reached(CrashPoints.GREENBOOT_HEALTHY_RECORDED);
    int keep = BackupRetention.DEFAULT_KEEP;
    try {
      keep = recorder.readRequest().filter(healthy::isFor).map(UpdateRequest::backupRetention).orElse(BackupRetention.DEFAULT_KEEP);
    } catch (MarkerProblems e) {
      ctx.log().error("request.json refused, using the default retention " + BackupRetention.DEFAULT_KEEP + ": " + e.getMessage());
    }
    List<String> pruned = ctx.backups().prune(keep, st.backupId() == null ? Set.of() : Set.of(st.backupId()));
    if (st.type().deploysOstree()) {
      // until the next boot: grub may still fall back (BootCommand.afterCommit)
      new FlagFile(ctx.paths().commitUnconfirmedFlag(), ctx.log()).set();
    }
    recorder.transition("greenboot", healthy.toBuilder(), HostState.Committed, "update to " + st.targetVersion()
        + " committed" + (pruned.isEmpty() ? "" : "; pruned backup sets " + String.join(", ", pruned)));
    return 0;
  }
}
