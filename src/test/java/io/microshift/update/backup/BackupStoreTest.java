package io.microshift.update.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupStoreTest {

  @TempDir Path state;

  private void completeSet(BackupStore store, String id, long epochSecond) throws Exception {
    Files.createDirectories(store.dataDir(id));
    Files.writeString(store.dataDir(id).resolve("file"), id);
    Files.writeString(store.manifest(id), "{}");
    Files.setLastModifiedTime(store.manifest(id), FileTime.from(Instant.ofEpochSecond(epochSecond)));
  }

  @Test
  void prunesOldestCompleteSetsBeyondRetention() throws Exception {
    BackupStore store = new BackupStore(state);
    completeSet(store, "b1", 1000);
    completeSet(store, "b2", 2000);
    completeSet(store, "b3", 3000);
    completeSet(store, "b4", 4000);

    List<String> deleted = store.prune(2, Set.of());

    assertEquals(List.of("b2", "b1"), deleted);
    assertTrue(Files.exists(store.dir("b4")));
    assertTrue(Files.exists(store.dir("b3")));
    assertFalse(Files.exists(store.dir("b1")));
  }

  @Test
  void neverDeletesProtectedSetsAndRemovesUnprotectedLeftovers() throws Exception {
    BackupStore store = new BackupStore(state);
    completeSet(store, "old-active", 1000);
    completeSet(store, "b2", 2000);
    completeSet(store, "b3", 3000);
    Files.createDirectories(store.dir("interrupted"));
    Files.writeString(store.dir("interrupted").resolve("etcd.snapshot.partial"), "x");
    Files.createDirectories(store.dir("in-progress"));

    List<String> deleted = store.prune(2, Set.of("old-active", "in-progress"));

    // two sets in total: the protected complete one counts, the newest other fills the rest
    assertEquals(Set.of("b2", "interrupted"), Set.copyOf(deleted));
    assertTrue(Files.exists(store.dir("old-active")));
    assertTrue(Files.exists(store.dir("b3")));
    assertTrue(Files.exists(store.dir("in-progress")), "an incomplete protected set is kept");

    assertEquals(List.of("b3", "in-progress"), store.prune(1, Set.of("old-active")),
        "protected sets count toward the retention, and are never deleted themselves");
    assertTrue(Files.exists(store.dir("old-active")));
  }

  @Test
  void pruneDoesNotFollowSymlinksOutOfTheBackupDir() throws Exception {
    BackupStore store = new BackupStore(state);
    Path outside = Files.createDirectories(state.resolve("outside"));
    Files.writeString(outside.resolve("precious"), "keep");
    Files.createDirectories(store.dir("b1"));
    Files.createSymbolicLink(store.dir("b1").resolve("link"), outside);
    Files.createSymbolicLink(store.backupsDir().resolve("b9"), outside);

    store.prune(1, Set.of());

    assertFalse(Files.exists(store.dir("b1")));
    assertTrue(Files.exists(outside.resolve("precious")));
  }

  @Test
  void refusesIdsThatAreNotPlainNames() {
    BackupStore store = new BackupStore(state);
    for (String bad : new String[] {"../etc", "a/b", "", "A", "-x", "x-", "a b", ".."}) {
      assertThrows(IllegalArgumentException.class, () -> store.dir(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> store.prune(0, Set.of()));
  }
}
