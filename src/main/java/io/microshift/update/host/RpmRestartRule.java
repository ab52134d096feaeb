package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.version.MicroShiftVersion;
import java.util.Optional;

/**
 * rpm hosts: after the install, reboot or only restart MicroShift (docs/host.md, "Reboot or
 * restart"). openshift-docs (microshift_updating, the rpm z-stream module) updates a z-stream
 * with {@code dnf update} and {@code systemctl restart microshift}, no reboot; a y-stream
 * reboots. The rule: restart only when the plan allows it ({@code reboot: IfNeeded}, the
 * default), the jump is a z-stream (same major.minor), and dnf's {@code needs-restarting -r}
 * reports no core package changed since the boot. Anything else reboots.
 */
final class RpmRestartRule {
  private RpmRestartRule() {}

  /** Why the host must reboot, or empty when restarting MicroShift is enough. */
  static Optional<String> rebootReason(UpdateRequest req, String fromVersion, Packages dnf) {
    Optional<String> planned = plannedRebootReason(req, fromVersion);
    if (planned.isPresent()) {
      return planned;
    }
    if (dnf.rebootNeeded()) {
      return Optional.of("dnf needs-restarting -r: core packages changed since the boot");
    }
    return Optional.empty();
  }

  /** Why the host will reboot whatever the install changes (the plan, a y-stream); known before the install. */
  static Optional<String> plannedRebootReason(UpdateRequest req, String fromVersion) {
    if (req.target().rebootOrDefault() == UpdateRequest.Reboot.Always) {
      return Optional.of("the plan asks for a reboot (spec.target.reboot: Always)");
    }
    Optional<MicroShiftVersion> from = MicroShiftVersion.leading(fromVersion);
    Optional<MicroShiftVersion> to = MicroShiftVersion.leading(req.target().version());
    if (from.isEmpty() || to.isEmpty() || from.get().major() != to.get().major()
        || from.get().minor() != to.get().minor()) {
      return Optional.of(fromVersion + " -> " + req.target().version() + " is not a z-stream update");
    }
    return Optional.empty();
  }
}
