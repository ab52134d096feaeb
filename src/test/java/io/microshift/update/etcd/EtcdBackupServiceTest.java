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

      assertEquals(List.of("old-2"), service.prune(1, "new", "old-1"));
      assertTrue(service.preflight().ok());
      BackupSummary s = service.snapshot("new", "plan-new", "uid-new");
      // protected sets come on top of the retention (BackupStore.prune): nothing to delete yet
      assertEquals(List.of(), service.prune(1, "new", "old-1"));
      // once the plan is done only request.json's set is protected; the new set is the newest
      assertEquals(List.of("old-3"), service.prune(1, "old-1"));

      assertEquals(List.of("new", "old-1"),
          store.list().stream().map(BackupStore.BackupSet::id).toList());
      assertEquals(store.etcdSnapshot("new").toString(), s.snapshotPath());
    }
  }
}
