package io.microshift.update.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The bash greenboot's units as the host agent meets them through systemctl, and what they do
 * to grub's environment block (fedora-iot/greenboot usr/lib/systemd/system and usr/libexec/greenboot):
 * <ul>
 *   <li>greenboot-healthcheck.service (oneshot, RemainAfterExit, Before and RequiredBy
 *       boot-complete.target): {@code activating} while the checks run, then {@code active}, or
 *       {@code failed} (boot-complete.target is then never reached);</li>
 *   <li>greenboot-grub2-set-counter.service (RequiredBy and Before ostree-finalize-staged.service,
 *       which ostree's staging starts: ostree-sysroot-deploy.c
 *       {@code _ostree_sysroot_ensure_finalize_staged_service}; Conflicts with set-success):
 *       {@code boot_counter=GREENBOOT_MAX_BOOT_ATTEMPTS}, {@code boot_success=0};</li>
 *   <li>greenboot-grub2-set-success.service (Requires and After boot-complete.target):
 *       {@code boot_success=1}, {@code boot_counter} unset; starting it without boot-complete.target
 *       fails as a dependency job that failed would.</li>
 * </ul>
 * A start of a oneshot unit that is active (RemainAfterExit) does nothing; a start stops the
 * unit it Conflicts with. Each boot starts with greenboot's verdict in (healthy, set-success run),
 * or still checking ({@link #checksEachBoot}).
 * A test makes the verdict land later ({@link #verdictPendingFor}) or lets set-success run when
 * it chooses ({@link #setSuccessRuns}). What runs at shutdown and boot (grub's countdown, the
 * fallback unit) is the simulated device's (sim/SimGreenboot).
 */
public final class FakeBashGreenboot {
  private final Map<String, String> grubenv;
  private final int maxBootAttempts;
  private final Supplier<String> bootId;
  private String boot = "";
  private String healthcheck;
  private String setSuccess;
  private String setCounter;
  private int pendingQueries = -1;
  private int looksAtEachBoot;
  /** set-counter is enabled (RequiredBy=ostree-finalize-staged.service, greenboot's preset). */
  private boolean setCounterPulledIn = true;

  FakeBashGreenboot(Map<String, String> grubenv, HostPaths paths, int maxBootAttempts, Supplier<String> bootId) {
    this.grubenv = grubenv;
    this.maxBootAttempts = maxBootAttempts;
    this.bootId = bootId;
    Path unit = paths.host(GreenbootBootCounter.SET_COUNTER_UNIT_FILE);
    try {
      Files.createDirectories(unit.getParent());
      Files.writeString(unit, "[Unit]\nDescription=Set grub2 boot counter in preparation of upgrade\n"
          + "Before=ostree-finalize-staged.service\nConflicts=greenboot-grub2-set-success.service\n\n"
          + "[Install]\nRequiredBy=ostree-finalize-staged.service\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    grubenv.putIfAbsent("boot_success", "1");
  }

  /** This boot's unit states; a new boot starts with the verdict in (healthy, set-success run). */
  private synchronized void thisBoot() {
    String now = bootId.get();
    if (!now.equals(boot)) {
      boot = now;
      healthcheck = "active";
      setSuccess = "active";
      setCounter = "inactive";
      pendingQueries = -1;
      if (looksAtEachBoot > 0) {
        healthcheck = "activating";
        setSuccess = "inactive";
        pendingQueries = looksAtEachBoot;
      }
    }
  }

  /** Every boot from the next look on starts with greenboot still checking, for {@code looks} looks ({@link #verdictPendingFor}). */
  public synchronized void checksEachBoot(int looks) {
    looksAtEachBoot = looks;
    boot = "";
  }

  /**
   * greenboot is still checking this boot; its verdict (healthy) lands after {@code queries} looks
   * at the health check, or at once after a staging ({@link #finalizeStagedServiceStarted}).
   */
  public synchronized void verdictPendingFor(int queries) {
    thisBoot();
    healthcheck = "activating";
    setSuccess = "inactive";
    pendingQueries = queries;
  }

  /** The health checks of this boot failed: boot-complete.target is not reached, set-success never runs. */
  public synchronized void healthChecksFail() {
    thisBoot();
    healthcheck = "failed";
    setSuccess = "inactive";
    pendingQueries = -1;
  }

  /** The health checks of this boot passed, and greenboot-grub2-set-success.service is not enabled: it never runs. */
  public synchronized void setSuccessNotEnabled() {
    thisBoot();
    healthcheck = "active";
    setSuccess = "inactive";
    pendingQueries = -1;
  }

  /** greenboot-grub2-set-success.service runs now (boot-complete.target reached; it stops set-counter). */
  public synchronized void setSuccessRuns() {
    thisBoot();
    healthcheck = "active";
    pendingQueries = -1;
    setSuccess = "active";
    setCounter = "inactive";
    grubenv.put("boot_success", "1");
    grubenv.remove("boot_counter");
  }

  /**
   * ostree's staging started ostree-finalize-staged.service, which pulls in set-counter. A verdict
   * still pending lands right after it: the race an agent that stages during greenboot's check
   * loses (set-success clears the counter the staging armed).
   */
  synchronized void finalizeStagedServiceStarted() {
    startSetCounter();
    if (pendingQueries > 0) {
      setSuccessRuns();
    }
  }

  private void startSetCounter() {
    thisBoot();
    if (setCounter.equals("active")) {
      return;
    }
    setCounter = "active";
    setSuccess = "inactive";
    grubenv.put("boot_counter", Integer.toString(maxBootAttempts));
    grubenv.put("boot_success", "0");
  }

  /** set-counter is not enabled: ostree-finalize-staged.service no longer pulls it in (stagings still do here). */
  public synchronized void setCounterNotEnabled() {
    setCounterPulledIn = false;
  }

  /** Whether greenboot's counter is armed in grubenv now. */
  public synchronized boolean armed() {
    return GreenbootBootCounter.armed(grubenv);
  }

  /** systemctl for these units and boot-complete.target; null for any other command. */
  synchronized CommandRunner.Result systemctl(List<String> argv) {
    thisBoot();
    String cmd = String.join(" ", argv);
    switch (cmd) {
      case "systemctl show -p ActiveState --value " + GreenbootBootCounter.HEALTHCHECK -> {
        if (pendingQueries > 0 && --pendingQueries == 0) {
          setSuccessRuns();
        }
        return shown(healthcheck);
      }
      case "systemctl show -p ActiveState --value " + GreenbootBootCounter.SET_SUCCESS -> {
        return shown(setSuccess);
      }
      case "systemctl show -p ActiveState --value " + GreenbootBootCounter.SET_COUNTER -> {
        return shown(setCounter);
      }
      case "systemctl show -p ActiveState --value " + GreenbootBootCounter.BOOT_COMPLETE -> {
        return shown(bootComplete() ? "active" : "inactive");
      }
      case "systemctl is-active --quiet " + GreenbootBootCounter.BOOT_COMPLETE -> {
        return new CommandRunner.Result(bootComplete() ? 0 : 3, "", "");
      }
      case "systemctl start " + GreenbootBootCounter.SET_COUNTER -> {
        startSetCounter();
        return new CommandRunner.Result(0, "", "");
      }
      case "systemctl start " + GreenbootBootCounter.FINALIZE_STAGED -> {
        // RequiredBy: its start pulls set-counter in; inactive since set-success stopped set-counter
        if (setCounterPulledIn) {
          startSetCounter();
        }
        return new CommandRunner.Result(0, "", "");
      }
      case "systemctl start " + GreenbootBootCounter.SET_SUCCESS -> {
        if (!bootComplete()) {
          return new CommandRunner.Result(1, "", "A dependency job for " + GreenbootBootCounter.SET_SUCCESS
              + " failed. See 'journalctl -xe' for details.\n");
        }
        if (!setSuccess.equals("active")) {
          setSuccessRuns();
        }
        return new CommandRunner.Result(0, "", "");
      }
      default -> {
        return null;
      }
    }
  }

  private boolean bootComplete() {
    return healthcheck.equals("active");
  }

  private static CommandRunner.Result shown(String state) {
    return new CommandRunner.Result(0, state + "\n", "");
  }
}
