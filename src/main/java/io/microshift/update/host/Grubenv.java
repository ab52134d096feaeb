package io.microshift.update.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * grub's environment block as greenboot-rs reads it: {@code grub2-editenv /boot/grub2/grubenv
 * list}, one {@code NAME=VALUE} per line (fedora-iot/greenboot-rs src/lib/grub.rs, {@code
 * GRUB_PATH}, {@code get_grub_str_var}). The agent writes one thing only: it unsets
 * greenboot-rs's rollback trigger that names a staged deployment ostree never finalized
 * ({@link GreenbootRs#clearTriggerOfUnfinalizedStaging}).
 */
final class Grubenv {
  static final String FILE = "/boot/grub2/grubenv";
  /**
   * greenboot-rs's rollback trigger: set at the shutdown into a staged deployment to that
   * deployment's id (greenboot-set-rollback-trigger.service, src/main.rs {@code SetRollbackTrigger}),
   * unset by a healthy boot or after a rollback.
   */
  static final String ROLLBACK_TRIGGER = "greenboot_next_deployment_id";

  private Grubenv() {}

  /** The variables; empty when grub2-editenv is missing or fails (no grub, or no environment block). */
  static Map<String, String> read(CommandRunner runner) {
    CommandRunner.Result r = runner.run(List.of("grub2-editenv", FILE, "list"));
    Map<String, String> vars = new LinkedHashMap<>();
    if (!r.ok()) {
      return vars;
    }
    for (String line : r.stdout().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        vars.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    return vars;
  }

  /** grub's fallback entry, which greenboot-rs sets with its rollback trigger (src/lib/grub.rs, {@code set_fallback}). */
  static final String FALLBACK = "fallback";

  /**
   * {@code grub2-editenv FILE unset NAME...}; when it fails and /proc/mounts says /boot is mounted
   * read-only, again with /boot remounted read-write and then read-only (greenboot-rs
   * src/lib/mount.rs {@code with_boot_rw}: {@code is_boot_rw} from /proc/mounts, {@code mount -o
   * remount,rw /boot}, {@code mount -o remount,bind,ro /boot}). A /boot that is read-write, or not
   * a mount of its own, is never remounted. Throws a HostException when it fails.
   */
  static void unset(HostContext ctx, List<String> names) {
    List<String> argv = new java.util.ArrayList<>(List.of("grub2-editenv", FILE, "unset"));
    argv.addAll(names);
    CommandRunner runner = ctx.runner();
    CommandRunner.Result first = runner.run(argv);
    if (first.ok()) {
      return;
    }
    if (!bootMountedReadOnly(ctx.paths())) {
      throw new HostException(String.join(" ", argv) + " exited " + first.exitCode() + ": " + first.stderr().strip());
    }
    runner.check(List.of("mount", "-o", "remount,rw", "/boot"));
    try {
      runner.check(argv);
    } finally {
      runner.check(List.of("mount", "-o", "remount,bind,ro", "/boot"));
    }
  }

  /** Whether /proc/mounts lists /boot with the {@code ro} option (greenboot-rs {@code is_boot_rw_at}, negated). */
  static boolean bootMountedReadOnly(HostPaths paths) {
    try {
      for (String line : java.nio.file.Files.readAllLines(paths.host("/proc/mounts"))) {
        String[] f = line.split("\\s+");
        if (f.length >= 4 && f[1].equals("/boot")) {
          return List.of(f[3].split(",")).contains("ro");
        }
      }
    } catch (java.io.IOException e) {
      return false;
    }
    return false;
  }

  /** greenboot-rs's rollback trigger, if set. */
  static Optional<String> rollbackTrigger(CommandRunner runner) {
    return Optional.ofNullable(read(runner).get(ROLLBACK_TRIGGER)).filter(v -> !v.isEmpty());
  }
}
