package io.microshift.update.marker;

/** The host agent's states in host-status.json. */
public enum HostState {
  Staging, Staged, Rebooting, Restarting, Booted, Healthy, Committed, Unhealthy, RolledBack, Restored, Failed;

  /** No further transition happens for the same request. */
  public boolean isTerminal() {
    return this == Committed || this == Restored || this == Failed;
  }
}
