package io.microshift.update.sim;

import io.microshift.update.backup.FileTrees;
import io.microshift.update.host.DiskSpace;
import io.microshift.update.host.HostPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * MicroShift's own pre-run backup on ostree hosts, as openshift/microshift does it in
 * pkg/admin/prerun/prerun.go {@code dataManagement.backup} (the same in 4.14 to 4.20) with
 * pkg/admin/data/data_manager.go {@code manager.Backup} (which differs between versions):
 * <ul>
 *   <li>only when the data dir is not empty and its version file's boot id is not the current
 *       boot's: the backup is of the boot before, named {@code <deployment_id>_<boot_id>} from
 *       the version file, into /var/lib/microshift-backups; an existing one of that name is
 *       kept as it is;
 *   <li>4.18 and newer first check the space ({@code CheckIfEnoughSpaceToBackUp}, disk_space.go:
 *       the data dir's size +10% must be free where the backups go) and refuse, then copy into a
 *       temporary dir and rename it ({@code AtomicDirCopy}); 4.14 to 4.17 run {@code cp} straight
 *       into the destination, so a full disk leaves a partial backup under the final name;
 *   <li>after a new backup, every older backup of the same deployment is removed
 *       ({@code getForDeployment(...).removeAll}), then those of deployments that no longer exist
 *       ({@code removeBackupsWithoutExistingDeployments}, backups.go {@code getDangling}: only
 *       names of the automated form).
 * </ul>
 * A failure fails MicroShift's start ({@code RunMicroshift} returns the error).
 */
final class MicroShiftPreRunBackup {
  /** backups.go backupNameRegexp: (osname)-(64 characters).(integer)_(32 characters). */
  private static final Pattern AUTOMATED = Pattern.compile("^([\\w-]+-[\\d\\w]{64}\\.\\d+)_[\\d\\w]{32}$");
  private static final Pattern VERSION_FILE = Pattern.compile(
      "\"version\":\"(\\d+)\\.(\\d+)[^\"]*\".*\"deployment_id\":\"([^\"]*)\".*\"boot_id\":\"([^\"]*)\"");
  private static final long MIB = 1024 * 1024;

  private final HostPaths paths;
  private final DiskSpace disk;
  private final Consumer<String> log;

  MicroShiftPreRunBackup(HostPaths paths, DiskSpace disk, Consumer<String> log) {
    this.paths = paths;
    this.disk = disk;
    this.log = log;
  }

  /**
   * The pre-run backup of MicroShift {@code runningMinor} (4.x) booted as {@code currentBootId},
   * with {@code deploymentIds} the deployments ostree has. Empty when MicroShift may start, else
   * the error it fails with.
   */
  Optional<String> run(int runningMinor, String currentBootId, Set<String> deploymentIds) {
    Path data = paths.microshiftData();
    Optional<Matcher> vf = versionFile();
    if (vf.isEmpty() || !hasData(data)) {
      return Optional.empty();
    }
    String deployment = vf.get().group(3);
    String bootId = vf.get().group(4);
    if (bootId.equals(currentBootId) || deployment.isEmpty()) {
      return Optional.empty(); // this boot's data: no backup in the middle of it
    }
    Path storage = paths.microshiftBackups();
    List<String> existing = list(storage);
    String name = deployment + "_" + bootId;
    if (existing.contains(name)) {
      return Optional.empty();
    }
    try {
      Files.createDirectories(storage);
      Optional<String> failed = runningMinor >= 18 ? atomicBackup(data, storage, name) : cpBackup(data, storage, name);
      if (failed.isPresent()) {
        return Optional.of("failed to create backup \"" + name + "\": " + failed.get());
      }
      log.accept("MicroShift pre-run: backed up the data dir as " + paths.hostPath(storage.resolve(name)) + " ("
          + DiskSpace.treeBytes(storage.resolve(name)) / MIB + " MiB; " + disk.usableBytes(storage) / MIB + " MiB free)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String b : existing) {
      if (b.startsWith(deployment)) {
        FileTrees.delete(storage.resolve(b));
        log.accept("MicroShift pre-run: removed the older backup " + b + " of the same deployment");
      }
    }
    for (String b : existing) {
      Matcher m = AUTOMATED.matcher(b);
      if (m.matches() && !deploymentIds.contains(m.group(1)) && Files.exists(storage.resolve(b))) {
        FileTrees.delete(storage.resolve(b));
        log.accept("MicroShift pre-run: removed " + b + " (its deployment no longer exists)");
      }
    }
    return Optional.empty();
  }

  /** 4.18+: CheckIfEnoughSpaceToBackUp, then AtomicDirCopy (a temporary dir, renamed). */
  private Optional<String> atomicBackup(Path data, Path storage, String name) throws IOException {
    long required = (long) (DiskSpace.treeBytes(data) * 1.1);
    long available = disk.usableBytes(storage);
    if (available < required) {
      return Optional.of("not enough disk space in \"" + paths.hostPath(storage) + "\" to create a backup: required="
          + required / MIB + "M available=" + available / MIB + "M");
    }
    Path tmp = storage.resolve(name + ".tmp.sim");
    FileTrees.delete(tmp);
    Optional<String> failed = copy(data, tmp);
    if (failed.isPresent()) {
      FileTrees.delete(tmp);
      return failed;
    }
    Files.move(tmp, storage.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    return Optional.empty();
  }

  /** 4.14 to 4.17: {@code cp --recursive --preserve --reflink=auto} straight into the destination. */
  private Optional<String> cpBackup(Path data, Path storage, String name) throws IOException {
    return copy(data, storage.resolve(name));
  }

  /** A copy that stops, as cp does, at the first file that does not fit (what it wrote stays). */
  private Optional<String> copy(Path from, Path to) throws IOException {
    String[] noSpace = {null};
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path dest = to.resolve(from.relativize(file).toString());
        if (attrs.isRegularFile() && attrs.size() > disk.usableBytes(to)) {
          noSpace[0] = "cp: error writing '" + paths.hostPath(dest) + "': No space left on device";
          return FileVisitResult.TERMINATE;
        }
        Files.copy(file, dest, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
    return Optional.ofNullable(noSpace[0]);
  }

  private Optional<Matcher> versionFile() {
    try {
      Path f = paths.microshiftVersionFile();
      if (!Files.isRegularFile(f)) {
        return Optional.empty();
      }
      Matcher m = VERSION_FILE.matcher(Files.readString(f));
      return m.find() ? Optional.of(m) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** util.PathExistsAndIsNotEmpty(config.DataDir, ".nodename"). */
  private static boolean hasData(Path data) {
    try (Stream<Path> s = Files.list(data)) {
      return s.anyMatch(p -> !p.getFileName().toString().equals(".nodename"));
    } catch (IOException e) {
      return false;
    }
  }

  /** data_manager.go GetBackupList: the directories in the storage dir. */
  private static List<String> list(Path storage) {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(storage)) {
      return out;
    }
    try (Stream<Path> s = Files.list(storage)) {
      s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(p -> out.add(p.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
