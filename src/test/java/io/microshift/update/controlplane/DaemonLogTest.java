package io.microshift.update.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonLogTest {
  @Test
  void aPanicsFirstLinesAreInTheMessageEvenWhenItsStackIsLongerThanTheTail(@TempDir Path dir) throws Exception {
    List<String> script = new ArrayList<>(List.of("echo started"));
    script.add("echo 'panic: reflect: call of reflect.Value.Type on zero Value'");
    for (int i = 0; i < 60; i++) {
      script.add("echo 'frame " + i + "'");
    }
    try (Daemon d = Daemon.start("go-program", dir, List.of("bash", "-c", String.join("; ", script)), Map.of())) {
      for (int i = 0; i < 100 && d.isAlive(); i++) {
        Thread.sleep(50);
      }
      String tail = d.logTail();
      assertTrue(tail.contains("panic: reflect: call of reflect.Value.Type on zero Value"), tail);
      assertTrue(tail.contains("frame 59"), tail);
      assertTrue(!tail.contains("started"), tail);
    }
  }

  @Test
  void theLastPanicIsFound() {
    assertEquals(2, Daemon.lastPanic(List.of("panic: first", "x", "fatal error: concurrent map writes", "y")));
    assertEquals(-1, Daemon.lastPanic(List.of("I1202 kwok started", "panicky but not a panic")));
  }
}
