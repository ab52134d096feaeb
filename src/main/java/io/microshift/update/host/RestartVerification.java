package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;

/**
 * rpm hosts where no reboot is needed ({@link RpmRestartRule}): the apply unit restarts
 * MicroShift on the installed target and then verifies it as greenboot verifies a new boot, in
 * the same states: {@code Restarting} → {@code Booted} (boot id after = boot id before: no new
 * boot) → MicroShift's own required.d check ({@code 40_microshift_running_check.sh}, installed
 * by microshift-greenboot, which microshift requires) and our check ({@link GreenbootCommands#check}:
 * MicroShift active and the operator's verification of this boot, bounded by
 * healthCheckTimeoutSeconds) → green.d's {@code Healthy}/{@code Committed}, or red.d's
 * {@code Unhealthy}/{@code Failed} with the restore command. No greenboot run follows a restart,
 * so nothing else does it; a crash in the middle resumes at the next apply run in this boot
 * ({@link #inProgress}), and after a power cut the boot unit and greenboot take over.
 */
final class RestartVerification {
  /** openshift/microshift packaging/rpm/microshift.spec installs it (microshift-greenboot). */
  static final String MICROSHIFT_CHECK = "/etc/greenboot/check/required.d/40_microshift_running_check.sh";

  private final HostContext ctx;
  private final StatusRecorder recorder;

  RestartVerification(HostContext ctx) {
    this.ctx = ctx;
    this.recorder = ctx.recorder();
  }

  /** MicroShift was restarted for this update in this boot and the verification has not ended. */
  static boolean inProgress(HostContext ctx, HostStatus s) {
    return s.type() == UpdateType.RPM
        && s.state().isVerifying()
        && s.bootIdAfter() != null && s.bootIdAfter().equals(s.bootIdBefore())
        && s.bootIdAfter().equals(ctx.bootId());
  }

  /** Records {@code Restarting}, restarts MicroShift, records {@code Booted} and verifies. */
  int restart(UpdateRequest req, HostStatus status) {
    String boot = ctx.bootId();
    if (status.state() != HostState.Restarting) {
      status = recorder.transition("apply", status.toBuilder().bootIdBefore(boot), HostState.Restarting,
          "restarting MicroShift on " + req.target().version() + " without a reboot (z-stream update, no core"
              + " package changed since the boot)");
    }
    try {
      ctx.microshift().restart();
    } catch (HostException e) {
      recorder.transition("apply", status.toBuilder().bootIdAfter(boot), HostState.Failed,
          "MicroShift " + req.target().version() + " is installed but did not restart: " + e.getMessage()
              + BootCommand.restoreHint(status) + " (after reinstalling MicroShift " + status.fromVersion() + ")");
      return 1;
    }
    ctx.reached(CrashPoints.APPLY_MICROSHIFT_RESTARTED);
    status = recorder.transition("apply", status.toBuilder().bootIdAfter(boot), HostState.Booted,
        "MicroShift " + req.target().version() + " restarted without a reboot (boot " + boot
            + "); verifying it as greenboot would after a reboot");
    return resume(status);
  }

  /** The verification after the restart, from wherever a crash left it. */
  int resume(HostStatus status) {
    GreenbootCommands greenboot = new GreenbootCommands(ctx);
    if (status.state() == HostState.Unhealthy) {
      greenboot.redAfterRestart();
      return 1;
    }
    boolean healthy = status.state() == HostState.Healthy || (microshiftCheckPasses() && ourCheckPasses(greenboot));
    if (healthy) {
      greenboot.green();
      return 0;
    }
    greenboot.redAfterRestart();
    return 1;
  }

  /** MicroShift's own required.d check, as greenboot runs it after a boot (skipped when absent). */
  private boolean microshiftCheckPasses() {
    if (!Files.isRegularFile(ctx.paths().host(MICROSHIFT_CHECK), LinkOption.NOFOLLOW_LINKS)) {
      ctx.log().info(MICROSHIFT_CHECK + " is not installed: only our check runs");
      return true;
    }
    CommandRunner.Result r = ctx.runner().run(List.of(MICROSHIFT_CHECK));
    if (!r.ok()) {
      ctx.log().error("after the restart MicroShift's health check failed (exit " + r.exitCode() + "): "
          + (r.stdout() + r.stderr()).strip());
    }
    return r.ok();
  }

  private boolean ourCheckPasses(GreenbootCommands greenboot) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      rc = greenboot.check(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostException("interrupted while verifying MicroShift after the restart");
    }
    String text = buf.toString(StandardCharsets.UTF_8).strip();
    if (rc == 0) {
      ctx.log().info(text);
    } else {
      ctx.log().error("after the restart: " + text);
    }
    return rc == 0;
  }
}
