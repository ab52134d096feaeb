package io.microshift.update.hooks;

import java.util.List;

/**
 * What {@link HookDiscovery} found for one phase, each list in a stable order (namespace, pod,
 * annotation family).
 *
 * @param hooks valid hooks on running pods whose container is ready
 * @param problems malformed annotations (bad JSON, unknown container, bad duration, bad on-error)
 * @param notReady valid hooks on pods that are Pending or whose container is not ready yet
 * @param ignored one line per hook that is not run and why (pod finished or terminating, Velero
 *     alias shadowed by our own annotations)
 */
public record Discovery(
    List<HookDefinition> hooks,
    List<HookProblem> problems,
    List<HookProblem> notReady,
    List<String> ignored) {

  public Discovery {
    hooks = List.copyOf(hooks);
    problems = List.copyOf(problems);
    notReady = List.copyOf(notReady);
    ignored = List.copyOf(ignored);
  }
}
