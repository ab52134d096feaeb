package io.microshift.update.host;

import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bash greenboot's grub boot counter on ostree and image hosts, which makes the target's
 * automatic rollback possible: {@code boot_counter} set and {@code boot_success=0} when the
 * target boots. greenboot arms it at the staging, not at the reboot: ostree's staging starts
 * ostree-finalize-staged.service (ostreedev/ostree src/libostree/ostree-sysroot-deploy.c,
 * {@code _ostree_sysroot_ensure_finalize_staged_service}, called by {@code
 * ostree_sysroot_stage_tree_with_options}), which greenboot-grub2-set-counter.service is
 * RequiredBy and Before (fedora-iot/greenboot usr/lib/systemd/system/greenboot-grub2-set-counter.service;
 * usr/libexec/greenboot/greenboot-grub2-set-counter: {@code boot_counter=GREENBOOT_MAX_BOOT_ATTEMPTS},
 * {@code boot_success=0}). greenboot-grub2-set-success.service (After and Requires
 * boot-complete.target; Conflicts with set-counter) clears it again: {@code boot_success=1},
 * {@code boot_counter} unset. Without a counter a failed target boot gets no reboot and no
 * fallback (usr/libexec/greenboot/redboot-auto-reboot: "Manual intervention necessary").
 *
 * <p>So: a staging before this boot's greenboot verdict would be disarmed when the boot completes
 * ({@link #awaitVerdict}); the reboot into the target needs the counter armed ({@link #ensureArmed});
 * a staged deployment removed (Cancel, a failed update) leaves a counter that would make a later
 * bad boot of the current deployment fall back to an older one ({@link #disarmAfterRemoval}).
 * greenboot-rs has no set-counter unit and counts in its own health check ({@link GreenbootRs}).
 */
final class GreenbootBootCounter {
  static final String SET_COUNTER_UNIT_FILE = "/usr/lib/systemd/system/greenboot-grub2-set-counter.service";
  static final String SET_COUNTER = "greenboot-grub2-set-counter.service";
  /** ostree's unit whose stop at shutdown writes the staged deployment out; staging starts it. */
  static final String FINALIZE_STAGED = "ostree-finalize-staged.service";
  static final String SET_SUCCESS = "greenboot-grub2-set-success.service";
  static final String HEALTHCHECK = "greenboot-healthcheck.service";
  static final String BOOT_COMPLETE = "boot-complete.target";
  /**
   * How long a staging waits for greenboot's verdict on this boot: MicroShift's own required.d
   * check alone waits up to 600 s for MicroShift (40_microshift_running_check.sh), and greenboot
   * runs the other checks too. The workloads run meanwhile.
   */
  static final Duration VERDICT_WAIT = Duration.ofMinutes(15);
  static final Duration POLL = Duration.ofSeconds(1);
  /**
   * How long set-success may take to start once the health check passed: its job follows
   * boot-complete.target at once; a unit that has not run by then is not enabled, and nothing
   * will clear the counter.
   */
  static final Duration SET_SUCCESS_GRACE = Duration.ofSeconds(10);
  private static final Set<String> DONE = Set.of("active", "failed");

  private final HostContext ctx;

  GreenbootBootCounter(HostContext ctx) {
    this.ctx = ctx;
  }

  /** Whether the bash greenboot counts this update's boots: an ostree or image update under it. */
  static boolean counts(HostContext ctx, UpdateRequest req) {
    return req.type().deploysOstree() && onThisHost(ctx);
  }

  /** Whether this is an ostree or image host under the bash greenboot. */
  static boolean onThisHost(HostContext ctx) {
    return ctx.isOstreeHost() && Files.exists(ctx.paths().host(SET_COUNTER_UNIT_FILE), LinkOption.NOFOLLOW_LINKS)
        && !GreenbootRs.installed(ctx.paths());
  }

  /** The counter now, for {@code status}: the variables and whether a failed boot of a staged deployment would roll back. */
  String describeNow() {
    Map<String, String> env = Grubenv.read(ctx.runner());
    return describe(env) + (armed(env) ? ": armed, a failed boot of the staged deployment rolls back"
        : ": not armed, nothing staged (the bash greenboot arms it at each staging)");
  }

  /**
   * Before a staging command: waits, bounded by {@link #VERDICT_WAIT}, until greenboot is done
   * with this boot, so that nothing clears the counter the staging sets. Done: the health checks
   * failed (boot-complete.target will not be reached), or they passed and set-success ran (or a
   * staging of this boot already stopped it, or it has not started {@link #SET_SUCCESS_GRACE}
   * after they passed). Records the wait in the status once. Throws a {@link HostException} at
   * the deadline, {@link RequestSuperseded} when request.json changes.
   */
  void awaitVerdict(UpdateRequest req) {
    Instant deadline = ctx.clock().instant().plus(VERDICT_WAIT);
    Instant passedAt = null;
    boolean recorded = false;
    while (true) {
      Optional<Pending> pending = verdictPending();
      if (pending.isEmpty()) {
        return;
      }
      if (pending.get().checksPassed()) {
        Instant now = ctx.clock().instant();
        passedAt = passedAt == null ? now : passedAt;
        if (!now.isBefore(passedAt.plus(SET_SUCCESS_GRACE))) {
          ctx.log().info(SET_SUCCESS + " has not run " + SET_SUCCESS_GRACE.toSeconds() + "s after the health checks"
              + " passed (not enabled?): nothing will clear the boot counter; staging");
          return;
        }
      }
      if (!ctx.clock().instant().isBefore(deadline)) {
        throw new HostException("greenboot has not finished checking this boot after " + VERDICT_WAIT.toSeconds()
            + "s (" + pending.get().what() + "): staging now would arm grub's boot counter (" + SET_COUNTER + ") and "
            + SET_SUCCESS + " would clear it when this boot completes, leaving the update without its automatic"
            + " rollback; try again once systemctl is-active " + BOOT_COMPLETE + " prints active, or once "
            + HEALTHCHECK + " has failed");
      }
      if (!recorded) {
        recorded = true;
        recordWait(req, pending.get().what());
      }
      try {
        ctx.sleeper().sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HostException("interrupted while waiting for greenboot to finish checking this boot");
      }
      superseded(req);
    }
  }

  /** What greenboot is still doing on this boot ({@code what}), and whether its health checks already passed. */
  private record Pending(String what, boolean checksPassed) {}

  /** What greenboot is still doing on this boot, or empty when its verdict is in. */
  private Optional<Pending> verdictPending() {
    Systemd systemd = ctx.systemd();
    String health = systemd.activeState(HEALTHCHECK);
    if (health.equals("failed")) {
      return Optional.empty();
    }
    if (!health.equals("active")) {
      return Optional.of(new Pending(HEALTHCHECK + " " + health, false));
    }
    String success = systemd.activeState(SET_SUCCESS);
    if (DONE.contains(success) || systemd.activeState(SET_COUNTER).equals("active")) {
      return Optional.empty();
    }
    return Optional.of(new Pending(HEALTHCHECK + " active, " + SET_SUCCESS + " " + success, true));
  }

  private void recordWait(UpdateRequest req, String pending) {
    StatusRecorder recorder = ctx.recorder();
    Optional<HostStatus> s = recorder.read().filter(st -> st.isFor(req) && !st.state().isTerminal());
    String message = "waiting for greenboot to finish checking this boot (" + pending + ") before staging, at most "
        + VERDICT_WAIT.toMinutes() + " min: a staging now would lose the boot counter of the automatic rollback";
    if (s.isPresent()) {
      recorder.transition("stage", s.get().toBuilder(), s.get().state(), message);
    } else {
      ctx.log().info(message);
    }
  }

  /** Ends the wait when request.json is no longer {@code req} (a Cancel, a new plan): the agent acts on it. */
  private void superseded(UpdateRequest req) {
    try {
      Optional<UpdateRequest> now = ctx.recorder().readRequest();
      if (now.isPresent() && (!now.get().plan().uid().equals(req.plan().uid()) || now.get().sequence() != req.sequence())) {
        throw new RequestSuperseded(now.get());
      }
    } catch (MarkerProblems e) {
      ctx.log().error("request.json refused while waiting for greenboot: " + e.getMessage());
    }
  }

  /**
   * Before the reboot into the target: the counter armed, or armed now. First as ostree's staging
   * does it, {@code systemctl start ostree-finalize-staged.service}: what cleared the counter
   * (set-success, which Conflicts with set-counter) also stopped that unit, which Requires
   * set-counter, and without it active nothing writes the staged deployment out at the shutdown;
   * its start pulls set-counter in again. Then set-counter itself (not enabled, so not pulled in).
   * A start of an active unit does nothing: still not armed then means a hand edit of grubenv.
   * Returns why the reboot must not happen, or empty.
   */
  Optional<String> ensureArmed() {
    Map<String, String> env = Grubenv.read(ctx.runner());
    if (armed(env)) {
      return Optional.empty();
    }
    String before = describe(env);
    for (String unit : List.of(FINALIZE_STAGED, SET_COUNTER)) {
      ctx.log().info("grub's boot counter is not armed (" + describe(env) + "): starting " + unit);
      try {
        ctx.systemd().start(unit);
      } catch (HostException e) {
        return Optional.of("grub's boot counter is not armed (" + before + ") and starting " + unit + " failed: "
            + e.getMessage() + "; without it a failed target boot would not roll back");
      }
      env = Grubenv.read(ctx.runner());
      if (armed(env)) {
        ctx.log().info("grub's boot counter armed again by " + unit + " (" + describe(env) + ")");
        return Optional.empty();
      }
    }
    return Optional.of("grub's boot counter is still not armed after " + FINALIZE_STAGED + " and " + SET_COUNTER
        + " (" + describe(env) + "); without it a failed target boot would not roll back: check /boot/grub2/grubenv"
        + " and systemctl status " + SET_COUNTER);
  }

  /**
   * After the staged deployment was removed: clears a counter that greenboot armed for it, as
   * greenboot itself does when a boot completes ({@link #SET_SUCCESS}); only once this boot reached
   * boot-complete.target, which set-success requires (starting it otherwise would pull the target in).
   * Returns what was done, for the message.
   */
  String disarmAfterRemoval() {
    if (!armed(Grubenv.read(ctx.runner()))) {
      return "";
    }
    if (!ctx.systemd().isActive(BOOT_COMPLETE)) {
      return "; grub's boot counter stays armed (this boot never reached " + BOOT_COMPLETE + "): a bad boot of the"
          + " current deployment will fall back to the previous one; run systemctl start " + SET_SUCCESS
          + " once this boot is healthy";
    }
    try {
      ctx.systemd().start(SET_SUCCESS);
      return "; grub's boot counter cleared (" + SET_SUCCESS + ")";
    } catch (HostException e) {
      return "; grub's boot counter stays armed (" + SET_SUCCESS + " failed: " + e.getMessage() + ")";
    }
  }

  /** greenboot's armed state: a boot counter and this boot not yet recorded as good (grub's 08_fallback_counting). */
  static boolean armed(Map<String, String> env) {
    String counter = env.get("boot_counter");
    return counter != null && counter.matches("[1-9][0-9]{0,3}") && "0".equals(env.get("boot_success"));
  }

  private static String describe(Map<String, String> env) {
    return "boot_counter=" + env.getOrDefault("boot_counter", "(unset)") + ", boot_success="
        + env.getOrDefault("boot_success", "(unset)");
  }
}
