package io.microshift.update.etcd;

import io.microshift.update.backup.BackupRetention;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The etcd part of a backup set, on one state dir and one etcd: preflight, snapshot, retention.
 * The host agent calls {@link #preflight()} on a Prepare and, on the Apply (MicroShift still
 * running), {@link #snapshot} and then {@link #prune}, protecting the set just taken
 * ({@code host/HostSnapshot}); the summary goes into host-status.json.
 */
public final class EtcdBackupService {

  private final BackupStore store;
  private final EtcdPreflight preflight;
  private final EtcdSnapshotter snapshotter;

  public EtcdBackupService(EtcdClientConfig config, BackupStore store, FreeSpaceProvider freeSpace) {
    Objects.requireNonNull(config);
    this.store = Objects.requireNonNull(store);
    this.preflight = new EtcdPreflight(config, freeSpace);
    this.snapshotter = new EtcdSnapshotter(config);
  }

  /** MicroShift's etcd with the environment's overrides (see {@link EtcdClientConfig}). */
  public static EtcdBackupService fromEnvironment(BackupStore store, Map<String, String> env) {
    return new EtcdBackupService(EtcdClientConfig.fromEnvironment(env), store,
        FreeSpaceProvider.fileStore());
  }

  /** Never throws for etcd trouble: see {@link EtcdPreflightResult#problems()}. */
  public EtcdPreflightResult preflight() {
    return preflight.check(store.backupsDir());
  }

  /** See {@link EtcdSnapshotter#snapshot}; throws {@link SnapshotException} with a message. */
  public BackupSummary snapshot(String backupId, String planName, String planUid) {
    return snapshotter.snapshot(store, backupId, planName, planUid);
  }

  /** See {@link BackupRetention#apply}: keep null means the default ({@link BackupRetention#DEFAULT_KEEP}). */
  public List<String> prune(Integer keep, String... referencedIds) {
    return BackupRetention.apply(store, keep, referencedIds);
  }
}
