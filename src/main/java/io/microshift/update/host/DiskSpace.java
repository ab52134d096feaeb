package io.microshift.update.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Free space of a file system and the size of a tree. Tests replace {@link #usableBytes} (and
 * {@link #fileSystemOf}, to put paths on different file systems).
 */
public interface DiskSpace {
  long usableBytes(Path onFileSystemOf);

  /** The file system that holds {@code p} (or its nearest existing parent); equal for the same one. */
  default Object fileSystemOf(Path p) {
    return fileStore(p);
  }

  DiskSpace REAL = p -> {
    try {
      return fileStore(p).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  };

  /** The file store of {@code p}, or of its nearest existing parent. */
  static FileStore fileStore(Path p) {
    try {
      Path existing = p.toAbsolutePath();
      while (existing.getParent() != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      return Files.getFileStore(existing);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes of regular files under {@code root}, symlinks not followed; 0 if absent. */
  static long treeBytes(Path root) {
    if (!Files.exists(root)) {
      return 0;
    }
    long[] total = {0};
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure " + root, e);
    }
    return total[0];
  }
}
