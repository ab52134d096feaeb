package io.microshift.update.marker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic, durable writes: a temp file in the same dir, fsync, rename over the target, fsync the
 * dir. A reader sees the old file or the new one, never a torn one, also after a power cut.
 */
public final class MarkerStore {
  private final CrashHook crash;

  public MarkerStore(CrashHook crash) {
    this.crash = crash;
  }

  public MarkerStore() {
    this(CrashHook.NONE);
  }

  public void write(Path file, byte[] content) {
    Path dir = file.toAbsolutePath().getParent();
    String tmpPrefix = "." + file.getFileName() + ".tmp-";
    try {
      if (Files.isSymbolicLink(dir)) {
        throw new IOException(dir + " is a symlink; the state dir must be a real directory");
      }
      Files.createDirectories(dir);
      removeStaleTemps(dir, tmpPrefix);
      Path tmp = dir.resolve(tmpPrefix + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rw-r--r--")))) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      // the umask may have taken bits away; 0644 is what readers expect
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      crash.reached(CrashHook.MARKER_TEMP_WRITTEN);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDir(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void removeStaleTemps(Path dir, String prefix) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
      for (Path p : s) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** fsync a directory so that a rename in it survives a power cut. */
  public static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
