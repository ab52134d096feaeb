package io.microshift.update.version;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the TARGET MicroShift binary refuses when it first starts on the data of the running
 * version: a model of openshift/microshift pkg/admin/prerun/version.go,
 * {@code checkVersionCompatibility}, as each release has it. The new binary decides, so every
 * limit is keyed on the target:
 * <ul>
 *   <li>release-4.14, release-4.15: same major, no lower minor, at most 1 minor older;
 *   <li>release-4.16 to release-4.22: same major, no lower minor, at most {@code MAX_VERSION_SKEW}
 *       = 2 minors older;
 *   <li>release-4.23, release-5.0 and main: {@code linearVersion} counts minors across majors with
 *       {@code lastMinorForMajor} (4: 22), so 4.22 -> 5.0 is a distance of 1 and 4.21 -> 5.0 of 2;
 *       the limit stays 2; a version whose earlier major is missing from the map is an error.
 * </ul>
 * Lower versions are the caller's concern ({@link VersionPolicy} refuses them first).
 */
final class TargetBinaryCheck {
  private TargetBinaryCheck() {}

  /** {@code lastMinorForMajor} of pkg/admin/prerun/version.go (main, release-4.23, release-5.0). */
  static final Map<Integer, Integer> LAST_MINOR_FOR_MAJOR = Map.of(4, 22);

  /** The first major after which {@code linearVersion} exists: MicroShift 4.23 and every 5.x. */
  private static boolean countsAcrossMajors(MinorStream target) {
    return target.major() > 4 || target.minor() >= 23;
  }

  /** The skew limit of the target's release: 1 for 4.14 and 4.15, {@code MAX_VERSION_SKEW} = 2 after. */
  static int maxSkew(MinorStream target) {
    return target.major() == 4 && target.minor() <= 15 ? 1 : 2;
  }

  /** {@code linearVersion}: empty when an earlier major's last minor is not in the map. */
  static OptionalInt linear(MinorStream v) {
    int linear = 0;
    for (int major = 4; major < v.major(); major++) {
      Integer last = LAST_MINOR_FOR_MAJOR.get(major);
      if (last == null) {
        return OptionalInt.empty();
      }
      linear += last + 1;
    }
    return OptionalInt.of(linear + v.minor());
  }

  /** The inverse of {@link #linear}: the minor stream at that count. */
  static MinorStream atLinear(int linear) {
    int major = 4;
    while (LAST_MINOR_FOR_MAJOR.containsKey(major) && linear > LAST_MINOR_FOR_MAJOR.get(major)) {
      linear -= LAST_MINOR_FOR_MAJOR.get(major) + 1;
      major++;
    }
    return new MinorStream(major, linear);
  }

  /**
   * How many minors the target binary counts from {@code from} to {@code to} (both newer-or-equal
   * in that order), or empty when it cannot count them (it refuses, see {@link #refusal}).
   */
  static OptionalInt distance(MinorStream from, MinorStream to) {
    if (!countsAcrossMajors(to)) {
      return from.major() == to.major() ? OptionalInt.of(to.minor() - from.minor()) : OptionalInt.empty();
    }
    OptionalInt a = linear(from);
    OptionalInt b = linear(to);
    return a.isPresent() && b.isPresent() ? OptionalInt.of(b.getAsInt() - a.getAsInt()) : OptionalInt.empty();
  }

  /** Why the target binary refuses to start on data of {@code from}, or empty when it starts. */
  static Optional<String> refusal(MicroShiftVersion from, MicroShiftVersion to) {
    MinorStream a = MinorStream.of(from);
    MinorStream b = MinorStream.of(to);
    if (!countsAcrossMajors(b) && a.major() != b.major()) {
      return Optional.of("MicroShift " + to + " refuses data of another major version (" + from
          + "): its release compares minor versions within one major only");
    }
    OptionalInt d = distance(a, b);
    if (d.isEmpty()) {
      return Optional.of("cannot tell how MicroShift " + to + " counts the minor versions from " + from
          + ": its version map (lastMinorForMajor) is known here for major "
          + LAST_MINOR_FOR_MAJOR.keySet() + " only; update the operator before updating to " + b);
    }
    int max = maxSkew(b);
    if (d.getAsInt() > max) {
      return Optional.of("MicroShift " + to + " refuses data more than " + max + " minor version"
          + (max > 1 ? "s" : "") + " older (" + from + " is " + d.getAsInt() + " older)");
    }
    return Optional.empty();
  }
}
