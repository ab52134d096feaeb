package io.microshift.update.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonPoolTest {
  @Test
  void runsAtMostItsThreadsAllDaemonsNamedWithThePrefix() throws Exception {
    ExecutorService pool = DaemonPool.fixed("test-pool-", 2);
    try {
      Set<String> names = ConcurrentHashMap.newKeySet();
      Set<Boolean> daemon = ConcurrentHashMap.newKeySet();
      CountDownLatch both = new CountDownLatch(2);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        futures.add(pool.submit(() -> {
          names.add(Thread.currentThread().getName());
          daemon.add(Thread.currentThread().isDaemon());
          both.countDown();
          both.await(10, TimeUnit.SECONDS); // the first two wait for each other: two threads at once
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertEquals(Set.of("test-pool-1", "test-pool-2"), names);
      assertEquals(Set.of(true), daemon, "daemon threads never keep the JVM up");
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }
}
