package io.microshift.update.hooks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an argv in a container through the Kubernetes exec API, bounded by a timeout, keeping the
 * tail of stdout and stderr. The argv goes to the API as it is: there is no shell unless the
 * command names one.
 *
 * <p>The pod is read once ({@link PodReadiness}); the exec stream is opened by {@link ExecStream}
 * (fabric8's protocol and connection, without fabric8's per-call informer).
 *
 * <p>On timeout the exec stream is closed. Kubernetes does not promise that closing the stream
 * kills the process in the container; docs/workloads.md tells authors to bound their commands.
 */
public class PodExec {
  /** How many bytes of stdout and of stderr are kept. */
  public static final int TAIL_BYTES = 2048;
  /** At most this long (and never longer than the hook's timeout) for the pod to be ready. */
  static final int READY_WAIT_MILLIS = 5000;

  private final PodReadiness readiness;
  private final ExecStream stream;

  public PodExec(KubernetesClient client) {
    this.readiness = new PodReadiness(client);
    this.stream = new ExecStream(client);
  }

  public ExecResult exec(
      String namespace, String pod, String container, List<String> argv, Duration timeout) {
    TailBuffer out = new TailBuffer(TAIL_BYTES);
    TailBuffer err = new TailBuffer(TAIL_BYTES);
    ExecWatch watch = null;
    String uid = null;
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      // waiting for the pod to be ready is part of the hook's time
      PodReadiness.Check check = readiness.awaitRunnable(namespace, pod, container,
          Math.min(timeout.toMillis(), READY_WAIT_MILLIS));
      uid = check.podUid();
      if (check.refusal() != null) {
        return new ExecResult(null, false, "exec failed: " + check.refusal(), out.toString(), err.toString(), uid);
      }
      ExecStream.Opening opening = stream.open(namespace, pod, container, argv, out, err);
      watch = opening.watch();
      long remaining = Math.max(0, deadline - System.nanoTime());
      opening.socket().get(Math.min(remaining, connectTimeoutNanos()), TimeUnit.NANOSECONDS);
      remaining = Math.max(0, deadline - System.nanoTime());
      Integer code = watch.exitCode().get(remaining, TimeUnit.NANOSECONDS);
      if (code == null || code < 0) {
        return new ExecResult(null, false, opening.end().noExitCode(code), out.toString(), err.toString(), uid);
      }
      return new ExecResult(code, false, null, out.toString(), err.toString(), uid);
    } catch (TimeoutException e) {
      if (System.nanoTime() - deadline < 0) {
        return new ExecResult(null, false, "exec failed: the API server did not open the exec stream"
            + " within " + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos()) + " ms",
            out.toString(), err.toString(), uid);
      }
      return new ExecResult(null, true, null, out.toString(), err.toString(), uid);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ExecResult(null, false, "interrupted", out.toString(), err.toString(), uid);
    } catch (ExecutionException e) {
      return new ExecResult(null, false, "exec failed: " + rootMessage(e.getCause()),
          out.toString(), err.toString(), uid);
    } catch (RuntimeException e) {
      return new ExecResult(null, false, "exec failed: " + rootMessage(e),
          out.toString(), err.toString(), uid);
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  private long connectTimeoutNanos() {
    return TimeUnit.MILLISECONDS.toNanos(stream.connectTimeoutMillis());
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }
}
