package io.microshift.update.marker;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MicroShift's allowed version jumps (see DESIGN.md, "MicroShift facts"). */
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
   * Why {@code from} → {@code to} is refused, or empty when it is an update MicroShift allows:
   * same major; never a lower minor; at most +1 minor up to 4.15 and +2 from 4.16 on. A lower
   * version is refused unless {@code allowDowngrade}.
   */
  public static Optional<String> refusal(String from, String to, boolean allowDowngrade) {
    Optional<Xyz> f = parse(from);
    Optional<Xyz> t = parse(to);
    if (f.isEmpty() || t.isEmpty()) {
      return Optional.of("cannot compare versions '" + from + "' and '" + to + "'");
    }
    Xyz a = f.get();
    Xyz b = t.get();
    if (a.major() != b.major()) {
      return Optional.of("a change of major version (" + a + " -> " + b + ") is not supported");
    }
    int cmp = b.compareTo(a);
    if (cmp == 0) {
      return Optional.of("target " + b + " is the installed version " + a);
    }
    if (cmp < 0) {
      return allowDowngrade ? Optional.empty()
          : Optional.of("target " + b + " is older than " + a + " and allowDowngrade is false");
    }
    int maxMinorStep = a.minor() >= 16 ? 2 : 1;
    if (b.minor() - a.minor() > maxMinorStep) {
      return Optional.of("MicroShift allows at most +" + maxMinorStep + " minor from " + a
          + ", target is " + b);
    }
    return Optional.empty();
  }
}
