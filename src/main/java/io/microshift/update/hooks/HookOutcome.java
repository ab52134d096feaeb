package io.microshift.update.hooks;

import java.util.List;

/**
 * The result of one phase's hooks.
 *
 * @param succeeded no hook with on-error Fail failed, timed out, was interrupted or is malformed
 * @param message one line for status and events; on failure it names the pod and the hook
 * @param failed the hooks (on-error Fail) that make the phase fail, one line each
 * @param continued the hooks that failed with on-error Continue, one line each
 */
public record HookOutcome(
    boolean succeeded, String message, List<String> failed, List<String> continued) {

  public HookOutcome {
    failed = List.copyOf(failed);
    continued = List.copyOf(continued);
  }
}
