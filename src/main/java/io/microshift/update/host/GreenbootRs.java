package io.microshift.update.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What greenboot-rs, unlike the bash greenboot, does after a failed health check on a host that
 * has no rollback trigger (an rpm host): it reboots to try the boot again while grub's
 * {@code boot_counter} lasts (fedora-iot/greenboot-rs src/main.rs, {@code health_check}: no
 * counter, the first failure, sets it to GREENBOOT_MAX_BOOT_ATTEMPTS and reboots; a counter above
 * 0 reboots; at 0 "Manual intervention required"; src/lib/handler.rs {@code handle_reboot}). The
 * bash greenboot never sets a counter on an rpm host (greenboot-grub2-set-counter.service runs
 * before ostree-finalize-staged only), so its first failure is the last.
 */
final class GreenbootRs {
  /** Only greenboot-rs ships this unit (greenboot-rs.spec %files); the bash greenboot has none of that name. */
  static final String ROLLBACK_TRIGGER_UNIT = "/usr/lib/systemd/system/greenboot-set-rollback-trigger.service";
  /** greenboot-rs's configuration (src/main.rs, {@code GREENBOOT_CONFIG_FILE}, INI). */
  static final String CONFIG = "/etc/greenboot/greenboot.conf";
  static final int DEFAULT_MAX_BOOT_ATTEMPTS = 3;

  private GreenbootRs() {}

  static boolean installed(HostPaths paths) {
    return Files.exists(paths.host(ROLLBACK_TRIGGER_UNIT), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Called from red.d, which greenboot-rs runs before it handles the failure: the retry that
   * greenboot-rs makes after this failure, described, or empty when this failure is the last
   * (the bash greenboot, or the counter at 0).
   */
  static Optional<String> retryAfterThisFailure(HostContext ctx) {
    if (!installed(ctx.paths())) {
      return Optional.empty();
    }
    String counter = Grubenv.read(ctx.runner()).get("boot_counter");
    if (counter == null) {
      int max = maxBootAttempts(ctx.paths());
      return max > 0 ? Optional.of("greenboot-rs sets boot_counter to " + max + " and reboots to try again")
          : Optional.empty();
    }
    try {
      int left = Integer.parseInt(counter.strip());
      return left > 0 ? Optional.of("greenboot-rs reboots to try again (boot_counter " + left + ")") : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * greenboot-rs's rollback trigger, set at a clean shutdown for a staged deployment that ostree
   * did not finalize: greenboot-set-rollback-trigger.service (RequiredBy
   * ostree-finalize-staged.service, so the Prepare's staging starts it) names the staged
   * deployment in its ExecStop whatever its finalization lock (src/main.rs {@code
   * SetRollbackTrigger}, src/lib/handler.rs {@code get_staged_deployment_id}), and greenboot-rs's
   * next health check takes a trigger unlike the booted deployment for grub's fallback and rolls
   * back to the deployment before it ({@code detect_grub_fallback}, {@code
   * handle_rollback(RollbackMode::Forced)}). Clears the trigger and grub's {@code fallback} when it
   * names another deployment than {@code bootedId}; returns what was done, or empty.
   */
  static Optional<String> clearTriggerOfUnfinalizedStaging(HostContext ctx, String bootedId) {
    if (!installed(ctx.paths()) || bootedId == null) {
      return Optional.empty();
    }
    Optional<String> trigger = Grubenv.rollbackTrigger(ctx.runner());
    if (trigger.isEmpty() || trigger.get().equals(bootedId)) {
      return Optional.empty();
    }
    Grubenv.unset(ctx, List.of(Grubenv.ROLLBACK_TRIGGER, Grubenv.FALLBACK));
    return Optional.of("cleared greenboot-rs's rollback trigger " + io.microshift.update.marker.Markers.printable(
        trigger.get(), 80) + ", set at the shutdown for the staged deployment that ostree did not finalize"
        + " (its finalization is locked until Apply): greenboot-rs would have rolled back to the deployment"
        + " before the booted one");
  }

  /** GREENBOOT_MAX_BOOT_ATTEMPTS of greenboot.conf, else 3 (src/main.rs, {@code GreenbootConfig::get_config}). */
  static int maxBootAttempts(HostPaths paths) {
    Path conf = paths.host(CONFIG);
    try {
      for (String line : Files.readAllLines(conf)) {
        int eq = line.indexOf('=');
        if (eq > 0 && line.substring(0, eq).strip().toUpperCase(Locale.ROOT).equals("GREENBOOT_MAX_BOOT_ATTEMPTS")) {
          String v = line.substring(eq + 1).strip().replace("\"", "");
          return Integer.parseInt(v);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return DEFAULT_MAX_BOOT_ATTEMPTS;
    }
    return DEFAULT_MAX_BOOT_ATTEMPTS;
  }
}
