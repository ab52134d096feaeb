package io.microshift.update.version;

import io.microshift.update.api.Patterns;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A MicroShift version X.Y.Z with an optional pre-release suffix (4.18.0-rc.2 < 4.18.0). */
public record MicroShiftVersion(int major, int minor, int patch, String suffix)
    implements Comparable<MicroShiftVersion> {

  private static final Pattern FORMAT = Pattern.compile(Patterns.VERSION);

  public MicroShiftVersion {
    suffix = suffix == null ? "" : suffix;
  }

  /** Parses a version; throws IllegalArgumentException with the expected format otherwise. */
  public static MicroShiftVersion parse(String text) {
    Matcher m = FORMAT.matcher(Objects.requireNonNullElse(text, "").trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a MicroShift version (expected X.Y.Z such as 4.17.3)");
    }
    String suffix = m.group(4) == null ? "" : m.group(4).substring(1);
    return new MicroShiftVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), suffix);
  }

  private static final Pattern LEADING = Pattern.compile("^([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4})");

  /**
   * The X.Y.Z at the start of {@code text}, without a suffix (an rpm's version-release such as
   * 4.17.3-202501011200.p0.el9, a host's version file); empty when it does not start with one.
   */
  public static Optional<MicroShiftVersion> leading(String text) {
    Matcher m = text == null ? null : LEADING.matcher(text);
    if (m == null || !m.find()) {
      return Optional.empty();
    }
    return Optional.of(new MicroShiftVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)), ""));
  }

  public String minorStream() {
    return major + "." + minor;
  }

  @Override
  public int compareTo(MicroShiftVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Integer.compare(patch, o.patch);
    }
    if (c == 0 && !suffix.equals(o.suffix)) {
      // a release sorts after its pre-releases
      c = suffix.isEmpty() ? 1 : o.suffix.isEmpty() ? -1 : suffix.compareTo(o.suffix);
    }
    return c;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (suffix.isEmpty() ? "" : "-" + suffix);
  }
}
