package io.microshift.update.pause;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 16 item 4: the pause updates its objects a bounded number at once, results in order. */
class ParallelUpdatesTest {
  @Test
  void runsAtMostTheBoundAtOnceAndKeepsTheInputOrder() {
    AtomicInteger current = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    List<Integer> items = IntStream.range(0, 12).boxed().toList();

    List<String> out = ParallelUpdates.map(items, Pauser.PARALLELISM, i -> {
      max.accumulateAndGet(current.incrementAndGet(), Math::max);
      try {
        Thread.sleep(150 - 10 * i); // later items finish first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      current.decrementAndGet();
      return "w" + i;
    });

    assertEquals(Pauser.PARALLELISM, max.get(), "four at once, and four did run at once");
    assertEquals(items.stream().map(i -> "w" + i).toList(), out);
  }

  @Test
  void aFailureIsThrownAfterEveryCallEnded() {
    AtomicInteger ended = new AtomicInteger();
    IllegalStateException e = assertThrows(IllegalStateException.class, () ->
        ParallelUpdates.map(List.of(1, 2, 3, 4, 5), 4, i -> {
          ended.incrementAndGet();
          if (i == 2) {
            throw new IllegalStateException("conflict on 2");
          }
          return i;
        }));
    assertEquals("conflict on 2", e.getMessage());
    assertEquals(5, ended.get());
  }
}
