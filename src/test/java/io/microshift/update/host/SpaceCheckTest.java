package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpaceCheck}: every term that lives on a file system at the peak of an update, with a
 * fake {@link DiskSpace} that says how much is free on each file system and which path is where.
 */
class SpaceCheckTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** A disk where {@code microshift-backups} is on file system "b" when {@code split}, all else on "a". */
  private static DiskSpace disk(TestHost h, boolean split, long freeA, long freeB) {
    return new DiskSpace() {
      @Override public long usableBytes(Path p) {
        return "b".equals(fileSystemOf(p)) ? freeB : freeA;
      }

      @Override public Object fileSystemOf(Path p) {
        return split && p.startsWith(h.paths.microshiftBackups()) ? "b" : "a";
      }
    };
  }

  private static Optional<String> check(TestHost h, DiskSpace disk, UpdateRequest req) {
    long data = DiskSpace.treeBytes(h.paths.microshiftData());
    return SpaceCheck.refusal(disk, h.paths, SpaceCheck.terms(h.ctx(), req, data));
  }

  private static long data(TestHost h) {
    return DiskSpace.treeBytes(h.paths.microshiftData());
  }

  /** Bytes the ostree update needs on one file system: our copy, first-boot and 2 failed-boot backups, +10%. */
  private static long ostreeNeed(long data, long pruned) {
    return (long) Math.ceil((4 * data - pruned) * 1.1);
  }

  @Test
  void ostreeCountsOurCopyMicroShiftsFirstBootBackupAndTheBackupsOfFailedTargetBoots() {
    TestHost h = new TestHost(root, true);
    long data = data(h);
    UpdateRequest req = h.request();
    // room for our copy and one MicroShift copy (what was counted before), not for the failed boots' copies
    Optional<String> r = check(h, disk(h, false, 3 * data, 0), req);
    assertTrue(r.isPresent(), "3x the data dir is not enough on an ostree host");
    assertTrue(r.get().contains("MicroShift's backups after failed target boots, or one of them and the data dir our rollback restores (2 copies at once)"),
        r.get());
    assertTrue(check(h, disk(h, false, ostreeNeed(data, 0) - 2, 0), req).isPresent(), "two bytes short");
    assertEquals(Optional.empty(), check(h, disk(h, false, ostreeNeed(data, 0) + 2, 0), req));
  }

  @Test
  void rpmHostsCountOurCopyOnly() {
    TestHost h = new TestHost(root, false);
    long data = data(h);
    long need = (long) Math.ceil(data * 1.1);
    assertEquals(Optional.empty(), check(h, disk(h, false, need + 1, 0), h.request()));
    Optional<String> r = check(h, disk(h, false, need - 1, 0), h.request());
    assertTrue(r.isPresent());
    assertFalse(r.get().contains("MicroShift's pre-run backup"), r.get());
  }

  @Test
  void theMessageListsEveryTermInMibTheSumTheFreeSpaceAndWhatToFree() throws IOException {
    TestHost h = new TestHost(root, true);
    grow(h, 40 * MIB);
    long data = data(h);
    Optional<String> r = check(h, disk(h, false, 100 * MIB, 0), h.request());
    String m = r.orElseThrow();
    String d = String.format(java.util.Locale.ROOT, "%.1f MiB", data / (double) MIB);
    assertTrue(m.startsWith("not enough free space for the update on the file system of "
        + "/var/lib/microshift-update/backups and /var/lib/microshift-backups: need "), m);
    assertTrue(m.contains("have 100.0 MiB free"), m);
    assertTrue(m.contains("our copy of it into backup set " + TestHost.BACKUP_ID + " " + d), m);
    assertTrue(m.contains("the etcd snapshot, still to write 0.0 MiB"), m);
    assertTrue(m.contains("MicroShift's pre-run backup on the target's first boot (/var/lib/microshift-backups) " + d), m);
    assertTrue(m.contains("MicroShift's backups after failed target boots, or one of them and the data dir our rollback restores (2 copies at once) "
        + String.format(java.util.Locale.ROOT, "%.1f MiB", 2 * data / (double) MIB)), m);
    String need = String.format(java.util.Locale.ROOT, "%.1f MiB", ostreeNeed(data, 0) / (double) MIB);
    assertTrue(m.contains("10% margin "), m);
    assertTrue(m.contains(" = " + need + "; already on disk"), m);
    assertTrue(m.contains("already on disk, in the used space: the live data dir /var/lib/microshift " + d
        + ", the etcd snapshot, written 0.0 MiB"), m);
    assertTrue(m.contains("Free at least " + String.format(java.util.Locale.ROOT, "%.1f MiB",
        (ostreeNeed(data, 0) - 100 * MIB) / (double) MIB)), m);
    assertTrue(m.contains("remove backup sets no longer needed from /var/lib/microshift-update/backups"), m);
    assertTrue(m.contains("MicroShift backups of deployments that no longer exist from /var/lib/microshift-backups"), m);
  }

  @Test
  void theSnapshotCountsOnlyWhatIsNotYetOnDisk() throws IOException {
    TestHost h = new TestHost(root, false);
    long data = data(h);
    long fits = (long) Math.ceil(data * 1.1) + 1;
    assertEquals(Optional.empty(), check(h, disk(h, false, fits, 0), h.request()), "written: not counted again");
    Files.delete(h.ctx().backups().etcdSnapshot(TestHost.BACKUP_ID));
    UpdateRequest.Backup b = h.request().backup();
    long snap = 10 * data;
    UpdateRequest bigger = withBackup(h.request(), new UpdateRequest.Backup(b.id(), b.etcdSnapshotPath(), snap,
        b.etcdSnapshotSha256(), b.etcdRevision(), b.dataPath()));
    String m = check(h, disk(h, false, fits, 0), bigger).orElseThrow();
    assertTrue(m.contains("the etcd snapshot, still to write " + String.format(java.util.Locale.ROOT, "%.1f MiB",
        snap / (double) MIB)), m);
    assertEquals(Optional.empty(), check(h, disk(h, false, (long) Math.ceil((data + snap) * 1.1) + 1, 0), bigger));
  }

  @Test
  void microShiftsOlderBackupsOfTheBootedDeploymentAreRemovedBeforeTheFailedBootsBackups() throws IOException {
    TestHost h = new TestHost(root, true);
    long data = data(h);
    // the version file names deployment rhel-0.0: MicroShift removes its older backups on the next boot
    Path old = h.paths.microshiftBackups().resolve("rhel-0.0_0123456789abcdef0123456789abcdef");
    Files.createDirectories(old);
    Files.write(old.resolve("db"), new byte[(int) data]);
    // another deployment's backup stays (it is only pruned when that deployment is gone)
    Path other = h.paths.microshiftBackups().resolve("rhel-1.0_0123456789abcdef0123456789abcdef");
    Files.createDirectories(other);
    Files.write(other.resolve("db"), new byte[(int) data]);
    UpdateRequest req = h.request();
    assertEquals(Optional.empty(), check(h, disk(h, false, ostreeNeed(data, data) + 2, 0), req));
    String m = check(h, disk(h, false, ostreeNeed(data, data) - 2, 0), req).orElseThrow();
    assertTrue(m.contains(" - MicroShift's older backups of the booted deployment, removed on the target's first boot "
        + String.format(java.util.Locale.ROOT, "%.1f MiB", data / (double) MIB)), m);
  }

  @Test
  void eachFileSystemIsCheckedForWhatLivesOnIt() {
    TestHost h = new TestHost(root, true);
    long data = data(h);
    long ours = (long) Math.ceil(data * 1.1) + 1;
    long theirs = (long) Math.ceil(3 * data * 1.1) + 1;
    UpdateRequest req = h.request();
    assertEquals(Optional.empty(), check(h, disk(h, true, ours, theirs), req));
    String m = check(h, disk(h, true, ours, theirs - 2), req).orElseThrow();
    assertTrue(m.startsWith("not enough free space for the update on the file system of /var/lib/microshift-backups:"), m);
    assertFalse(m.contains("our copy"), m);
    assertFalse(m.contains("the live data dir"), "the live dir is on the other file system: " + m);
    m = check(h, disk(h, true, ours - 2, theirs), req).orElseThrow();
    assertTrue(m.startsWith("not enough free space for the update on the file system of "
        + "/var/lib/microshift-update/backups:"), m);
    assertFalse(m.contains("MicroShift's pre-run backup"), m);
    assertTrue(m.contains("already on disk, in the used space: the live data dir"), m);
  }

  @Test
  void applyRecordsFailedBeforeAnythingStopsAndTheMessageSaysWhatWasCounted() {
    TestHost h = new TestHost(root, true);
    h.usableBytes = 3 * data(h);
    h.writeRequest(h.request());
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertEquals(io.microshift.update.marker.HostState.Failed, h.status().state());
    assertTrue(h.status().message().contains("MicroShift's backups after failed target boots"), h.status().message());
    assertTrue(h.microshiftActive, "MicroShift still runs");
    assertEquals(List.of(), h.runner.actions().stream()
        .filter(a -> !a.equals(List.of("systemctl", "start", "microshift.service"))).toList(), "nothing staged");
  }

  private static void grow(TestHost h, long bytes) throws IOException {
    Files.write(h.paths.microshiftData().resolve("etcd/member/snap/db"), new byte[(int) bytes]);
  }

  private static UpdateRequest withBackup(UpdateRequest r, UpdateRequest.Backup b) {
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(), r.from(), r.target(),
        r.allowDowngrade(), b, r.healthCheckTimeoutSeconds(), r.backupRetention(), r.verification());
  }
}
