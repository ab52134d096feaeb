package io.microshift.update.bench;

import io.microshift.update.backup.Sha256Files;
import java.nio.file.Path;

/**
 * hack/bench.d/snapshot-hash: hashes one file with the agent's own {@link Sha256Files#of} (the
 * snapshot check of apply) in a fresh JVM started with the launcher's flags. Prints the digest
 * and the nanoseconds the hashing took inside the JVM.
 */
public final class SnapshotHashBench {
  private SnapshotHashBench() {}

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    String digest = Sha256Files.of(Path.of(args[0]));
    System.out.println(digest + " " + (System.nanoTime() - t0));
  }
}
