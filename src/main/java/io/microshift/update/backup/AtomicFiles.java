package io.microshift.update.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Durable, atomic file writes: a temp file in the target's directory, fsync, rename over the
 * target, fsync the directory. A reader sees the old file or the new one, never a torn one, and
 * after a crash the rename is either on disk or not.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, null, () -> {});
  }

  /**
   * {@link #write(Path, byte[])} with the file's mode set (whatever the umask) and
   * {@code beforeRename} run between the fsynced temp file and the rename. A crash there leaves the
   * temp file, as a power cut would; a failed write removes it.
   *
   * @param mode the new file's permissions, null for the umask's
   */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> mode, Runnable beforeRename)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(tempPrefix(target) + tempSuffix());
    try {
      FileAttribute<?>[] attrs = mode == null ? new FileAttribute<?>[0]
          : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)};
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), attrs)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      if (mode != null) {
        Files.setPosixFilePermissions(tmp, mode); // the umask may have taken bits away
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    beforeRename.run();
    try {
      moveDurably(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A temp file's unique part: this process's pid and a random number. Not a random UUID: that
   * initialises SecureRandom and the security providers (~20-30 ms of the boot-path verbs, which
   * write host-status.json inside greenboot's budget), and the name needs no secrecy: CREATE_NEW
   * refuses an existing file, and the pid keeps two processes' names apart.
   */
  static String tempSuffix() {
    return ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /** The name prefix of {@code target}'s temp files ({@code .NAME.tmp-}), for removing stale ones. */
  public static String tempPrefix(Path target) {
    return "." + target.getFileName() + ".tmp-";
  }

  /** Renames an already fsynced {@code source} over {@code target} and fsyncs the directory. */
  public static void moveDurably(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDir(target.toAbsolutePath().getParent());
  }

  /** Makes a directory's entries (creations, renames, deletions) durable. */
  public static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
