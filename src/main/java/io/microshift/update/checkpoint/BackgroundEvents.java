package io.microshift.update.checkpoint;

import io.microshift.update.api.UpdatePlan;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Events on the workload authors' objects (a hook's pod, a paused or resumed workload), sent
 * from a pool of daemon threads of their own, so that the calls that do the work (execs, object
 * updates, status writes) never wait for them. An Event is best effort, as the recorder's own
 * failures are: one that throws fails nothing. Who needs them out before going on waits, bounded,
 * with {@link #awaitSent}; {@link #close} lets those still queued go out in the background, and
 * the ones still pending when the JVM exits are dropped.
 */
public final class BackgroundEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundEvents.class);

  private final ExecutorService pool;
  private final List<Future<?>> sent = new CopyOnWriteArrayList<>();

  /** Up to {@code threads} Events at once, on threads named {@code threadPrefix1}, …. */
  public BackgroundEvents(String threadPrefix, int threads) {
    this.pool = DaemonPool.fixed(threadPrefix, Math.max(1, threads));
  }

  /** Queues {@code event} for {@code plan}; returns at once. */
  public void send(PlanCheckpoint checkpoint, UpdatePlan plan, ObjectEvent event) {
    try {
      sent.add(pool.submit(() -> sendOne(checkpoint, plan, event)));
    } catch (RejectedExecutionException e) {
      // closed: the Event is dropped, as one pending at exit is
    }
  }

  private static void sendOne(PlanCheckpoint checkpoint, UpdatePlan plan, ObjectEvent event) {
    try {
      event.send(checkpoint, plan);
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("object", event.object().getKind() + " " + event.object().getNamespace() + "/"
          + event.object().getName()).addKeyValue("reason", event.reason())
          .log("could not record event: {}", e.getMessage());
    }
  }

  /** Waits until every Event queued so far was sent (or failed), at most {@code timeout} in all. */
  public void awaitSent(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<?> f : sent) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // a failed or late Event is not a failure of the work it tells about
      }
    }
  }

  /** Takes no more Events; those queued are still sent, by threads that end afterwards. */
  @Override
  public void close() {
    pool.shutdown();
  }
}
