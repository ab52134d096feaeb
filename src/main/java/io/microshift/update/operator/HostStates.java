package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import io.microshift.update.marker.HostState;
import java.time.Duration;
import java.util.Optional;

/** Which plan phase a host-status.json state belongs to (docs/marker.md, the marker protocol). */
public final class HostStates {
  /**
   * How often a step that waits on the host agent looks at host-status.json again when nothing
   * woke it: a safety net only. {@link PlanWakeups} reconciles at once when host-status.json
   * changes (a file watch) or a pod changes; a watch can miss an event, this poll covers it.
   */
  public static final Duration POLL = Duration.ofSeconds(15);

  private HostStates() {}

  /** Staying in {@code phase} because the host agent has written nothing about this plan yet. */
  public static StepOutcome waitingForHost(Phase phase) {
    return StepOutcome.stay(phase, Reason.WaitingForHost, "waiting for host-status.json", POLL);
  }

  /** The phase a plan is in while the host reports {@code hostState}; empty for no state. */
  public static Optional<Phase> phaseFor(HostState hostState) {
    if (hostState == null) {
      return Optional.empty();
    }
    return Optional.of(switch (hostState) {
      case Preparing, Prepared, Checked -> Phase.Preparing;
      case Staging, Staged, Rebooting, Restarting -> Phase.Applying;
      case Booted, Healthy, Unhealthy, Committed -> Phase.Verifying;
      case RolledBack, Restored -> Phase.RollingBack;
      case Failed -> Phase.Failed;
    });
  }
}
