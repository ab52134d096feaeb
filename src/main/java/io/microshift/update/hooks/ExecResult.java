package io.microshift.update.hooks;

/**
 * How one exec ended.
 *
 * @param exitCode the command's exit code; null when it timed out or the exec itself failed
 * @param timedOut the timeout elapsed and the exec stream was closed
 * @param error why the exec could not run or did not report an exit code; null otherwise
 * @param podUid the uid of the pod the exec went to, as read just before it; null when it was not
 *     read (the pod was not found, or the read failed)
 */
public record ExecResult(
    Integer exitCode, boolean timedOut, String error, String stdoutTail, String stderrTail, String podUid) {

  /** An end without the pod's uid. */
  public ExecResult(Integer exitCode, boolean timedOut, String error, String stdoutTail, String stderrTail) {
    this(exitCode, timedOut, error, stdoutTail, stderrTail, null);
  }

  public boolean succeeded() {
    return !timedOut && error == null && exitCode != null && exitCode == 0;
  }
}
