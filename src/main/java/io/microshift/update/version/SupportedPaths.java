package io.microshift.update.version;

import java.util.ArrayList;
import java.util.List;

/**
 * The update paths the product documentation supports, on top of what the binary accepts:
 * <ul>
 *   <li>Updates are supported from the General Availability version 4.14 on; 4.13 was a
 *       Technology Preview with no supported update (openshift-docs,
 *       snippets/microshift-rhde-compatibility-table-snip.adoc, "Supported MicroShift Version ->
 *       Version Updates": 4.13 None).
 *   <li>Skipping a minor is supported only from EUS to EUS, 4.14 -> 4.16 or 4.16 -> 4.18:
 *       "Non-EUS versions of MicroShift require serial updates", e.g. 4.15.5 -> 4.17.1 must go
 *       through 4.16.z (openshift-docs modules/microshift-updates-troubleshooting.adoc, included by
 *       microshift_troubleshooting/microshift-troubleshoot-updates.adoc).
 *   <li>EUS releases are the even minors ("extended update support (EUS) on all even releases",
 *       openshift-docs update-welcome); for MicroShift from 4.14 on. The same even rule is assumed
 *       for major 5, which no documentation covers yet.
 * </ul>
 */
final class SupportedPaths {
  private SupportedPaths() {}

  static final MinorStream FIRST_GA = new MinorStream(4, 14);

  static boolean isEus(MinorStream m) {
    return m.compareTo(FIRST_GA) >= 0 && m.minor() % 2 == 0;
  }

  static boolean isTechnologyPreview(MinorStream m) {
    return m.compareTo(FIRST_GA) < 0;
  }

  /** Whether a step of {@code distance} minors from {@code from} to {@code to} is supported. */
  static boolean supportedStep(MinorStream from, MinorStream to, int distance) {
    return distance <= 1 || distance == 2 && isEus(from) && isEus(to);
  }

  /**
   * The minor streams to pass through, ending with {@code to}: each step supported and accepted by
   * its target binary (EUS to the next EUS when both ends are EUS, else one minor at a time).
   */
  static List<MinorStream> path(MinorStream from, MinorStream to) {
    int start = TargetBinaryCheck.linear(from).orElseThrow();
    int end = TargetBinaryCheck.linear(to).orElseThrow();
    List<MinorStream> steps = new ArrayList<>();
    int cur = start;
    while (cur < end) {
      MinorStream here = TargetBinaryCheck.atLinear(cur);
      MinorStream skip = TargetBinaryCheck.atLinear(cur + 2);
      boolean canSkip = cur + 2 <= end && isEus(here) && isEus(skip) && TargetBinaryCheck.maxSkew(skip) >= 2;
      cur += canSkip ? 2 : 1;
      steps.add(TargetBinaryCheck.atLinear(cur));
    }
    return steps;
  }

  /** "update to the latest 4.16.z first, then to 4.17.0" for the path from {@code from} to {@code to}. */
  static String advice(MicroShiftVersion from, MicroShiftVersion to) {
    List<MinorStream> steps = path(MinorStream.of(from), MinorStream.of(to));
    List<String> via = steps.subList(0, steps.size() - 1).stream().map(s -> s + ".z").toList();
    if (via.isEmpty()) {
      return "update to " + to + " directly";
    }
    return "update to the latest " + String.join(", then the latest ", via) + " first, then to " + to;
  }
}
