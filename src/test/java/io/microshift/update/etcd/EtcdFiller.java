package io.microshift.update.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Writes test data into etcd: {@code /fill/<n>} keys with random (incompressible) values. */
public final class EtcdFiller {

  private EtcdFiller() {}

  public static ByteSequence key(int n) {
    return ByteSequence.from(String.format("/fill/%08d", n), StandardCharsets.UTF_8);
  }

  /** The value written for key {@code n}, reproducible from the seed. */
  public static byte[] value(long seed, int n, int size) {
    byte[] v = new byte[size];
    new Random(seed * 1_000_003L + n).nextBytes(v);
    return v;
  }

  /**
   * Puts {@code count} keys of {@code valueSize} random bytes, {@code parallel} in flight at a
   * time; returns the revision of the last put.
   */
  public static long fill(Client client, long seed, int count, int valueSize, int parallel)
      throws Exception {
    KV kv = client.getKVClient();
    long revision = 0;
    for (int start = 0; start < count; start += parallel) {
      List<CompletableFuture<io.etcd.jetcd.kv.PutResponse>> batch = new ArrayList<>();
      for (int n = start; n < Math.min(count, start + parallel); n++) {
        batch.add(kv.put(key(n), ByteSequence.from(value(seed, n, valueSize))));
      }
      for (var f : batch) {
        revision = Math.max(revision, f.get(60, TimeUnit.SECONDS).getHeader().getRevision());
      }
    }
    return revision;
  }
}
