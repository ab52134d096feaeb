package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * One hook of one pod in one hook phase. Recorded before the exec starts. Every string is bounded
 * (docs/workloads.md, "Limits"): the operator cuts messages at 512 bytes and output tails at 2 KiB
 * or less; the schema's bounds are a second line.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class HookStatus {
  /** pre-update, post-update or post-rollback. */
  @Size(max = 16)
  public String hookPhase;
  @Size(max = 63)
  public String namespace;
  @Size(max = 253)
  public String pod;
  @Size(max = 256)
  public String container;
  @Size(max = 256)
  public List<String> command = new ArrayList<>();
  /** The annotation family it came from (ours or a Velero alias). */
  @Size(max = 64)
  public String source;
  @Size(max = 16)
  public String onError;
  @Size(max = 32)
  public String timeout;
  /** Hooks of a lower order finish before those of a higher order start; absent: 0. */
  public Integer order;
  /** Pending, Running, Succeeded, Failed, TimedOut, Interrupted, Invalid. */
  @Size(max = 16)
  public String state;
  public Integer exitCode;
  public Integer attempts;
  @Size(max = 64)
  public String startedAt;
  @Size(max = 64)
  public String finishedAt;
  @Size(max = 4096)
  public String stdoutTail;
  @Size(max = 4096)
  public String stderrTail;
  @Size(max = 1024)
  public String message;
}
