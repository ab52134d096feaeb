package io.microshift.update.sim;

import io.microshift.update.host.DiskSpace;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The simulated device's /var as one file system of {@link #capacity} bytes (as on RHEL for Edge,
 * where /var holds /var/lib/microshift, the agent's backups and /var/lib/microshift-backups):
 * free is the capacity less every regular file under it, etcd's live files included.
 * A capacity of 0 or less means the real disk.
 */
final class SimDisk implements DiskSpace {
  private final Path var;
  private volatile long capacity;

  SimDisk(Path var) {
    this.var = var;
  }

  void capacity(long bytes) {
    capacity = bytes;
  }

  @Override
  public long usableBytes(Path onFileSystemOf) {
    return capacity <= 0 ? REAL.usableBytes(onFileSystemOf) : Math.max(0, capacity - used());
  }

  @Override
  public Object fileSystemOf(Path p) {
    return capacity > 0 && p.toAbsolutePath().startsWith(var) ? var : DiskSpace.super.fileSystemOf(p);
  }

  /** Bytes of regular files under /var; files that vanish while it looks (etcd's) are skipped. */
  long used() {
    long[] total = {0};
    try {
      Files.walkFileTree(var, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return total[0];
  }
}
