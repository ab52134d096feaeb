package io.microshift.update.version;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which RHEL minor each MicroShift minor runs on, for rpm hosts (an ostree or image-mode target
 * brings its own RHEL). Data from the Red Hat Device Edge release compatibility matrix
 * (openshift-docs snippets/microshift-rhde-compatibility-table-snip.adoc, the revisions for 4.14
 * to 4.21) and openshift/enhancements enhancements/microshift/y-minus-2-upgrades.md ("MicroShift
 * 4.14 or 4.15 are not supported on RHEL 9.4", "MicroShift 4.16 is not supported on RHEL 9.2 or
 * 9.3"). RHEL 10.0 with 4.21 is a Technology Preview there. A minor missing here is not checked.
 */
public final class RhelCompatibility {
  private RhelCompatibility() {}

  static final Map<String, List<String>> RHEL_FOR_MICROSHIFT = table(
      "4.14", "9.2 9.3",
      "4.15", "9.2 9.3",
      "4.16", "9.4",
      "4.17", "9.4",
      "4.18", "9.4",
      "4.19", "9.6",
      "4.20", "9.6",
      "4.21", "9.6 10.0");

  private static final Pattern RHEL_MINOR = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern OS_IMAGE = Pattern.compile("^Red Hat Enterprise Linux ([0-9]{1,3}\\.[0-9]{1,3})\\b");

  /**
   * Why MicroShift {@code target} cannot run on RHEL {@code rhel} (X.Y), with the RHEL to move to
   * or the targets that fit, or empty when it fits or the table does not know the target's minor.
   */
  public static Optional<String> refusal(String rhel, MicroShiftVersion target) {
    String minor = MinorStream.of(target).toString();
    List<String> runsOn = RHEL_FOR_MICROSHIFT.get(minor);
    if (runsOn == null || runsOn.contains(rhel)) {
      return Optional.empty();
    }
    String why = "MicroShift " + minor + " runs on RHEL " + String.join(" or ", runsOn) + " and this rpm host runs"
        + " RHEL " + rhel + " (Red Hat Device Edge release compatibility matrix)";
    Optional<String> newer = runsOn.stream().filter(r -> compare(r, rhel) > 0).findFirst();
    if (newer.isPresent()) {
      return Optional.of(why + ": move the host to RHEL " + newer.get() + " first (subscription-manager release"
          + " --set=" + newer.get() + ", then dnf update), then apply the plan again");
    }
    List<String> fits = new ArrayList<>();
    RHEL_FOR_MICROSHIFT.forEach((m, rs) -> {
      if (rs.contains(rhel)) {
        fits.add(m);
      }
    });
    return Optional.of(why + ": pick a target that runs on RHEL " + rhel
        + (fits.isEmpty() ? " (none is known here)" : " (" + String.join(", ", fits) + ")"));
  }

  /** RHEL X.Y from /etc/os-release, or empty when it is not RHEL or has no minor (e.g. CentOS Stream "9"). */
  public static Optional<String> fromOsRelease(String osRelease) {
    String id = null;
    String versionId = null;
    for (String line : osRelease.split("\n", -1)) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).trim();
      String value = line.substring(eq + 1).trim().replaceAll("^[\"']|[\"']$", "");
      if (key.equals("ID")) {
        id = value;
      } else if (key.equals("VERSION_ID")) {
        versionId = value;
      }
    }
    return "rhel".equals(id) && versionId != null && RHEL_MINOR.matcher(versionId).matches()
        ? Optional.of(versionId) : Optional.empty();
  }

  /** RHEL X.Y from a Node's status.nodeInfo.osImage, e.g. "Red Hat Enterprise Linux 9.4 (Plow)". */
  public static Optional<String> fromOsImage(String osImage) {
    if (osImage == null) {
      return Optional.empty();
    }
    Matcher m = OS_IMAGE.matcher(osImage);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static int compare(String x, String y) {
    Matcher a = RHEL_MINOR.matcher(x);
    Matcher b = RHEL_MINOR.matcher(y);
    if (!a.matches() || !b.matches()) {
      return x.compareTo(y);
    }
    int c = Integer.compare(Integer.parseInt(a.group(1)), Integer.parseInt(b.group(1)));
    return c != 0 ? c : Integer.compare(Integer.parseInt(a.group(2)), Integer.parseInt(b.group(2)));
  }

  private static Map<String, List<String>> table(String... minorAndRhel) {
    Map<String, List<String>> t = new LinkedHashMap<>();
    for (int i = 0; i < minorAndRhel.length; i += 2) {
      t.put(minorAndRhel[i], List.of(minorAndRhel[i + 1].split(" ")));
    }
    return java.util.Collections.unmodifiableMap(t);
  }
}
