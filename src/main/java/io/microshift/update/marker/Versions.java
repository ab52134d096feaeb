package io.microshift.update.marker;

import io.microshift.update.version.MicroShiftVersion;
import io.microshift.update.version.VersionPolicy;
import java.util.Optional;

/**
 * MicroShift's allowed version jumps for the host agent (docs/reference/updateplan.md, "Version
 * paths"): the rules and the parser are the operator's, in the version package both sides use.
 */
public final class Versions {
  private Versions() {}

  /**
   * The {@code Major.Minor.Patch} that MicroShift of {@code version} writes in its data version
   * file: its build cuts the version at the first of {@code ._~-} after the patch (openshift/microshift
   * Makefile, {@code PATCH}) and the file holds {@code versionMetadata}, three integers
   * (pkg/admin/prerun/version.go), so a pre-release 4.18.0-rc.2 writes 4.18.0. Empty when
   * {@code version} does not start with X.Y.Z.
   */
  public static Optional<String> dataVersion(String version) {
    return MicroShiftVersion.leading(version).map(MicroShiftVersion::toString);
  }

  /**
   * Why {@code from} → {@code to} is refused, or empty when it is an update MicroShift allows
   * (and the documentation supports, unless the plan opted in with allowUnsupportedPath).
   * The rules are the operator's ({@link VersionPolicy}), so that the host agent never refuses
   * what the operator's preflight accepted, nor accepts what it refused.
   */
  public static Optional<String> refusal(String from, String to, boolean allowDowngrade,
      boolean allowUnsupportedPath) {
    MicroShiftVersion a;
    MicroShiftVersion b;
    try {
      a = MicroShiftVersion.parse(from);
      b = MicroShiftVersion.parse(to);
    } catch (IllegalArgumentException e) {
      return Optional.of("cannot compare versions '" + from + "' and '" + to + "': " + e.getMessage());
    }
    return Optional.ofNullable(VersionPolicy.check(a, b, allowDowngrade, allowUnsupportedPath).refusal());
  }
}
