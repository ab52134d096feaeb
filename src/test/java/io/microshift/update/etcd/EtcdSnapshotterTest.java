package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.kv.GetResponse;
import io.microshift.update.backup.BackupManifest;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdSnapshotterTest {

  private static final long SEED = 42;
  private static final int KEYS = 150;
  private static final int VALUE_SIZE = 32 * 1024;
  private static final Instant NOW = Instant.parse("2026-11-25T16:00:00Z");
  private static EtcdServerFixture etcd;
  private static long lastRevision;

  @TempDir Path state;

  @BeforeAll
  static void startAndFill() throws Exception {
    etcd = EtcdServerFixture.start();
    try (EtcdConnection c = EtcdClients.open(etcd.clientConfig())) {
      lastRevision = EtcdFiller.fill(c.client(), SEED, KEYS, VALUE_SIZE, 16);
    }
  }

  @AfterAll
  static void stop() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private EtcdSnapshotter snapshotter(EtcdClientConfig config, EtcdSnapshotter.Progress progress) {
    return new EtcdSnapshotter(config, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(10),
        Duration.ofMinutes(2), progress);
  }

  @Test
  void snapshotIsCompleteVerifiedAndRestoresWithEtcdctl() throws Exception {
    BackupStore store = new BackupStore(state);

    BackupSummary s = snapshotter(etcd.clientConfig(), b -> { }).snapshot(store, "b1", "plan-a", "uid-1");

    Path file = store.etcdSnapshot("b1");
    assertEquals(file.toString(), s.snapshotPath());
    assertFalse(s.reused());
    assertEquals(Files.size(file), s.sizeBytes());
    assertEquals(io.microshift.update.backup.Sha256Files.of(file), s.sha256());
    assertEquals(s.sha256() + "  etcd.snapshot\n", Files.readString(store.etcdSnapshotSha256("b1")));
    assertEquals(lastRevision, s.revision());
    assertEquals("3.4.23", s.etcdVersion());
    assertEquals(NOW.toString(), s.createdAt());
    try (Stream<Path> files = Files.list(store.dir("b1"))) {
      assertEquals(List.of("etcd.snapshot", "etcd.snapshot.sha256", "manifest.json"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }

    // the reconciler embeds the summary in the plan's status and request.json as plain JSON
    JsonNode json = new ObjectMapper().valueToTree(s);
    assertEquals(s.sha256(), json.get("sha256").asText());
    assertEquals(file.toString(), json.get("snapshotPath").asText());
    assertEquals(lastRevision, json.get("revision").asLong());

    BackupManifest m = BackupManifest.read(store, "b1");
    assertEquals("updates.microshift.io/backup/v1", m.apiVersion());
    assertEquals(new BackupManifest.Plan("plan-a", "uid-1"), m.plan());
    assertEquals(s.sha256(), m.etcd().sha256());
    assertTrue(m.etcd().dbSizeBytes() > (long) KEYS * VALUE_SIZE);
    assertTrue(m.etcd().raftIndex() > KEYS);

    // etcd's own tool agrees on the file: revision, and the size of its own snapshot
    JsonNode status = new ObjectMapper().readTree(EtcdServerFixture.etcdctlOffline(
        "snapshot", "status", file.toString(), "-w", "json").requireSuccess().output());
    assertEquals(lastRevision, status.get("revision").asLong());
    Path theirs = etcd.workDir().resolve("etcdctl.snapshot");
    etcd.etcdctl("snapshot", "save", theirs.toString()).requireSuccess();
    assertEquals(Files.size(theirs), Files.size(file));

    // restore (with etcd's hash check) into a new data dir, start etcd on it, read the data back
    try (EtcdServerFixture restored = EtcdServerFixture.restoredFrom(file);
        EtcdConnection c = EtcdClients.open(restored.clientConfig())) {
      for (int n : new int[] {0, 1, KEYS / 2, KEYS - 1}) {
        GetResponse r = c.client().getKVClient().get(EtcdFiller.key(n)).get(10, TimeUnit.SECONDS);
        assertEquals(1, r.getKvs().size(), "key " + n);
        assertArrayEquals(EtcdFiller.value(SEED, n, VALUE_SIZE), r.getKvs().get(0).getValue().getBytes());
      }
      GetResponse all = c.client().getKVClient().get(EtcdFiller.key(0),
          io.etcd.jetcd.options.GetOption.builder().isPrefix(false)
              .withRange(EtcdFiller.key(KEYS)).withCountOnly(true).build()).get(10, TimeUnit.SECONDS);
      assertEquals(KEYS, all.getCount());
    }
  }

  @Test
  void aCompleteSetIsReturnedWithoutANewSnapshot() throws Exception {
    BackupStore store = new BackupStore(state);
    EtcdSnapshotter snapshotter = snapshotter(etcd.clientConfig(), b -> { });
    BackupSummary first = snapshotter.snapshot(store, "b2", "plan-a", "uid-1");
    FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(store.etcdSnapshot("b2"), old);

    BackupSummary again = snapshotter.snapshot(store, "b2", "plan-a", "uid-1");

    assertTrue(again.reused());
    assertEquals(first.sha256(), again.sha256());
    assertEquals(first.revision(), again.revision());
    assertEquals(old, Files.getLastModifiedTime(store.etcdSnapshot("b2")));

    SnapshotException other = assertThrows(SnapshotException.class,
        () -> snapshotter.snapshot(store, "b2", "plan-b", "uid-2"));
    assertTrue(other.getMessage().contains("belongs to plan plan-a"), other.getMessage());
  }

  @Test
  void aCompleteSetWithACorruptSnapshotIsRefusedNotOverwritten() throws Exception {
    BackupStore store = new BackupStore(state);
    EtcdSnapshotter snapshotter = snapshotter(etcd.clientConfig(), b -> { });
    snapshotter.snapshot(store, "b3", "plan-a", "uid-1");
    byte[] bytes = Files.readAllBytes(store.etcdSnapshot("b3"));
    bytes[5000] ^= 1;
    Files.write(store.etcdSnapshot("b3"), bytes);

    SnapshotException e = assertThrows(SnapshotException.class,
        () -> snapshotter.snapshot(store, "b3", "plan-a", "uid-1"));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    assertArrayEquals(bytes, Files.readAllBytes(store.etcdSnapshot("b3")));
  }

  @Test
  void aLeftoverPartialIsReplaced() throws Exception {
    BackupStore store = new BackupStore(state);
    Files.createDirectories(store.dir("b4"));
    Path partial = store.dir("b4").resolve("etcd.snapshot.partial");
    Files.writeString(partial, "left over by a crash");

    BackupSummary s = snapshotter(etcd.clientConfig(), b -> { }).snapshot(store, "b4", "p", "u");

    assertFalse(Files.exists(partial));
    assertEquals(io.microshift.update.backup.Sha256Files.of(store.etcdSnapshot("b4")), s.sha256());
    assertTrue(store.isComplete("b4"));
  }

  @Test
  void etcdDownFailsClearlyAndLeavesNothingComplete() {
    BackupStore store = new BackupStore(state);
    EtcdClientConfig down = EtcdClientConfig.plaintext("http://127.0.0.1:" + EtcdServerFixture.freePort())
        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));

    SnapshotException e = assertThrows(SnapshotException.class,
        () -> snapshotter(down, b -> { }).snapshot(store, "b5", "p", "u"));

    assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
    assertFalse(store.isComplete("b5"));
    assertFalse(Files.exists(store.etcdSnapshot("b5")));
    assertFalse(Files.exists(store.dir("b5").resolve("etcd.snapshot.partial")));
  }

  @Test
  void aWriteFailureMidStreamCleansUpAndTheNextAttemptSucceeds() throws Exception {
    BackupStore store = new BackupStore(state);
    EtcdSnapshotter.Progress diskFull = written -> {
      if (written > 1024 * 1024) {
        throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
      }
    };

    SnapshotException e = assertThrows(SnapshotException.class,
        () -> snapshotter(etcd.clientConfig(), diskFull).snapshot(store, "b7", "p", "u"));

    assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    try (Stream<Path> files = Files.list(store.dir("b7"))) {
      assertEquals(List.of(), files.toList());
    }
    BackupSummary retry = snapshotter(etcd.clientConfig(), b -> { }).snapshot(store, "b7", "p", "u");
    assertEquals(io.microshift.update.backup.Sha256Files.of(store.etcdSnapshot("b7")), retry.sha256());
  }

  @Test
  void anInterruptedStreamLeavesNoFileThatLooksComplete() throws Exception {
    BackupStore store = new BackupStore(state);
    try (EtcdServerFixture doomed = EtcdServerFixture.start()) {
      try (EtcdConnection c = EtcdClients.open(doomed.clientConfig())) {
        EtcdFiller.fill(c.client(), SEED, 200, VALUE_SIZE, 16);
      }
      long[] seenWhenKilled = {-1};
      EtcdSnapshotter.Progress killAfterFirstChunk = written -> {
        if (seenWhenKilled[0] < 0) {
          seenWhenKilled[0] = written;
          doomed.kill();
        }
      };

      SnapshotException e = assertThrows(SnapshotException.class,
          () -> snapshotter(doomed.clientConfig(), killAfterFirstChunk).snapshot(store, "b6", "p", "u"));

      assertTrue(seenWhenKilled[0] > 0 && seenWhenKilled[0] < 200L * VALUE_SIZE,
          "killed after " + seenWhenKilled[0] + " bytes");
      assertTrue(e.getMessage().contains("b6"), e.getMessage());
      assertFalse(store.isComplete("b6"));
      try (Stream<Path> files = Files.list(store.dir("b6"))) {
        assertEquals(List.of(), files.toList());
      }
    }
  }
}
