package io.microshift.update.host;

import io.microshift.update.version.MicroShiftVersion;
import io.microshift.update.version.RhelCompatibility;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host's RHEL minor, from {@code /etc/os-release} ({@code ID=rhel}, {@code VERSION_ID=9.4}),
 * and whether an rpm target runs on it ({@link RhelCompatibility}). A host that is not RHEL, or
 * whose os-release has no X.Y (CentOS Stream says "9"), is not in the compatibility matrix and is
 * not checked.
 */
final class RhelRelease {
  private RhelRelease() {}

  static Optional<String> version(HostPaths paths) {
    Path file = paths.osRelease();
    try {
      if (Files.size(file) > 64 * 1024) {
        return Optional.empty();
      }
      return RhelCompatibility.fromOsRelease(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Why an rpm update to {@code target} does not fit this host's RHEL, or empty. */
  static Optional<String> refusal(HostPaths paths, String target) {
    MicroShiftVersion to;
    try {
      to = MicroShiftVersion.parse(target);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // the version check reports it
    }
    return version(paths).flatMap(rhel -> RhelCompatibility.refusal(rhel, to));
  }
}
