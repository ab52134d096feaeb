package io.microshift.update.api;

/** rpm updates: whether the host reboots after installing the packages (docs/host.md). */
public enum RebootPolicy {
  /** Always reboot after the install. */
  Always,
  /**
   * Restart MicroShift instead of rebooting when the jump is a z-stream and dnf's
   * {@code needs-restarting -r} reports that no core package (kernel, glibc, systemd, ...)
   * changed since the boot; reboot otherwise. The default.
   */
  IfNeeded
}
