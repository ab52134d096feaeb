package io.microshift.update.checkpoint;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of daemon threads named {@code prefix1}, {@code prefix2}, …, for the workload steps'
 * parallel calls ({@code hooks}, {@code pause}): a daemon thread never keeps the JVM up, so a
 * reconcile cut off mid-call leaves nothing behind at exit.
 */
public final class DaemonPool {
  private DaemonPool() {}

  /** A fixed pool of {@code threads} daemon threads; the caller shuts it down. */
  public static ExecutorService fixed(String prefix, int threads) {
    AtomicInteger id = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, prefix + id.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
