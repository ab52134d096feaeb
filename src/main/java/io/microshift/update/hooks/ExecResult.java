package io.microshift.update.hooks;

/**
 * How one exec ended.
 *
 * @param exitCode the command's exit code; null when it timed out or the exec itself failed
 * @param timedOut the timeout elapsed and the exec stream was closed
 * @param error why the exec could not run or did not report an exit code; null otherwise
 */
public record ExecResult(
    Integer exitCode, boolean timedOut, String error, String stdoutTail, String stderrTail) {

  public boolean succeeded() {
    return !timedOut && error == null && exitCode != null && exitCode == 0;
  }
}
