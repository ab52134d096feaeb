package io.microshift.update.marker;

/**
 * The host agent's states in host-status.json. {@code Preparing} and {@code Prepared} answer a
 * Prepare request (checks, download, staging locked against finalization); {@code Checked}
 * answers a dry-run Prepare (terminal: nothing staged); the others an Apply.
 */
public enum HostState {
  Preparing, Prepared, Checked, Staging, Staged, Rebooting, Restarting, Booted, Healthy, Committed, Unhealthy, RolledBack, Restored, Failed;

  /** No further transition happens for the same request. */
  public boolean isTerminal() {
    return this == Checked || this == Committed || this == Restored || this == Failed;
  }
}
