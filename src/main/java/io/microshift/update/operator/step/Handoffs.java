package io.microshift.update.operator.step;

import io.microshift.update.api.HandoffStatus;
import io.microshift.update.marker.UpdateRequest;

/** The hand-off record in status (its new ones: {@code operator.HandoffCheckpoint}). */
final class Handoffs {
  private Handoffs() {}

  /** The action status.handoff records (status keeps its name; ports take the enum). */
  static UpdateRequest.Action action(HandoffStatus handoff) {
    return UpdateRequest.Action.valueOf(handoff.action);
  }
}
