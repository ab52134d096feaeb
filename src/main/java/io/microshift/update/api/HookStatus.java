package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** One hook of one pod in one hook phase. Recorded before the exec starts. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class HookStatus {
  /** pre-update, post-update or post-rollback. */
  public String hookPhase;
  public String namespace;
  public String pod;
  public String container;
  public List<String> command = new ArrayList<>();
  /** The annotation family it came from (ours or a Velero alias). */
  public String source;
  public String onError;
  public String timeout;
  /** Pending, Running, Succeeded, Failed, TimedOut, Interrupted, Invalid. */
  public String state;
  public Integer exitCode;
  public Integer attempts;
  public String startedAt;
  public String finishedAt;
  public String stdoutTail;
  public String stderrTail;
  public String message;
}
