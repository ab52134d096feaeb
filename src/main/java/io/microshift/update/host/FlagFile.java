package io.microshift.update.host;

import io.microshift.update.backup.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An empty file whose existence is the fact: {@code /var/lib/microshift-update/in-flight} while
 * an update is in flight ({@link HostPaths#inFlightFlag}), {@code commit-unconfirmed} from a
 * commit until the next boot ({@link HostPaths#commitUnconfirmedFlag}). Shell and systemd test only
 * whether the name exists (any kind of entry counts, nothing in it is read), so a stale or planted
 * entry can only make the boot unit or the scripts strict and cost one JVM start. Creating uses
 * O_CREAT|O_EXCL (never follows a symlink); both changes are made durable.
 */
final class FlagFile {
  private final Path file;
  private final AgentLog log;

  FlagFile(Path file, AgentLog log) {
    this.file = file;
    this.log = log;
  }

  /** Creates the flag durably; an entry already there (of any kind) is left as it is. */
  void set() {
    try {
      Files.newByteChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
      AtomicFiles.fsyncDir(file.getParent());
    } catch (FileAlreadyExistsException e) {
      // set by an earlier write of this update
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the flag " + file, e);
    }
  }

  /** Whether the flag is there (any kind of entry counts, as in the scripts' test). */
  boolean isSet() {
    return Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /** Removes the flag durably (a symlink itself, never its target). */
  void clear() {
    try {
      if (Files.deleteIfExists(file)) {
        AtomicFiles.fsyncDir(file.getParent());
      }
    } catch (DirectoryNotEmptyException e) {
      log.error(file + " is a directory that is not empty, so every boot still starts the agent;"
          + " remove it (nothing in it is used)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the flag " + file, e);
    }
  }
}
