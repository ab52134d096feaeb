package io.microshift.update.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRetentionTest {

  @TempDir Path state;

  private static void complete(BackupStore store, String id, long epochSecond) throws Exception {
    Files.createDirectories(store.dir(id));
    Files.writeString(store.etcdSnapshot(id), id);
    Files.writeString(store.manifest(id), "{}");
    Files.setLastModifiedTime(store.manifest(id), FileTime.from(Instant.ofEpochSecond(epochSecond)));
  }

  private static List<String> ids(BackupStore store) {
    return store.list().stream().map(BackupStore.BackupSet::id).toList();
  }

  @Test
  void keepsTwoByDefault() throws Exception {
    BackupStore store = new BackupStore(state);
    complete(store, "a", 1);
    complete(store, "b", 2);
    complete(store, "c", 3);

    assertEquals(List.of("a"), BackupRetention.apply(store, null));
    assertEquals(List.of("c", "b"), ids(store));
  }

  @Test
  void neverDeletesTheSetsTheActivePlanAndTheLastRequestReferTo() throws Exception {
    BackupStore store = new BackupStore(state);
    complete(store, "last-request", 1);
    complete(store, "b", 2);
    complete(store, "c", 3);
    Files.createDirectories(store.dir("active")); // being written: no manifest yet

    List<String> deleted = BackupRetention.apply(store, 2, "active", "last-request", null);

    // two in total: last-request counts (active is incomplete and does not), c is the newest other
    assertEquals(List.of("b"), deleted);
    assertEquals(List.of("c", "last-request", "active"), ids(store));
    assertEquals(List.of("c"), BackupRetention.apply(store, 1, "active", "last-request"));
  }

  @Test
  void refusesToKeepNothing() {
    assertThrows(IllegalArgumentException.class,
        () -> BackupRetention.apply(new BackupStore(state), 0));
  }
}
