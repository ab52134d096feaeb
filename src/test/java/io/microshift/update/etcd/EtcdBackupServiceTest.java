package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler's sequence: prune, preflight, snapshot, prune again. */
class EtcdBackupServiceTest {

  @TempDir Path state;

  @Test
  void backupCycleKeepsTheNewestSetsAndTheReferencedOne() throws Exception {
    try (EtcdServerFixture etcd = EtcdServerFixture.start()) {
      BackupStore store = new BackupStore(state);
      EtcdBackupService service = EtcdBackupService.fromEnvironment(store,
          Map.of("ETCD_ENDPOINTS", etcd.endpoint()));
      for (String id : List.of("old-1", "old-2", "old-3")) {
        service.snapshot(id, "plan-" + id, "uid");
      }
      // make the completion order explicit (the file system's mtime resolution may tie)
      long t = 1000;
      for (String id : List.of("old-1", "old-2", "old-3")) {
        Files.setLastModifiedTime(store.manifest(id), FileTime.from(Instant.ofEpochSecond(t += 1000)));
      }

      // keep 2 in total: old-1 (protected) and the newest other, old-3
      assertEquals(List.of("old-2"), service.prune(2, "new", "old-1"));
      assertTrue(service.preflight().ok());
      BackupSummary s = service.snapshot("new", "plan-new", "uid-new");
      // both protected sets are complete now and fill the retention
      assertEquals(List.of("old-3"), service.prune(2, "new", "old-1"));
      // once the host committed the new update only its set is referred to
      assertEquals(List.of(), service.prune(2, "new"), "new and the newest other, old-1, make two");
      assertEquals(List.of("old-1"), service.prune(1, "new"));

      assertEquals(List.of("new"),
          store.list().stream().map(BackupStore.BackupSet::id).toList());
      assertEquals(store.etcdSnapshot("new").toString(), s.snapshotPath());
    }
  }
}
