package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import java.util.Optional;

/** The installed rpm packages and dnf's transactions on an rpm host (adapter: {@link Dnf}). */
public interface Packages {
  /** The VERSION of the installed package {@code name}, empty when it is not installed. */
  Optional<String> installedVersion(String name);

  /** Resolves the target's package set and downloads it into dnf's cache; installs nothing. */
  void resolveAndDownload(UpdateRequest.Target target);

  /** Installs the target's package set. */
  void install(UpdateRequest.Target target);

  /** Whether a core package (kernel, glibc, systemd, ...) changed since the boot, so that only a reboot applies it. */
  boolean rebootNeeded();
}
