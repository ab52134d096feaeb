package io.microshift.update.marker;

import io.microshift.update.preflight.MicroShiftVersion;
import io.microshift.update.preflight.VersionPolicy;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MicroShift's allowed version jumps (docs/reference/updateplan.md, "Version paths"; the rules are {@link VersionPolicy}'s). */
public final class Versions {
  private Versions() {}

  private static final Pattern XYZ = Pattern.compile("^([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4})");

  public record Xyz(int major, int minor, int patch) implements Comparable<Xyz> {
    @Override
    public int compareTo(Xyz o) {
      int c = Integer.compare(major, o.major);
      c = c != 0 ? c : Integer.compare(minor, o.minor);
      return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
      return major + "." + minor + "." + patch;
    }
  }

  public static Optional<Xyz> parse(String v) {
    if (v == null) {
      return Optional.empty();
    }
    Matcher m = XYZ.matcher(v);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(new Xyz(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3))));
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
