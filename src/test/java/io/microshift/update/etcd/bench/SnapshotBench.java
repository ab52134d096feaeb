package io.microshift.update.etcd.bench;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.etcd.EtcdClients;
import io.microshift.update.etcd.EtcdConnection;
import io.microshift.update.etcd.EtcdFiller;
import io.microshift.update.etcd.EtcdPreflight;
import io.microshift.update.etcd.EtcdPreflightResult;
import io.microshift.update.etcd.FreeSpaceProvider;
import io.microshift.update.etcd.EtcdSnapshotter;
import io.microshift.update.etcd.HeapProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * jetcd snapshot ({@link EtcdSnapshotter}, the operator's code path: connect, status, stream,
 * validate, fsync, rename, manifest) against {@code etcdctl snapshot save} on the same etcd, in
 * alternating order. Run by {@code hack/bench.d/etcd}, which starts the etcd.
 *
 * <p>Args: {@code <endpoint> <work dir> <size MiB> <rounds> <etcdctl path>}. Prints {@code BENCH}
 * lines on stdout and per-round details on stderr.
 */
public final class SnapshotBench {

  private static final int VALUE_SIZE = 64 * 1024;
  private static final double TARGET_RATIO = 0.9;

  public static void main(String[] args) throws Exception {
    String endpoint = args[0];
    Path work = Path.of(args[1]);
    int sizeMib = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    String etcdctl = args[4];
    EtcdClientConfig config = EtcdClientConfig.plaintext(endpoint);

    int keys = (int) ((long) sizeMib * 1024 * 1024 / VALUE_SIZE);
    long t0 = System.nanoTime();
    try (EtcdConnection c = EtcdClients.open(config)) {
      EtcdFiller.fill(c.client(), 7, keys, VALUE_SIZE, 32);
    }
    log("filled %d keys of %d KiB in %d ms", keys, VALUE_SIZE / 1024, ms(System.nanoTime() - t0));

    BackupStore store = new BackupStore(work.resolve("state"));
    // as in the operator, the preflight (a separate phase) runs in the same JVM before the backup
    EtcdPreflightResult pre = new EtcdPreflight(config, FreeSpaceProvider.fileStore())
        .check(store.backupsDir());
    if (!pre.ok()) {
      throw new IllegalStateException("preflight: " + pre.problems());
    }
    Path theirs = work.resolve("etcdctl.snapshot");
    List<Long> ours = new ArrayList<>();
    List<Long> etcdctls = new ArrayList<>();
    long peakHeap = 0;
    long size = 0;
    for (int round = 0; round < rounds; round++) {
      // round 0 is cold (fresh JVM, first jetcd snapshot); then alternate who goes first
      boolean etcdctlFirst = round % 2 == 0;
      long e = 0;
      if (etcdctlFirst) {
        e = etcdctl(etcdctl, endpoint, theirs);
      }
      String id = "bench-" + round;
      HeapProbe.reset();
      long start = System.nanoTime();
      BackupSummary s = new EtcdSnapshotter(config).snapshot(store, id, "bench", "bench");
      long j = System.nanoTime() - start;
      peakHeap = Math.max(peakHeap, HeapProbe.peakBytes());
      if (!etcdctlFirst) {
        e = etcdctl(etcdctl, endpoint, theirs);
      }
      if (Files.size(theirs) != s.sizeBytes()) {
        throw new IllegalStateException("sizes differ: etcdctl " + Files.size(theirs) + ", jetcd "
            + s.sizeBytes());
      }
      size = s.sizeBytes();
      ours.add(j);
      etcdctls.add(e);
      log("round %d (%s first): etcdctl %d ms, jetcd %d ms, %d bytes", round,
          etcdctlFirst ? "etcdctl" : "jetcd", ms(e), ms(j), size);
      deleteTree(store.dir(id));
      Files.delete(theirs);
    }

    double coldRatio = (double) etcdctls.get(0) / ours.get(0);
    List<Long> warmOurs = ours.subList(1, ours.size());
    List<Long> warmTheirs = etcdctls.subList(1, etcdctls.size());
    // each warm round pairs both tools back to back; the median of those ratios resists the noise
    // of a shared machine better than a ratio of medians
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < warmOurs.size(); i++) {
      ratios.add((double) warmTheirs.get(i) / warmOurs.get(i));
    }
    ratios.sort(Comparator.naturalOrder());
    double warmRatio = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2)
        : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
    log("snapshot %.1f MiB; median warm: etcdctl %d ms, jetcd %d ms; warm ratios %s; max heap %d MiB",
        size / 1048576.0, ms(median(warmTheirs)), ms(median(warmOurs)), ratios,
        HeapProbe.maxHeapBytes() >> 20);
    bench("etcd-snapshot-ratio", String.format(Locale.ROOT, "%.2f", warmRatio), "ratio",
        ">=" + TARGET_RATIO, warmRatio >= TARGET_RATIO);
    bench("etcd-snapshot-ratio-cold", String.format(Locale.ROOT, "%.2f", coldRatio), "ratio",
        ">=" + TARGET_RATIO, coldRatio >= TARGET_RATIO);
    long limit = (long) (median(warmTheirs) / TARGET_RATIO);
    bench("etcd-snapshot-jetcd-ms", Long.toString(ms(median(warmOurs))), "ms", "<=" + ms(limit),
        median(warmOurs) <= limit);
    // the heap the snapshot may use: well under the database it streams
    long heapMib = peakHeap >> 20;
    long heapTarget = Math.max(1, (size >> 20) / 2);
    bench("etcd-snapshot-peak-heap-mb", Long.toString(heapMib), "MB", "<=" + heapTarget,
        heapMib <= heapTarget);
  }

  private static long etcdctl(String etcdctl, String endpoint, Path out) throws Exception {
    Files.deleteIfExists(out);
    ProcessBuilder pb = new ProcessBuilder(etcdctl, "--endpoints", endpoint, "snapshot", "save",
        out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD"));
    pb.environment().put("ETCDCTL_API", "3");
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("etcdctl snapshot save failed");
    }
    return System.nanoTime() - start;
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(Comparator.naturalOrder());
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void bench(String name, String value, String unit, String target, boolean pass) {
    System.out.println("BENCH " + name + " " + value + " " + unit + " target=" + target + " "
        + (pass ? "PASS" : "FAIL"));
  }

  private static void log(String fmt, Object... args) {
    System.err.println("bench etcd: " + String.format(Locale.ROOT, fmt, args));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
