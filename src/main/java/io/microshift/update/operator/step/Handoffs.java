package io.microshift.update.operator.step;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.port.HostHandoff;
import java.time.Clock;

/** The hand-off record in status: each new action gets a new sequence, recorded before it is written. */
final class Handoffs {
  private Handoffs() {}

  /**
   * Starts a new hand-off for {@code action} in {@code plan}'s status (not saved: the caller saves
   * it before writing request.json, so a restarted operator rewrites the same request).
   */
  static HandoffStatus begin(UpdatePlan plan, HostHandoff host, Clock clock, UpdateRequest.Action action) {
    HandoffStatus handoff = new HandoffStatus();
    handoff.sequence = host.nextSequence();
    handoff.action = action.name();
    handoff.writtenAt = clock.instant().toString();
    plan.getStatus().handoff = handoff;
    return handoff;
  }

  /** The action status.handoff records (status keeps its name; ports take the enum). */
  static UpdateRequest.Action action(HandoffStatus handoff) {
    return UpdateRequest.Action.valueOf(handoff.action);
  }
}
