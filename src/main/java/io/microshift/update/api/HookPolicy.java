package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Defaults and limits for the workloads' hooks declared by pod annotations. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HookPolicy {

  @Pattern(Patterns.DURATION)
  @Size(max = Patterns.DURATION_MAX_LENGTH)
  @ValidationRule(value = "duration(self) >= duration('1s') && duration(self) <= duration('24h')",
      message = "spec.hooks.defaultTimeout must be between 1s and 24h")
  @JsonPropertyDescription("Timeout of a hook that does not set its own (default 5m).")
  public String defaultTimeout;

  @JsonPropertyDescription("What a failing hook that does not set its own on-error does: Fail (default) or Continue.")
  public OnError onError;

  @JsonPropertyDescription("Honour Velero's pre.hook.backup.velero.io/* and post.hook.restore.velero.io/* annotations (default true).")
  public Boolean veleroAliases;

  @Min(1)
  @Max(16)
  @JsonPropertyDescription("How many hooks run at once (default 4; 1: one after the other, in a stable order). Hooks of a lower order annotation finish before a higher order starts.")
  public Integer parallelism;

  @JsonPropertyDescription("Hooks are safe to run twice: after an operator restart in the middle of a hook, run it again instead of reporting it (default false).")
  public Boolean idempotent;

  public enum OnError {
    Fail,
    Continue
  }
}
