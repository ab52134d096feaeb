package io.microshift.update.version;

import io.microshift.update.api.Patterns;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MicroShift release: X.Y.Z with an optional pre-release suffix (4.18.0-rc.2 sorts before
 * 4.18.0). MicroShift spells one release three ways, and all three parse to the same value:
 * <ul>
 *   <li>the OpenShift release name, {@code 4.18.0-rc.2} (the mirror's directories, the release
 *       notes), which {@link #toString} gives;
 *   <li>what an official build reports (kube-public/microshift-version {@code version},
 *       {@code microshift version}): its rpm Version, {@code 4.18.0~rc.2}, since the spec builds
 *       the binary with {@code MICROSHIFT_VERSION=%{version}} (openshift/microshift
 *       packaging/rpm/microshift.spec {@code %build}; observability/prometheus/README.md shows
 *       {@code gitVersion="4.16.0~rc.5"}), and a developer build's {@code OCP_VERSION-TIMESTAMP-COMMIT},
 *       {@code 5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12} (Makefile
 *       {@code MICROSHIFT_VERSION});
 *   <li>the rpm's Version, {@link #fromRpmVersion}.
 * </ul>
 */
public record MicroShiftVersion(int major, int minor, int patch, String suffix)
    implements Comparable<MicroShiftVersion> {

  private static final Pattern FORMAT = Pattern.compile(Patterns.VERSION);
  private static final Pattern NUMERIC = Pattern.compile("[0-9]+");

  public MicroShiftVersion {
    suffix = suffix == null ? "" : suffix;
  }

  /** Parses a version; throws IllegalArgumentException with the expected format otherwise. */
  public static MicroShiftVersion parse(String text) {
    Matcher m = FORMAT.matcher(Objects.requireNonNullElse(text, "").trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a MicroShift version (expected X.Y.Z such as 4.17.3, or 4.18.0-rc.2)");
    }
    String suffix = m.group(4) == null ? "" : m.group(4).substring(1);
    return new MicroShiftVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), suffix);
  }

  /** {@link #parse}, or empty when {@code text} is not a MicroShift version. */
  public static Optional<MicroShiftVersion> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The release an rpm's {@code %{VERSION}} stands for, or empty when it is none. rpm forbids
   * '-' in a Version, so MicroShift's builds replace it: an official (ART) build separates a
   * pre-release with '~', which sorts it before the release (microshift-4.13.0~ec.4-202303070857.p0
   * .gcf0bce2.assembly.ec.4.el9: scripts/release-notes/gen_gh_releases_from_mirror.py), and
   * packaging/rpm/make-rpm.sh turns every '-' into '_' ({@code MICROSHIFT_VERSION//-/_}).
   */
  public static Optional<MicroShiftVersion> fromRpmVersion(String rpmVersion) {
    return rpmVersion == null ? Optional.empty() : tryParse(rpmVersion.replace('_', '-'));
  }

  /** Whether {@code text} names this release in any of its spellings ({@link #parse}). */
  public boolean isNamedBy(String text) {
    return tryParse(text).map(this::equals).orElse(false);
  }

  /**
   * The rpm Version an official build of this release carries: X.Y.Z, or X.Y.Z~SUFFIX for a
   * pre-release (4.18.0~rc.2), as {@code dnf install microshift-4.18.0~rc.2} names it.
   */
  public String rpmVersion() {
    return major + "." + minor + "." + patch + (suffix.isEmpty() ? "" : "~" + suffix.replace('-', '_'));
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

  /**
   * Release order: X.Y.Z, then a release after its pre-releases, and pre-releases by semver's
   * precedence (semver.org, rule 11: identifiers split at '.' and '-' compared in turn, numeric
   * ones as numbers and below alphanumeric ones, a shorter list first), so ec.4 &lt; rc.2 &lt; rc.10.
   */
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
      c = suffix.isEmpty() ? 1 : o.suffix.isEmpty() ? -1 : comparePreRelease(suffix, o.suffix);
    }
    return c;
  }

  private static int comparePreRelease(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean xn = NUMERIC.matcher(x[i]).matches();
      boolean yn = NUMERIC.matcher(y[i]).matches();
      int c = xn && yn ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]))
          : xn ? -1 : yn ? 1 : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return x.length != y.length ? Integer.compare(x.length, y.length) : a.compareTo(b);
  }

  /** The OpenShift release name: 4.17.3, 4.18.0-rc.2. */
  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (suffix.isEmpty() ? "" : "-" + suffix);
  }
}
