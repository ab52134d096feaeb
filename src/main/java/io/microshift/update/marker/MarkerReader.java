package io.microshift.update.marker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a marker file only when it is safe: a regular file (not a symlink, FIFO, device or dir)
 * with exactly one hard link, owned by the expected uid, not group- or world-writable, at most
 * 64 KiB (the size is checked before opening, the read is bounded), in a dir with the same properties; then
 * parses and validates it. Every refusal names the file and the reason. A FIFO or device swapped in
 * between the checks and the open cannot block the reader: the open is bounded ({@link #OPEN_BOUND}),
 * and what was read must come from the checked file (same device and inode, same size).
 */
public final class MarkerReader {
  /** The owner expected on a host: the agent runs as root. */
  public static final int ROOT_UID = 0;

  private final int expectedUid;
  /** Test seam: runs after the file passed its checks, just before it is opened. */
  private final Runnable afterChecks;

  public MarkerReader(int expectedUid) {
    this(expectedUid, () -> { });
  }

  MarkerReader(int expectedUid, Runnable afterChecks) {
    this.expectedUid = expectedUid;
    this.afterChecks = afterChecks;
  }

  /** The file was unlinked while it was checked: the other side's atomic rename replaced it. */
  private static final class ReplacedWhileChecked extends Exception {
    ReplacedWhileChecked() {
      super(null, null, false, false);
    }
  }

  /** Problems with the file itself (not its content); empty when it may be read. */
  private List<String> fileProblems(Path file) throws IOException, ReplacedWhileChecked {
    List<String> problems = new ArrayList<>();
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (d.isSymbolicLink() || !d.isDirectory()) {
        problems.add(dir + ": the state dir must be a real directory, not a symlink");
      } else {
        checkOwnerAndMode(dir, d, problems);
      }
    }
    PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) {
      problems.add(file + ": is a symlink; marker files must be regular files");
      return problems;
    }
    if (!a.isRegularFile()) {
      problems.add(file + ": is not a regular file");
      return problems;
    }
    checkOwnerAndMode(file, a, problems);
    int links = (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    if (links == 0) {
      // a path's file has no links only when it was unlinked between the lookup and the stat,
      // which the writer's rename does; the freed inode number may already be reused, so the
      // file key cannot tell
      throw new ReplacedWhileChecked();
    }
    if (links != 1) {
      problems.add(file + ": has " + links + " hard links; a marker file must have exactly one"
          + " (a hard link could make the agent read another file)");
    }
    if (a.size() > Markers.MAX_FILE_BYTES) {
      problems.add(file + ": is " + a.size() + " bytes, at most " + Markers.MAX_FILE_BYTES + " allowed");
    }
    return problems;
  }

  private void checkOwnerAndMode(Path p, PosixFileAttributes a, List<String> problems) throws IOException {
    int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (uid != expectedUid) {
      problems.add(p + ": owned by uid " + uid + ", expected uid " + expectedUid);
    }
    Set<PosixFilePermission> perms = a.permissions();
    if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      problems.add(p + ": is group- or world-writable (mode "
          + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); use 0644 for files, 0755 for the dir");
    }
  }

  /**
   * How often a read is tried when the writer replaced the file (atomic rename) meanwhile; the
   * n-th retry waits n ms first, so a burst of writes cannot exhaust them (at most ~0.2 s in all).
   */
  static final int READ_ATTEMPTS = 20;

  /**
   * The file's bytes when it is safe to read; empty when it does not exist. A file replaced while
   * it was read (the other side's atomic rename) is read again, a bounded number of times.
   */
  public Optional<byte[]> readBytes(Path file) {
    for (int attempt = 1; ; attempt++) {
      Optional<Optional<byte[]>> read = readOnce(file);
      if (read.isPresent()) {
        return read.get();
      }
      if (attempt >= READ_ATTEMPTS) {
        throw new MarkerProblems(file.toString(), List.of(file + ": was replaced while being read "
            + READ_ATTEMPTS + " times in a row; retry later"));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(attempt * 1_000_000L);
    }
  }

  /** The identity (device and inode) of what the path names now; null when nothing is there. */
  private static Object fileKey(Path file) throws IOException {
    PosixFileAttributes a = attributes(file);
    return a == null ? null : a.fileKey();
  }

  /** What the path names now (not following a symlink); null when nothing is there. */
  private static PosixFileAttributes attributes(Path file) throws IOException {
    try {
      return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * How long opening and reading a checked file may take. Java cannot open with O_NONBLOCK nor
   * fstat what it opened, so a FIFO or device renamed over the file between its checks and the
   * open would block open(2) (a FIFO until some writer opens it); the open runs in its own thread
   * and the read is refused when it does not finish in time.
   */
  static final Duration OPEN_BOUND = Duration.ofSeconds(2);

  /**
   * At most this many opener threads may still be blocked (each on a FIFO swapped in); beyond
   * that every read is refused at once, so that a long-running reader (the operator) does not
   * pile up threads.
   */
  static final int MAX_BLOCKED_OPENERS = 4;

  private static final AtomicInteger BLOCKED_OPENERS = new AtomicInteger();

  /** The open did not finish within {@link #OPEN_BOUND}. */
  private static final class OpenTimedOut extends Exception {
    OpenTimedOut() {
      super(null, null, false, false);
    }
  }

  /** Opens and reads at most 64 KiB + 1 bytes, giving up after {@link #OPEN_BOUND}. */
  private static byte[] readWithin(Path file) throws IOException, OpenTimedOut {
    if (BLOCKED_OPENERS.get() >= MAX_BLOCKED_OPENERS) {
      throw new MarkerProblems(file.toString(), List.of(file + ": " + BLOCKED_OPENERS.get()
          + " earlier reads are still blocked opening files that were swapped for FIFOs or devices;"
          + " refusing to open another; restart the agent (or operator) after removing them"));
    }
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    AtomicInteger state = new AtomicInteger(); // 0 running, 1 finished, 2 abandoned by the caller
    Thread opener = new Thread(() -> {
      try (InputStream in = Channels.newInputStream(FileChannel.open(file,
          StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
        result.complete(in.readNBytes(Markers.MAX_FILE_BYTES + 1));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      } finally {
        if (!state.compareAndSet(0, 1)) {
          BLOCKED_OPENERS.decrementAndGet(); // abandoned: it is unblocked now
        }
      }
    }, "marker-reader-open");
    opener.setDaemon(true); // never keeps the agent's JVM alive
    opener.start();
    try {
      try {
        return result.get(OPEN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        BLOCKED_OPENERS.incrementAndGet();
        if (state.compareAndSet(0, 2)) {
          throw new OpenTimedOut();
        }
        BLOCKED_OPENERS.decrementAndGet(); // it finished just now
        return result.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MarkerProblems(file.toString(), List.of(file + ": interrupted while reading"));
    }
  }

  /** One read; empty when the file was replaced while it was read. */
  private Optional<Optional<byte[]>> readOnce(Path file) {
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(Optional.empty());
      }
      // the key is taken before the checks: a file swapped in after them is detected below
      PosixFileAttributes before = attributes(file);
      if (before == null) {
        return Optional.of(Optional.empty());
      }
      Object keyBefore = before.fileKey();
      List<String> problems;
      try {
        problems = fileProblems(file);
      } catch (ReplacedWhileChecked e) {
        return Optional.empty();
      }
      if (!problems.isEmpty()) {
        if (!Objects.equals(keyBefore, fileKey(file))) {
          return Optional.empty(); // replaced during the checks: check the new file
        }
        throw new MarkerProblems(file.toString(), problems);
      }
      afterChecks.run();
      byte[] bytes;
      try {
        bytes = readWithin(file);
      } catch (OpenTimedOut e) {
        PosixFileAttributes now = attributes(file);
        String what = now != null && !now.isRegularFile() && !now.isSymbolicLink()
            ? "is not a regular file (a FIFO or device replaced the checked file before it was opened)"
            : "was replaced after its checks by something that blocks when opened (a FIFO or device)";
        throw new MarkerProblems(file.toString(), List.of(file + ": " + what + "; the read gave up after "
            + OPEN_BOUND.toSeconds() + " s and the file is refused"));
      }
      if (!Objects.equals(keyBefore, fileKey(file))) {
        return Optional.empty();
      }
      if (bytes.length > Markers.MAX_FILE_BYTES) {
        throw new MarkerProblems(file.toString(), List.of(file + ": grew beyond " + Markers.MAX_FILE_BYTES + " bytes"));
      }
      if (bytes.length != before.size()) {
        // the same name and inode, other bytes: not what was checked (changed in place, or the
        // path named something else meanwhile); read again
        return Optional.empty();
      }
      return Optional.of(Optional.of(bytes));
    } catch (NoSuchFileException e) {
      return Optional.of(Optional.empty());
    } catch (IOException e) {
      throw new MarkerProblems(file.toString(), List.of(file + ": cannot read: " + e.getMessage()));
    }
  }

  public Optional<UpdateRequest> readRequest(Path file) {
    return readBytes(file).map(b -> MarkerJson.parseRequest(b, file.toString()));
  }

  public Optional<HostStatus> readHostStatus(Path file) {
    return readBytes(file).map(b -> MarkerJson.parseHostStatus(b, file.toString()));
  }

  public Optional<UpdateHistory> readHistory(Path file) {
    return readBytes(file).map(b -> MarkerJson.parseHistory(b, file.toString()));
  }
}
