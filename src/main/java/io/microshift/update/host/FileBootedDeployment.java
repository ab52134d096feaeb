package io.microshift.update.host;

import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The booted deployment as written by a simulated boot (tests, or a host without rpm-ostree). */
public final class FileBootedDeployment implements BootedDeployment {
  private final Path file;

  public FileBootedDeployment(Path file) {
    this.file = file;
  }

  @Override
  public Optional<String> bootedChecksum() {
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      String s = Files.readString(file).strip();
      return Markers.CHECKSUM.matcher(s).matches() ? Optional.of(s) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
