package io.microshift.update.host;

import java.nio.file.Path;

/**
 * Every host path the agent uses, under a root dir ({@code /} on a host, a temp dir in tests).
 * Paths stored in marker files are host paths ({@code /var/lib/...}); {@link #host} maps them.
 */
public final class HostPaths {
  private final Path root;

  public HostPaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** Maps an absolute host path to its place under the root. */
  public Path host(String absolute) {
    if (!absolute.startsWith("/") || absolute.contains("/../") || absolute.endsWith("/..")) {
      throw new IllegalArgumentException("not a clean absolute host path: " + absolute);
    }
    return root.resolve(absolute.substring(1));
  }

  /** The inverse of {@link #host}. */
  public String hostPath(Path p) {
    return "/" + root.relativize(p.toAbsolutePath().normalize());
  }

  public Path stateDir() { return host("/var/lib/microshift-update"); }
  /**
   * Exists while an update is in flight (host-status.json holds a state that is not terminal);
   * the boot unit and the greenboot scripts test it in shell and start no JVM without it.
   */
  public Path inFlightFlag() { return host("/var/lib/microshift-update/in-flight"); }
  /**
   * ostree and image: exists from green.d's {@code Committed} until the boot unit of the next
   * boot has seen which deployment booted. Until grub records the boot as good, a power cut can
   * still make grub fall back to the previous deployment (docs/host.md, "After the commit").
   */
  public Path commitUnconfirmedFlag() { return host("/var/lib/microshift-update/commit-unconfirmed"); }
  public Path microshiftData() { return host("/var/lib/microshift"); }
  public Path microshiftVersionFile() { return host("/var/lib/microshift/version"); }
  public Path restoreTemp() { return host("/var/lib/microshift.restore-tmp"); }
  /** MicroShift's own backups (ostree hosts). */
  public Path microshiftBackups() { return host("/var/lib/microshift-backups"); }
  /** MicroShift's marker that makes its next start restore its own backup. */
  public Path microshiftRestoreMarker() { return host("/var/lib/microshift-backups/restore"); }
  public Path bootIdFile() { return host("/proc/sys/kernel/random/boot_id"); }
  public Path ostreeBootedFlag() { return host("/run/ostree-booted"); }
  public Path procCmdline() { return host("/proc/cmdline"); }
  /** The host's OS release (ID, VERSION_ID). */
  public Path osRelease() { return host("/etc/os-release"); }
}
