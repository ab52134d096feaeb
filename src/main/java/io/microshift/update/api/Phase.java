package io.microshift.update.api;

/** The phases of a plan (docs/architecture.md, "The state machine"; docs/reference/updateplan.md). */
public enum Phase {
  Pending,
  Preflight,
  /** The host checks, downloads and stages the update (a Prepare request) while the workloads run. */
  Preparing,
  BackingUp,
  Pausing,
  AwaitingReboot,
  Applying,
  Verifying,
  Succeeded,
  RollingBack,
  RolledBack,
  Failed;

  /** No further step runs. */
  public boolean isTerminal() {
    return this == Succeeded || this == RolledBack || this == Failed;
  }

  /** The plan holds the device: no other plan may start. */
  public boolean isActive() {
    return this != Pending && !isTerminal();
  }

  /** request.json may have been acted on by the host: the plan can no longer be withdrawn. */
  public boolean isHandedOff() {
    return this == Applying || this == Verifying || this == RollingBack;
  }
}
