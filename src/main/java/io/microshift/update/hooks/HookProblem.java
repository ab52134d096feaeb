package io.microshift.update.hooks;

import io.microshift.update.api.HookPolicy.OnError;
import java.util.List;

/**
 * A hook that cannot run as annotated (bad JSON, unknown container, bad duration, ...) or whose
 * container is not ready. {@code onError} is the hook's own when it could be read, else Fail.
 */
public record HookProblem(
    HookPhase phase,
    String namespace,
    String pod,
    String source,
    String container,
    List<String> command,
    OnError onError,
    String timeout,
    String message)
    implements ParsedHook {

  public HookProblem {
    command = command == null ? List.of() : List.copyOf(command);
    // the message quotes annotations and lists every problem: bounded for status, Events and logs
    message = HookLimits.message(message);
  }

  @Override
  public String describe() {
    return namespace + "/" + pod + " (" + source + "): " + message;
  }
}
