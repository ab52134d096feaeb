package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How one exec stream ended, as fabric8's {@link ExecListener} reports it: the Status the
 * runtime sent on channel 3, and the WebSocket's close code and reason. fabric8's exit code
 * folds both into one number (-1 for a Status without an exit code, null for a close without a
 * Status); this keeps what the refusal message needs to say which it was.
 */
final class ExecEnd implements ExecListener {
  private volatile Status status;
  private volatile String close;
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public void onExit(int code, Status status) {
    this.status = status;
  }

  @Override
  public void onClose(int code, String reason) {
    this.close = "WebSocket close " + code + (reason == null || reason.isBlank() ? "" : " " + reason.strip());
    closed.countDown();
  }

  /** Why there is no exit code, for a hook's refusal message. */
  String noExitCode(Integer code) {
    Status s = status;
    if (code != null && s != null) {
      // kubelet's ServeExec: an error that is not the command's exit (NewInternalError), or a
      // NonZeroExitCode Status without its ExitCode cause
      return "the exec ended without an exit code: " + describe(s);
    }
    // fabric8's onClose completes the exit code (null) before it calls the listener
    awaitClose();
    return "the exec stream closed without an exit code" + (close == null ? "" : " (" + close + ")");
  }

  private void awaitClose() {
    try {
      closed.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String describe(Status s) {
    StringBuilder d = new StringBuilder(s.getStatus() == null ? "Status" : s.getStatus());
    if (s.getReason() != null && !s.getReason().isBlank()) {
      d.append(' ').append(s.getReason());
    }
    if (s.getMessage() != null && !s.getMessage().isBlank()) {
      d.append(": ").append(s.getMessage().strip());
    }
    return d.length() > 400 ? d.substring(0, 400) + "..." : d.toString();
  }
}
