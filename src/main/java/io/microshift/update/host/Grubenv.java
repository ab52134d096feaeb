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
   * {@code grub2-editenv FILE unset NAME...}, with /boot remounted read-write for it when it is
   * read-only (greenboot-rs src/lib/mount.rs {@code with_boot_rw}: {@code mount -o remount,rw
   * /boot}, then {@code mount -o remount,bind,ro /boot}). Throws a HostException when it fails.
   */
  static void unset(CommandRunner runner, List<String> names) {
    List<String> argv = new java.util.ArrayList<>(List.of("grub2-editenv", FILE, "unset"));
    argv.addAll(names);
    if (runner.run(argv).ok()) {
      return;
    }
    runner.check(List.of("mount", "-o", "remount,rw", "/boot"));
    try {
      runner.check(argv);
    } finally {
      runner.check(List.of("mount", "-o", "remount,bind,ro", "/boot"));
    }
  }

  /** greenboot-rs's rollback trigger, if set. */
  static Optional<String> rollbackTrigger(CommandRunner runner) {
    return Optional.ofNullable(read(runner).get(ROLLBACK_TRIGGER)).filter(v -> !v.isEmpty());
  }
}
