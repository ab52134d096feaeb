package io.microshift.update.hooks;

import io.microshift.update.api.HookPolicy.OnError;
import java.util.List;

/** A valid hook found on a pod: what to exec, where, for how long, and what a failure means. */
public record HookDefinition(
    HookPhase phase,
    String namespace,
    String pod,
    String container,
    List<String> command,
    String source,
    OnError onError,
    String timeout)
    implements ParsedHook {

  public HookDefinition {
    command = List.copyOf(command);
  }

  @Override
  public String describe() {
    return namespace + "/" + pod + " (" + source + ", container " + container + ")";
  }
}
