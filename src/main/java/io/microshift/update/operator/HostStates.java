package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import java.util.Optional;

/** Which plan phase a host-status.json state belongs to (DESIGN.md's marker protocol). */
public final class HostStates {
  private HostStates() {}

  public static Optional<Phase> phaseFor(String hostState) {
    if (hostState == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(switch (hostState) {
      case "Staging", "Staged", "Rebooting" -> Phase.Applying;
      case "Booted", "Healthy", "Unhealthy", "Committed" -> Phase.Verifying;
      case "RolledBack", "Restored" -> Phase.RollingBack;
      case "Failed" -> Phase.Failed;
      default -> null;
    });
  }
}
