package io.microshift.update.etcd;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Run in a child JVM with a small heap by {@link EtcdSnapshotHeapTest}: takes one snapshot and,
 * half-way through the stream, measures the live heap after a full GC. Prints one line:
 * {@code RESULT <size> <sha256> <bytes at mid> <live heap at mid> <peak heap> <max heap>}.
 */
public final class SnapshotChildMain {

  private SnapshotChildMain() {}

  public static void main(String[] args) {
    String endpoint = args[0];
    Path stateDir = Path.of(args[1]);
    long midpoint = Long.parseLong(args[2]);
    long[] mid = {-1, -1};
    EtcdSnapshotter.Progress probe = written -> {
      if (mid[0] < 0 && written >= midpoint) {
        mid[0] = written;
        mid[1] = HeapProbe.liveBytesAfterGc();
      }
    };
    HeapProbe.reset();
    BackupSummary s = new EtcdSnapshotter(EtcdClientConfig.plaintext(endpoint), Clock.systemUTC(),
        Duration.ofSeconds(30), Duration.ofMinutes(5), probe)
        .snapshot(new BackupStore(stateDir), "heap", "heap-plan", "heap-uid");
    System.out.println("RESULT " + s.sizeBytes() + " " + s.sha256() + " " + mid[0] + " " + mid[1]
        + " " + HeapProbe.peakBytes() + " " + HeapProbe.maxHeapBytes());
  }
}
