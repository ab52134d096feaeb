package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.UpdateType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Does the update fit on the disk at its peak? Counts, on each file system, everything that
 * lives there at the same time (docs/backups.md, "Disk space at the peak of an update"): the
 * live data dir (already on disk), our copy of it, on ostree hosts MicroShift's own pre-run
 * backups (the one of the target's first boot and those of failed target boots, less what
 * MicroShift prunes before them), the part of the etcd snapshot not yet written, and a 10%
 * margin. Reflinks may share blocks, but nothing counts on them.
 */
final class SpaceCheck {
  /** 10% on top of what is written, as MicroShift's own check (pkg/admin/data/disk_space.go, GetSizeOfDir). */
  static final double MARGIN = 1.1;
  /**
   * Copies of the data dir that coexist after failed target boots, besides ours and the
   * first-boot backup. Upstream (pkg/admin/prerun/prerun.go, dataManagement.backup, 4.14 to 4.20
   * alike) backs up on every new boot as {@code <deployment>_<boot>} of the boot before, and only
   * then removes the older backups of that deployment: the boot after a failed target boot adds
   * a target backup, the one after the next adds a second before it removes the first. On the
   * rollback boot our restore runs first and keeps the failed dir: one target backup and the
   * restored copy. greenboot tries 3 times by default (greenboot-grub2-set-counter,
   * GREENBOOT_MAX_BOOT_ATTEMPTS); from 2 attempts on the peak is 2 copies.
   */
  static final int FAILED_BOOT_BACKUPS_AT_ONCE = 2;
  private static final long MIB = 1024 * 1024;

  private SpaceCheck() {}

  /** How a term counts: already there (listed only), still to be written, or freed before the peak. */
  enum Kind { ON_DISK, TO_WRITE, PRUNED }

  /** One thing on a file system at the peak, in bytes. */
  record Term(String what, long bytes, Path onFileSystemOf, Kind kind) {}

  /** Why the update does not fit, or empty when it does. */
  static Optional<String> refusal(HostContext ctx, UpdateRequest req, long dataBytes) {
    return refusal(ctx.disk(), ctx.paths(), terms(ctx, req, dataBytes));
  }

  /** Everything counted for {@code req}, whose live data dir holds {@code dataBytes}. */
  static List<Term> terms(HostContext ctx, UpdateRequest req, long dataBytes) {
    HostPaths paths = ctx.paths();
    Path ours = ctx.backups().backupsDir();
    Path theirs = paths.microshiftBackups();
    List<Term> terms = new ArrayList<>();
    terms.add(new Term("the live data dir " + paths.hostPath(paths.microshiftData()), dataBytes,
        paths.microshiftData(), Kind.ON_DISK));
    terms.add(new Term("our copy of it into backup set " + req.backup().id(), dataBytes, ours, Kind.TO_WRITE));
    long snapshotOnDisk = snapshotBytesOnDisk(ctx.backups().etcdSnapshot(req.backup().id()));
    if (snapshotOnDisk > 0) {
      terms.add(new Term("the etcd snapshot, written", snapshotOnDisk, ours, Kind.ON_DISK));
    }
    terms.add(new Term("the etcd snapshot, still to write", Math.max(0, snapshotBytes(ctx, req)
        - snapshotOnDisk), ours, Kind.TO_WRITE));
    if (req.type().deploysOstree()) {
      String dir = paths.hostPath(theirs);
      terms.add(new Term("MicroShift's pre-run backup on the target's first boot (" + dir + ")", dataBytes,
          theirs, Kind.TO_WRITE));
      long failed = FAILED_BOOT_BACKUPS_AT_ONCE * dataBytes;
      terms.add(new Term("MicroShift's backups after failed target boots, or one of them and the data dir our "
          + "rollback restores (" + FAILED_BOOT_BACKUPS_AT_ONCE + " copies at once)", failed, theirs, Kind.TO_WRITE));
      long pruned = Math.min(failed, prunedOnFirstBoot(ctx));
      if (pruned > 0) {
        terms.add(new Term("MicroShift's older backups of the booted deployment, removed on the target's first boot",
            pruned, theirs, Kind.PRUNED));
      }
    }
    return terms;
  }

  /** Bytes the update needs at its peak on the file system of the backup sets (margin included). */
  static long requiredOnBackupFileSystem(HostContext ctx, UpdateRequest req, long dataBytes) {
    Object fs = ctx.disk().fileSystemOf(ctx.backups().backupsDir());
    long written = terms(ctx, req, dataBytes).stream()
        .filter(t -> t.kind() != Kind.ON_DISK && ctx.disk().fileSystemOf(t.onFileSystemOf()).equals(fs))
        .mapToLong(t -> t.kind() == Kind.TO_WRITE ? t.bytes() : -t.bytes()).sum();
    return Math.max(0, written) + (long) Math.ceil(Math.max(0, written) * (MARGIN - 1));
  }

  /** Why {@code terms} do not fit, one sentence per file system that is short, or empty. */
  static Optional<String> refusal(DiskSpace disk, HostPaths paths, List<Term> terms) {
    Map<Object, List<Term>> byFileSystem = new LinkedHashMap<>();
    for (Term t : terms) {
      if (t.kind() != Kind.ON_DISK) {
        byFileSystem.computeIfAbsent(disk.fileSystemOf(t.onFileSystemOf()), k -> new ArrayList<>()).add(t);
      }
    }
    List<String> shortOf = new ArrayList<>();
    for (Map.Entry<Object, List<Term>> fs : byFileSystem.entrySet()) {
      List<Term> here = fs.getValue();
      long written = here.stream().mapToLong(t -> t.kind() == Kind.TO_WRITE ? t.bytes() : -t.bytes()).sum();
      long margin = (long) Math.ceil(Math.max(0, written) * (MARGIN - 1));
      long need = written + margin;
      Path where = here.get(0).onFileSystemOf();
      long free = disk.usableBytes(where);
      if (free < need) {
        shortOf.add(message(paths, terms, fs.getKey(), disk, here, margin, need, free));
      }
    }
    return shortOf.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", shortOf));
  }

  private static String message(HostPaths paths, List<Term> all, Object fileSystem, DiskSpace disk, List<Term> here,
      long margin, long need, long free) {
    StringBuilder sum = new StringBuilder();
    for (Term t : here) {
      sum.append(sum.length() == 0 ? "" : t.kind() == Kind.PRUNED ? " - " : " + ")
          .append(t.what()).append(' ').append(mib(t.bytes()));
    }
    sum.append(" + 10% margin ").append(mib(margin)).append(" = ").append(mib(need));
    List<String> onDisk = all.stream().filter(t -> t.kind() == Kind.ON_DISK
        && disk.fileSystemOf(t.onFileSystemOf()).equals(fileSystem)).map(t -> t.what() + " " + mib(t.bytes())).toList();
    String dirs = String.join(" and ", here.stream().map(t -> paths.hostPath(t.onFileSystemOf())).distinct().toList());
    return String.format(Locale.ROOT, "not enough free space for the update on the file system of %s: need %s, "
        + "have %s free. Counted at the peak: %s%s. Free at least %s (remove backup sets no longer needed from "
        + "%s and MicroShift backups of deployments that no longer exist from %s, or grow the file system), "
        + "then retry the update", dirs, mib(need), mib(free), sum,
        onDisk.isEmpty() ? "" : "; already on disk, in the used space: " + String.join(", ", onDisk),
        mib(need - free), paths.hostPath(paths.stateDir().resolve(io.microshift.update.backup.BackupStore.BACKUPS_DIR)), paths.hostPath(paths.microshiftBackups()));
  }

  /**
   * Bytes of MicroShift's backups of the booted deployment: after it writes the target's
   * first-boot backup, MicroShift removes every older backup named for the deployment in the
   * version file (pkg/admin/prerun/prerun.go, dataManagement.backup:
   * {@code existingBackups.getForDeployment(versionFile.DeploymentID).removeAll}), so they are
   * gone before the failed-boot backups are written. Only {@code <deployment-id>_<boot-id>}
   * directories count, no symlink followed.
   */
  private static long prunedOnFirstBoot(HostContext ctx) {
    Optional<MicroShift.VersionFile> vf = ctx.microshift().versionFile();
    Path dir = ctx.paths().microshiftBackups();
    if (vf.isEmpty() || vf.get().deploymentId() == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    String prefix = vf.get().deploymentId() + "_";
    long bytes = 0;
    try (var entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          bytes += DiskSpace.treeBytes(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return bytes;
  }

  /**
   * The snapshot's size: as the request says when the operator took it; otherwise what the host
   * will take, about the size of etcd's backend database (etcd's snapshot is a copy of its bbolt
   * file, server/storage/backend, {@code backend.Snapshot}), read from the live data dir.
   */
  static long snapshotBytes(HostContext ctx, UpdateRequest req) {
    if (req.backup().etcdSnapshotBytes() != null) {
      return req.backup().etcdSnapshotBytes();
    }
    Path db = ctx.paths().microshiftData().resolve("etcd/member/snap/db");
    return snapshotBytesOnDisk(db);
  }

  private static long snapshotBytesOnDisk(Path snapshot) {
    try {
      return Files.isRegularFile(snapshot, LinkOption.NOFOLLOW_LINKS) ? Files.size(snapshot) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
  }
}
