package io.microshift.update.marker;

import io.microshift.update.backup.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The marker files' writes: {@link AtomicFiles#write} (a reader sees the old file or the new one,
 * never a torn one, also after a power cut) into a state dir that is no symlink, mode 0644, with
 * the temp files of an earlier power cut removed first and a crash point before the rename.
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
    try {
      if (Files.isSymbolicLink(dir)) {
        throw new IOException(dir + " is a symlink; the state dir must be a real directory");
      }
      Files.createDirectories(dir);
      removeStaleTemps(dir, AtomicFiles.tempPrefix(file));
      // 0644 whatever the umask: what the readers of the marker files expect
      AtomicFiles.write(file, content, PosixFilePermissions.fromString("rw-r--r--"),
          () -> crash.reached(CrashHook.MARKER_TEMP_WRITTEN));
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
}
