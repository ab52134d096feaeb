package io.microshift.update.host;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * grub's environment block as greenboot-rs reads it: {@code grub2-editenv /boot/grub2/grubenv
 * list}, one {@code NAME=VALUE} per line (fedora-iot/greenboot-rs src/lib/grub.rs, {@code
 * GRUB_PATH}, {@code get_grub_str_var}). Read-only: the agent never writes grub's variables.
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

  /** greenboot-rs's rollback trigger, if set. */
  static Optional<String> rollbackTrigger(CommandRunner runner) {
    return Optional.ofNullable(read(runner).get(ROLLBACK_TRIGGER)).filter(v -> !v.isEmpty());
  }
}
