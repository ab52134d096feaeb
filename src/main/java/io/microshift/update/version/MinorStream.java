package io.microshift.update.version;

/** A MicroShift minor stream X.Y, such as 4.16. */
public record MinorStream(int major, int minor) implements Comparable<MinorStream> {

  public static MinorStream of(MicroShiftVersion v) {
    return new MinorStream(v.major(), v.minor());
  }

  @Override
  public int compareTo(MinorStream o) {
    int c = Integer.compare(major, o.major);
    return c != 0 ? c : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
