package io.microshift.update.operator.adapter;

import io.microshift.update.api.BackupStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.backup.BackupSummary;
import io.microshift.update.etcd.EtcdBackupService;
import io.microshift.update.etcd.EtcdPreflightResult;
import io.microshift.update.operator.port.PlatformBackup;
import java.util.List;
import java.util.Set;

/** {@link PlatformBackup} on MicroShift's etcd through jetcd ({@link EtcdBackupService}). */
public final class EtcdPlatformBackup implements PlatformBackup {
  private final EtcdBackupService service;

  public EtcdPlatformBackup(EtcdBackupService service) {
    this.service = service;
  }

  @Override
  public List<String> preflight(UpdatePlan plan) {
    return service.preflight().problems();
  }

  @Override
  public long[] estimateAndFree(UpdatePlan plan) {
    EtcdPreflightResult r = service.preflight();
    return new long[] {r.requiredBytes(), r.freeBytes()};
  }

  @Override
  public BackupStatus snapshot(UpdatePlan plan, String backupId) {
    BackupSummary s = service.snapshot(backupId, plan.getMetadata().getName(), plan.getMetadata().getUid());
    BackupStatus b = new BackupStatus();
    b.id = s.id();
    b.path = s.dir();
    b.etcdSnapshot = true;
    b.etcdSizeBytes = s.sizeBytes();
    b.etcdSha256 = s.sha256();
    b.etcdRevision = s.revision();
    b.etcdVersion = s.etcdVersion();
    b.createdAt = s.createdAt();
    return b;
  }

  @Override
  public List<String> prune(int keep, Set<String> protectedIds) {
    return service.prune(keep, protectedIds.toArray(String[]::new));
  }
}
