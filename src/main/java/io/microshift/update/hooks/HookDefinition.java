package io.microshift.update.hooks;

import io.microshift.update.api.HookPolicy.OnError;
import java.util.List;

/**
 * A valid hook found on a pod: what to exec, where, for how long, what a failure means, and its
 * order (hooks of a lower order finish before those of a higher order start).
 */
public record HookDefinition(
    HookPhase phase,
    String namespace,
    String pod,
    String container,
    List<String> command,
    String source,
    OnError onError,
    String timeout,
    int order)
    implements ParsedHook {

  public HookDefinition {
    command = List.copyOf(command);
  }

  /** A hook of order 0, the default. */
  public HookDefinition(HookPhase phase, String namespace, String pod, String container,
      List<String> command, String source, OnError onError, String timeout) {
    this(phase, namespace, pod, container, command, source, onError, timeout, 0);
  }

  @Override
  public String describe() {
    return namespace + "/" + pod + " (" + source + ", container " + container + ")";
  }
}
