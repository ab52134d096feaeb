package io.microshift.update.sim;

import io.microshift.update.host.FakeHostCommands;
import io.microshift.update.host.OstreeSysroot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * greenboot on the simulated device, and grub's part in it: the health checks (MicroShift's own
 * simulated, then the real {@code src/host/greenboot} scripts run with bash against the agent as
 * its own JVM), the failed boot attempts, the fallback to the previous deployment after the last
 * one, and what boots next; the bash greenboot or greenboot-rs ({@link SimulatedDevice.Options#greenbootRs()}).
 */
final class SimGreenboot {
  private final SimulatedDevice.Options opts;
  private final SimHost host;
  private final FakeHostCommands commands;
  private final BooleanSupplier microshiftActive;
  private final Consumer<String> log;
  private int failedAttempts;
  private boolean fallbackNext;
  private String rollbackDeployment;
  private boolean powerCutDone;
  private boolean powerCutPending;

  SimGreenboot(SimulatedDevice.Options opts, SimHost host, BooleanSupplier microshiftActive, Consumer<String> log) {
    this.opts = opts;
    this.host = host;
    this.commands = host.commands();
    this.microshiftActive = microshiftActive;
    this.log = log;
    if (opts.greenbootRs) {
      grub().put("boot_success", "1");
    }
  }

  /**
   * grub's environment block, the device's /boot/grub2/grubenv (the agent reads it with
   * grub2-editenv through FakeHostCommands): under greenboot-rs {@code boot_counter},
   * {@code boot_success}, the rollback trigger {@code greenboot_next_deployment_id} and grub's
   * own {@code fallback}. Under the bash greenboot {@code boot_counter} and {@code boot_success}
   * as its units set them (host/FakeBashGreenboot: set-counter at each staging, set-success after
   * a healthy run, here), and the fallback unit unsets the counter. Under both, grub counts each
   * boot down ({@link #grubCountdown}) and falls back when the counter ran out.
   */
  private java.util.Map<String, String> grub() {
    return commands.grubenv();
  }

  private Integer grubBootCounter() {
    String v = grub().get("boot_counter");
    return v == null ? null : Integer.valueOf(v);
  }

  private void grubSet(String name, Object value) {
    if (value == null) {
      grub().remove(name);
    } else {
      grub().put(name, String.valueOf(value));
    }
  }

  /**
   * A deployment's id as greenboot-rs names it (src/lib/handler.rs, get_booted_deployment_id,
   * get_staged_deployment_id): the image's digest on a bootc host, the checksum otherwise.
   */
  private String deploymentId(String checksum) {
    if (opts.image) {
      io.microshift.update.host.FakeBootc.Image image = commands.bootc().imageOf(checksum);
      return image == null ? null : image.digest();
    }
    return checksum;
  }

  /**
   * greenboot on this boot: required.d (MicroShift's own check, simulated: MicroShift active and
   * its version not broken; then our {@code 50_microshift_update_check.sh}), stopping at the first
   * failure; then green.d or red.d. A failure counts a boot attempt; after
   * GREENBOOT_MAX_BOOT_ATTEMPTS the next boot boots the previous deployment.
   */
  SimulatedDevice.GreenbootResult run() {
    StringBuilder out = new StringBuilder();
    if (opts.greenbootRs && opts.ostree) {
      greenbootRsBootState(out);
    }
    boolean manualIntervention = false;
    String why = null;
    if (!microshiftActive.getAsBoolean()) {
      why = "40_microshift_running_check.sh: microshift.service is not active";
    } else if (opts.broken.contains(host.bootedVersion()) || brokenRunLeft(host.bootedVersion())) {
      why = "40_microshift_running_check.sh: MicroShift " + host.bootedVersion()
          + " core pods not ready (openshift-ovn-kubernetes/ovnkube-master CrashLoopBackOff)";
    }
    boolean healthy;
    if (why != null) {
      out.append("FAIL: ").append(why).append('\n');
      healthy = false;
    } else {
      healthy = script("required.d/50_microshift_update_check.sh", out) == 0;
    }
    if (healthy) {
      script("green.d/50_microshift_update_green.sh", out);
      boolean cut = opts.cutPowerAfterGreen && !powerCutDone;
      if (cut) {
        powerCutDone = true;
        powerCutPending = true;
      }
      if (opts.greenbootRs) {
        failedAttempts = 0;
        if (cut) {
          out.append("the power went out after green.d, before greenboot-rs's set_boot_status(true)\n");
        } else {
          // greenboot-rs src/main.rs health_check (Ok) and src/lib/grub.rs set_boot_status(true):
          // boot_success=1, boot_counter and greenboot_next_deployment_id unset
          grubSet("boot_success", 1);
          grubSet("boot_counter", null);
          grubSet("greenboot_next_deployment_id", null);
        }
      } else if (cut) {
        // the bash greenboot: greenboot-grub2-set-success.service (boot_success=1, boot_counter
        // unset) runs after boot-complete.target as green.d's runner does, in no order between
        // them, and had not run yet. grub's boot_counter, GREENBOOT_MAX_BOOT_ATTEMPTS once the
        // target is staged (greenboot-grub2-set-counter.service, RequiredBy
        // ostree-finalize-staged.service) and one less at each boot (08_greenboot.cfg), stays:
        // after the last attempt the boot after the cut falls back (fallsBackAfterPowerCut)
        out.append("the power went out after green.d, before greenboot-grub2-set-success.service\n");
      } else {
        failedAttempts = 0;
        if (host.bashGreenboot() != null) {
          host.bashGreenboot().setSuccessRuns(); // greenboot-grub2-set-success.service
        }
      }
    } else {
      script("red.d/50_microshift_update_red.sh", out);
      failedAttempts++;
      if (opts.greenbootRs) {
        greenbootRsAfterFailure(out);
      } else if (opts.ostree && !grub().containsKey("boot_counter")) {
        // usr/libexec/greenboot/redboot-auto-reboot: no counter, no reboot and no fallback
        out.append("SYSTEM is UNHEALTHY, but boot_counter is unset in grubenv. Manual intervention necessary.\n");
        manualIntervention = true;
      }
    }
    host.agentOut().print(out);
    boolean fallsBack = fallbackNext || (!opts.greenbootRs && grubRanOut());
    log.accept("greenboot: " + (healthy ? "healthy (green.d ran)" : "FAILED (red.d ran), boot attempt " + failedAttempts
        + " of " + opts.maxBootAttempts + (fallsBack ? "; the next boot falls back to the previous deployment" : ""))
        + (why != null ? " - " + why : ""));
    return new SimulatedDevice.GreenbootResult(healthy, failedAttempts, fallsBack, out.toString(), manualIntervention);
  }

  /** Whether grub's next boot falls back: the counter ran out and this boot was not recorded as good (08_greenboot.cfg). */
  private boolean grubRanOut() {
    Integer counter = grubBootCounter();
    return opts.ostree && counter != null && counter <= 0 && "0".equals(grub().get("boot_success"));
  }

  /**
   * The agent called {@code systemctl reboot}: a new update's boots start counting; the booted
   * deployment is what greenboot falls back to.
   */
  void rebootRequested() {
    failedAttempts = 0;
    if (opts.ostree) {
      rollbackDeployment = host.bootedChecksum();
    }
  }

  /**
   * A clean shutdown (not a power cut), before ostree-finalize-staged.service writes the staged
   * deployment out. greenboot-rs: greenboot-set-rollback-trigger.service (ExecStop, RequiredBy and
   * After ostree-finalize-staged.service, so stopped before it) sets greenboot_next_deployment_id
   * to the staged deployment's id, locked or not, and grub's fallback=1 (src/main.rs,
   * SetRollbackTrigger; src/lib/handler.rs get_staged_deployment_id: the deployment with
   * {@code staged: true} in rpm-ostree status --json); no staged deployment: nothing.
   */
  void cleanShutdown() {
    if (!opts.greenbootRs || !opts.ostree) {
      return;
    }
    String staged = stagedChecksum();
    if (staged != null) {
      grubSet("greenboot_next_deployment_id", deploymentId(staged));
      grubSet("fallback", 1);
    }
  }

  /**
   * The checksum of the deployment rpm-ostree status --json reports {@code staged: true}, or null:
   * read with the agent's own adapter ({@link io.microshift.update.host.RpmOstree#status}).
   */
  private String stagedChecksum() {
    return new io.microshift.update.host.RpmOstree(commands, host.paths()).status().deployments().stream()
        .filter(io.microshift.update.host.RpmOstree.Deployment::staged).map(io.microshift.update.host.RpmOstree.Deployment::checksum)
        .findFirst().orElse(null);
  }

  /**
   * greenboot-rs at the start of its health check (src/main.rs health_check, detect_grub_fallback):
   * a rollback trigger that is not the booted deployment means grub fell back from the new one
   * (a kernel it could not load, or the old entry picked in the menu), and greenboot-rs makes that
   * permanent with {@code rpm-ostree rollback} / {@code bootc rollback}
   * (handle_rollback(RollbackMode::Forced): no boot_counter check), then unsets the trigger and
   * fallback. Otherwise a set fallback is disarmed before the checks.
   */
  private void greenbootRsBootState(StringBuilder out) {
    String trigger = grub().get("greenboot_next_deployment_id");
    String booted = deploymentId(host.bootedChecksum());
    if (trigger != null && !trigger.equals(booted)) {
      out.append("greenboot-rs: GRUB kernel fallback detected: expected deployment ").append(trigger)
          .append(", booted ").append(booted).append('\n');
      String how = rollback();
      out.append("greenboot-rs: Making GRUB fallback permanent: ").append(how).append('\n');
      log.accept("greenboot-rs: GRUB fallback detected; " + how + " made the booted deployment the default");
      grubSet("greenboot_next_deployment_id", null);
      grubSet("fallback", null);
    } else if (grub().containsKey("fallback")) {
      grubSet("fallback", null); // "Kernel booted successfully, disarming GRUB fallback before healthchecks"
    }
  }

  /**
   * What boots after a shutdown (ostree): the default deployment, or the previous one when
   * greenboot fell back; a deployment that never reaches user space ({@link SimulatedDevice.Options#neverBoots})
   * is counted by grub's boot counter until the last attempt falls back. The bash greenboot's
   * fallback unit then runs the rollback before the boot unit.
   */
  void chooseDeployment() {
    String next = fallbackNext ? rollbackDeployment : host.boots().defaultDeployment();
    if (opts.greenbootRs && !fallbackNext && opts.neverBoots.contains(host.versionOf(next))
        && grub().containsKey("fallback")) {
      // greenboot-rs: no boot counter before a failed check; grub's own fallback=1 (set with the
      // rollback trigger) boots entry 1 at once when it cannot load the default entry's kernel
      List<OstreeSysroot.Deployment> entries = host.sysroot().deployments();
      log.accept("boot " + (host.bootCount() + 1) + ": grub cannot load deployment " + next.substring(0, 12)
          + " (MicroShift " + host.versionOf(next) + "); fallback=1 boots entry 1");
      next = entries.get(1).checksum();
    }
    while (!fallbackNext && opts.neverBoots.contains(host.versionOf(next))) {
      // the kernel never reaches user space; grub's boot counter counts the attempt
      host.bootWithoutUserSpace();
      failedAttempts++;
      log.accept("boot " + host.bootCount() + ": deployment " + next.substring(0, 12) + " (MicroShift "
          + host.versionOf(next) + ") never reaches user space; boot attempt " + failedAttempts + " of "
          + opts.maxBootAttempts);
      if (!opts.greenbootRs) {
        grubCountdown(); // the bash greenboot's counter, armed at the staging: the next boot
      } else if (failedAttempts >= opts.maxBootAttempts) {
        fallbackNext = true;
      }
      if (fallbackNext) {
        next = rollbackDeployment;
      }
    }
    host.boots().booted(next);
    if (fallbackNext) {
      fallbackNext = false;
      failedAttempts = 0;
      if (!opts.greenbootRs) {
        // greenboot-rpm-ostree-grub2-check-fallback.service, before our boot unit: boot_counter
        // is -1, so it runs rpm-ostree rollback (fedora-iot/greenboot, attempt_rollback);
        // greenboot-rs has no such unit and rolled back from the failing boot instead
        String how = rollback();
        grubSet("boot_counter", null); // then grub2-editenv - unset boot_counter
        log.accept("greenboot's fallback: boot_counter ran out; " + how + " made the previous deployment the default");
      }
    }
  }

  /**
   * greenboot-rs after a failed health check, red.d having run (src/main.rs health_check, the Err
   * branch; src/lib/handler.rs handle_reboot and handle_rollback): no counter yet (the first
   * failure) sets boot_counter to GREENBOOT_MAX_BOOT_ATTEMPTS and reboots; a counter above 0
   * reboots (grub decrements it); a counter at 0 with the rollback trigger set runs
   * {@code rpm-ostree rollback} on this failing boot, unsets both and reboots into the previous
   * deployment; without the trigger (not an ostree host: greenboot-set-rollback-trigger.service
   * has ConditionPathExists=/run/ostree-booted) it refuses: "Manual intervention required".
   */
  private void greenbootRsAfterFailure(StringBuilder out) {
    grubSet("boot_success", 0);
    Integer counter = grubBootCounter();
    if (counter == null) {
      grubSet("boot_counter", opts.maxBootAttempts);
      out.append("greenboot-rs: First health check failure, setting boot counter to ").append(opts.maxBootAttempts).append('\n');
    } else if (counter > 0) {
      out.append("greenboot-rs: Boot counter is ").append(counter).append(", rebooting to try again\n");
    } else if (grub().get("greenboot_next_deployment_id") != null) {
      out.append("greenboot-rs: Boot counter exhausted and next-deployment-id is set - initiating rollback\n"
          + "greenboot-rs: " + (opts.image ? "bootc" : "rpm-ostree") + " rollback\ngreenboot-rs: Rollback successful\n");
      rollback(); // from this failing boot itself: the previous deployment is the default now
      fallbackNext = true;
      grubSet("boot_counter", null);
      grubSet("greenboot_next_deployment_id", null);
    } else {
      out.append("greenboot-rs: Boot counter exhausted but no next-deployment-id set - manual intervention required\n");
    }
  }

  /**
   * grub's 08_greenboot.cfg at boot (fedora-iot/greenboot grub2/08_greenboot.cfg, the same file
   * under greenboot-rs): with boot_counter set and boot_success=0 it decrements the counter (at 0
   * or -1 it boots entry 1 and sets -1; under greenboot-rs reached only when its rollback failed);
   * then boot_success=0 for this boot. Runs at every boot: a reboot, a power cut, a boot that never
   * reaches user space.
   */
  void grubCountdown() {
    Integer counter = grubBootCounter();
    if (counter != null && "0".equals(grub().get("boot_success"))) {
      if (counter <= 0) {
        grubSet("boot_counter", -1);
        // "set default=1": the second boot entry, ostree's rollback deployment, if there is one
        List<OstreeSysroot.Deployment> entries = opts.ostree ? host.sysroot().deployments() : List.of();
        if (entries.size() > 1) {
          rollbackDeployment = entries.get(1).checksum();
          fallbackNext = true;
        }
      } else {
        grubSet("boot_counter", counter - 1);
      }
    }
    grubSet("boot_success", 0);
  }

  /** Whether {@link SimulatedDevice.Options#cutPowerAfterGreen} cut the power in the last run (once). */
  boolean takePowerCut() {
    boolean pending = powerCutPending;
    powerCutPending = false;
    return pending;
  }

  /**
   * Whether the boot after a power cut boots the previous deployment ({@link #chooseDeployment}
   * then): grub's countdown as at any boot ({@link #grubCountdown}), under both greenboots; e.g.
   * the power went out after green.d on the target's last boot attempt, before greenboot recorded
   * the boot as good ({@link SimulatedDevice.Options#cutPowerAfterGreen}).
   */
  boolean fallsBackAfterPowerCut() {
    grubCountdown();
    return fallbackNext;
  }

  /** grub's {@code boot_counter} (empty: unset): greenboot-rs's, or the bash greenboot's as its units set it. */
  Optional<Integer> bootCounter() {
    return Optional.ofNullable(grubBootCounter());
  }

  /**
   * What greenboot runs to roll back: {@code bootc rollback} on a host whose booted deployment is
   * a container image, else {@code rpm-ostree rollback} (fedora-iot/greenboot
   * greenboot-rpm-ostree-grub2-check-fallback, {@code attempt_rollback}: bootc status --booted
   * --json's status.type is bootcHost; greenboot-rs src/lib/handler.rs, {@code handle_rollback}
   * after {@code detect_os_deployment}). Returns the command, for the log.
   */
  private String rollback() {
    String type = commands.run(List.of("bootc", "status", "--booted", "--json")).stdout();
    if (type.contains("\"type\":\"bootcHost\"")) {
      if (!commands.run(List.of("bootc", "rollback")).ok()) {
        throw new IllegalStateException("bootc rollback failed");
      }
      return "bootc rollback";
    }
    io.microshift.update.host.CommandRunner.Result r = commands.rollback();
    if (!r.ok()) {
      throw new IllegalStateException("greenboot's rpm-ostree rollback failed: " + r.stderr());
    }
    return "rpm-ostree rollback";
  }

  private boolean brokenRunLeft(String version) {
    synchronized (opts.brokenRuns) {
      int left = opts.brokenRuns.getOrDefault(version, 0);
      if (left <= 0) {
        return false;
      }
      opts.brokenRuns.put(version, left - 1);
      return true;
    }
  }

  /** The greenboot verbs halted at {@link SimulatedDevice.Options#greenbootCrashAt} (once per device). */
  boolean crashed() {
    return Files.exists(host.simDir().resolve("greenboot-crashed"));
  }

  private int script(String name, StringBuilder out) {
    Path script = opts.repo.resolve("src/host/greenboot").resolve(name);
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("MICROSHIFT_UPDATE_BIN", host.simDir().resolve("bin/microshift-update").toString());
    pb.environment().put("MICROSHIFT_UPDATE_STATE_DIR", host.paths().stateDir().toString());
    pb.environment().put("PATH", host.simDir().resolve("bin") + ":" + System.getenv("PATH"));
    try {
      Process p = pb.start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not finish");
      }
      out.append("$ ").append(name).append(" (exit ").append(p.exitValue()).append(")\n").append(text);
      return p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
