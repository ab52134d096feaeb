package io.microshift.update.pause;

import io.microshift.update.checkpoint.DaemonPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Calls on the API server for many objects, a bounded number at once, results in input order. */
final class ParallelUpdates {
  private ParallelUpdates() {}

  /**
   * {@code fn} applied to each item, at most {@code threads} at once; the results in the order of
   * {@code items}. A RuntimeException of {@code fn} is thrown once all calls ended.
   */
  static <T, R> List<R> map(List<T> items, int threads, Function<T, R> fn) {
    if (items.size() <= 1 || threads <= 1) {
      return items.stream().map(fn).toList();
    }
    ExecutorService pool = DaemonPool.fixed("pause-", Math.min(threads, items.size()));
    try {
      List<Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> fn.apply(item)));
      }
      List<R> out = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<R> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException re ? re
                : new IllegalStateException("a call on the API server failed", e.getCause());
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pausing workloads", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
