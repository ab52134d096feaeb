package io.microshift.update.host;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Free space for the data copy: our copy in the backup set and, on ostree hosts, MicroShift's
 * own pre-run copy into /var/lib/microshift-backups on the next boot; both counted, plus 10%.
 */
final class SpaceCheck {
  static final double MARGIN = 1.1;
  private static final long MIB = 1024 * 1024;

  private SpaceCheck() {}

  /** Why the copy does not fit, or empty when it does. */
  static Optional<String> refusal(HostContext ctx, long dataBytes, boolean microshiftCopiesToo) {
    Path ours = ctx.backups().backupsDir();
    Path theirs = ctx.paths().microshiftBackups();
    long oursNeed = (long) Math.ceil(dataBytes * MARGIN);
    long theirsNeed = microshiftCopiesToo ? oursNeed : 0;
    long oursFree = ctx.disk().usableBytes(ours);
    if (theirsNeed > 0 && !sameFileSystem(ours, theirs)) {
      long theirsFree = ctx.disk().usableBytes(theirs);
      if (theirsFree < theirsNeed) {
        return Optional.of(String.format(java.util.Locale.ROOT, "not enough free space for MicroShift's own pre-run backup: "
            + "need %.1f MiB, have %.1f MiB on the file system of %s", mib(theirsNeed), mib(theirsFree),
            ctx.paths().hostPath(theirs)));
      }
      theirsNeed = 0;
    }
    long need = oursNeed + theirsNeed;
    if (oursFree < need) {
      return Optional.of(String.format(java.util.Locale.ROOT, "not enough free space for the backup: need %.1f MiB "
          + "(data dir %.1f MiB%s, +10%%), have %.1f MiB on the file system of %s", mib(need),
          mib(dataBytes), theirsNeed > 0 ? " x2: our copy and MicroShift's own pre-run backup" : "",
          mib(oursFree), ctx.paths().hostPath(ours)));
    }
    return Optional.empty();
  }

  private static double mib(long bytes) {
    return bytes / (double) MIB;
  }

  private static boolean sameFileSystem(Path a, Path b) {
    try {
      return store(a).equals(store(b));
    } catch (IOException e) {
      return true;
    }
  }

  private static FileStore store(Path p) throws IOException {
    Path existing = p.toAbsolutePath();
    while (!Files.exists(existing)) {
      existing = existing.getParent();
    }
    return Files.getFileStore(existing);
  }
}
