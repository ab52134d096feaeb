package io.microshift.update.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
