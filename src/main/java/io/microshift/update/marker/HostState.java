package io.microshift.update.marker;

import java.util.EnumSet;
import java.util.Set;

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

  /** A state that answers a Prepare: the update has not started on the host. */
  public boolean answersPrepare() {
    return ANSWERS_PREPARE.contains(this);
  }

  /** The Apply has started and the agent has not yet copied the data dir. */
  public boolean isBeforeDataCopy() {
    return BEFORE_DATA_COPY.contains(this);
  }

  /** The Apply has started and the target has not booted (nor MicroShift restarted into it) yet. */
  public boolean isBeforeTargetBoot() {
    return BEFORE_TARGET_BOOT.contains(this);
  }

  /** The target runs (after a reboot or an rpm restart) and greenboot has not committed it yet. */
  public boolean isVerifying() {
    return VERIFYING.contains(this);
  }

  /** {@code apply} has nothing more to do for the same request: the boot, greenboot or an outcome has it. */
  public boolean isHandedOver() {
    return HANDED_OVER.contains(this);
  }

  /** An Apply between its start and its boot, or a rollback before its restore: a manual restore must wait. */
  public boolean isApplyInFlight() {
    return BEFORE_TARGET_BOOT.contains(this) || this == RolledBack;
  }

  private static final Set<HostState> ANSWERS_PREPARE = EnumSet.of(Preparing, Prepared, Checked);
  private static final Set<HostState> BEFORE_DATA_COPY = EnumSet.of(Staging, Staged);
  private static final Set<HostState> BEFORE_TARGET_BOOT = EnumSet.of(Staging, Staged, Rebooting, Restarting);
  private static final Set<HostState> VERIFYING = EnumSet.of(Booted, Healthy, Unhealthy);
  private static final Set<HostState> HANDED_OVER = EnumSet.of(Booted, Healthy, Committed, Unhealthy, RolledBack,
      Restored, Failed);
}
