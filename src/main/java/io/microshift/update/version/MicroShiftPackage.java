package io.microshift.update.version;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The microshift package in the package set of an rpm update, as dnf reads a package spec. dnf
 * (hawkey's subject forms) splits {@code NAME-[EPOCH:]VERSION[-RELEASE[.ARCH]]} at the dashes, and
 * an rpm Version has none, so {@code microshift-4.18.0-rc.2} is version 4.18.0 release rc.2: the
 * pre-release's rpm is {@code microshift-4.18.0~rc.2} ({@link MicroShiftVersion#fromRpmVersion}).
 */
public final class MicroShiftPackage {
  private MicroShiftPackage() {}

  public static final String NAME = "microshift";
  private static final Pattern EPOCH = Pattern.compile("^[0-9]{1,9}:");

  /** Whether {@code spec} names the microshift package at the release {@code target}. */
  public static boolean names(String spec, MicroShiftVersion target) {
    if (spec == null || !spec.startsWith(NAME + "-")) {
      return false;
    }
    String evr = EPOCH.matcher(spec.substring(NAME.length() + 1)).replaceFirst("");
    int release = evr.indexOf('-');
    String version = release < 0 ? evr : evr.substring(0, release);
    return MicroShiftVersion.fromRpmVersion(version).map(target::equals).orElse(false);
  }

  /** Whether one of {@code specs} names the microshift package at {@code target}. */
  public static boolean anyNames(Collection<String> specs, MicroShiftVersion target) {
    return specs.stream().anyMatch(s -> names(s, target));
  }

  /** What to write instead, when no spec names microshift at {@code target}. */
  public static String missing(MicroShiftVersion target) {
    String spec = NAME + "-" + target.rpmVersion();
    if (target.suffix().isEmpty()) {
      return "must include " + spec;
    }
    String misread = target.suffix().contains("-") ? "" : " (dnf would read " + NAME + "-" + target
        + " as version " + target.major() + "." + target.minor() + "." + target.patch() + ", release "
        + target.suffix() + ")";
    return "must include " + spec + ": the rpm of MicroShift " + target + " is versioned " + target.rpmVersion()
        + ", as rpm allows no '-' in a version" + misread
        + "; a build of packaging/rpm/make-rpm.sh is versioned with '_' for every '-' instead";
  }
}
