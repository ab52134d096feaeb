package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.backup.BackupStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot streams: a child JVM whose heap is smaller than the database snapshots it, and
 * after more than its whole heap has been streamed, its live heap is still under half of it.
 */
class EtcdSnapshotHeapTest {

  private static final int HEAP_MIB = 32;
  private static final int DB_MIB = 48;

  @TempDir Path state;

  @Test
  void snapshotOfADatabaseLargerThanTheHeapStreams() throws Exception {
    try (EtcdServerFixture etcd = EtcdServerFixture.start()) {
      try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
        EtcdFiller.fill(c.client(), 3, DB_MIB * 16, 64 * 1024, 32);
      }
      // probe once more than the whole heap has been streamed
      long midpoint = (HEAP_MIB + 4) * 1024L * 1024;

      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx" + HEAP_MIB + "m", "-XX:MaxDirectMemorySize=32m",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
          "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
          SnapshotChildMain.class.getName(), etcd.endpoint(), state.toString(),
          Long.toString(midpoint)));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(2, TimeUnit.MINUTES));
      assertEquals(0, p.exitValue(), out);

      String line = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow(
          () -> new AssertionError("no RESULT line in: " + out));
      String[] f = line.split(" ");
      long size = Long.parseLong(f[1]);
      long streamedAtMid = Long.parseLong(f[3]);
      long liveAtMid = Long.parseLong(f[4]);
      long maxHeap = Long.parseLong(f[6]);
      BackupStore store = new BackupStore(state);

      assertTrue(size > maxHeap, "db " + size + " must exceed the child's heap " + maxHeap);
      assertEquals(io.microshift.update.backup.Sha256Files.of(store.etcdSnapshot("heap")), f[2]);
      assertTrue(store.isComplete("heap"));
      assertTrue(streamedAtMid >= midpoint && streamedAtMid < size, line);
      // what was streamed so far is not held: the live heap mid-stream is a fraction of it
      assertTrue(liveAtMid < maxHeap / 2, "live heap " + liveAtMid + " after streaming "
          + streamedAtMid + " bytes, heap " + maxHeap);
      System.out.println("heap test: " + line);
    }
  }
}
