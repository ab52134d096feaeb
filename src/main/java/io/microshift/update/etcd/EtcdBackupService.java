package io.microshift.update.etcd;

import io.microshift.update.backup.BackupRetention;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the reconciler calls for the etcd part of a backup: preflight, snapshot, retention, on
 * one state dir and one etcd. Order in a plan: {@link #prune} (protecting the sets still referred
 * to), {@link #preflight()}, then {@link #snapshot} until it returns; record its summary in the
 * plan's status and in request.json.
 */
public final class EtcdBackupService {

  private final EtcdClientConfig config;
  private final BackupStore store;
  private final EtcdPreflight preflight;
  private final EtcdSnapshotter snapshotter;

  public EtcdBackupService(EtcdClientConfig config, BackupStore store, FreeSpaceProvider freeSpace) {
    this.config = Objects.requireNonNull(config);
    this.store = Objects.requireNonNull(store);
    this.preflight = new EtcdPreflight(config, freeSpace);
    this.snapshotter = new EtcdSnapshotter(config);
  }

  /** MicroShift's etcd with the environment's overrides (see {@link EtcdClientConfig}). */
  public static EtcdBackupService fromEnvironment(BackupStore store, Map<String, String> env) {
    return new EtcdBackupService(EtcdClientConfig.fromEnvironment(env), store,
        FreeSpaceProvider.fileStore());
  }

  public EtcdClientConfig config() {
    return config;
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
