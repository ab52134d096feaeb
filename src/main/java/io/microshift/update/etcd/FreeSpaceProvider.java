package io.microshift.update.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Usable bytes for new files under a directory; tests inject a fake one. */
@FunctionalInterface
public interface FreeSpaceProvider {

  long usableBytes(Path dir) throws IOException;

  /**
   * The real one: the usable space of the file store holding {@code dir}, or of its nearest
   * existing parent when {@code dir} does not exist yet.
   */
  static FreeSpaceProvider fileStore() {
    return dir -> {
      Path p = dir.toAbsolutePath();
      while (p != null && !Files.exists(p)) {
        p = p.getParent();
      }
      if (p == null) {
        throw new IOException("no existing parent of " + dir);
      }
      return Files.getFileStore(p).getUsableSpace();
    };
  }
}
