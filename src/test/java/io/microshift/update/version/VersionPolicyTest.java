package io.microshift.update.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.version.VersionPolicy.Jump;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The version table: what the target binary accepts (openshift/microshift
 * pkg/admin/prerun/version.go per release), what the documentation supports (EUS to EUS), and
 * the opt-in. Columns: from, to, verdict without the opt-in, verdict with
 * spec.allowUnsupportedPath, and a part of the refusal message (without the opt-in).
 */
class VersionPolicyTest {

  @ParameterizedTest(name = "{0} -> {1}: {2} / opt-in {3}")
  @CsvSource(delimiter = '|', textBlock = """
      4.17.1      | 4.17.3 | Z_STREAM | Z_STREAM | -
      4.18.0-rc.2 | 4.18.0 | Z_STREAM | Z_STREAM | -
      4.14.9      | 4.15.0 | Y_STREAM | Y_STREAM | -
      4.17.3      | 4.18.0 | Y_STREAM | Y_STREAM | -
      4.14.3      | 4.16.0 | Y_STREAM | Y_STREAM | -
      4.16.2      | 4.18.1 | Y_STREAM | Y_STREAM | -
      4.18.4      | 4.20.0 | Y_STREAM | Y_STREAM | -
      4.15.3      | 4.17.0 | refused  | Y_STREAM | skips a minor and is supported only between EUS releases (4.14, 4.16, 4.18, ...): update to the latest 4.16.z first, then to 4.17.0, or set spec.allowUnsupportedPath: true
      4.17.2      | 4.19.0 | refused  | Y_STREAM | update to the latest 4.18.z first, then to 4.19.0, or set spec.allowUnsupportedPath: true
      4.14.3      | 4.17.0 | refused  | refused  | MicroShift 4.17.0 refuses data more than 2 minor versions older (4.14.3 is 3 older): update to the latest 4.16.z first, then to 4.17.0
      4.16.3      | 4.19.0 | refused  | refused  | (4.16.3 is 3 older): update to the latest 4.18.z first, then to 4.19.0
      4.14.3      | 4.19.0 | refused  | refused  | update to the latest 4.16.z, then the latest 4.18.z first, then to 4.19.0
      4.13.5      | 4.14.0 | refused  | Y_STREAM | starts from the Technology Preview 4.13, from which no update is supported: install 4.14 or later
      4.13.5      | 4.15.0 | refused  | refused  | MicroShift 4.15.0 refuses data more than 1 minor version older
      4.18.0      | 4.17.9 | refused  | refused  | cannot go back a minor
      5.0.1       | 4.22.3 | refused  | refused  | cannot go back a minor
      4.22.3      | 5.0.0  | Y_STREAM | Y_STREAM | -
      4.21.2      | 5.0.0  | refused  | Y_STREAM | update to the latest 4.22.z first, then to 5.0.0
      4.20.2      | 5.0.0  | refused  | refused  | MicroShift 5.0.0 refuses data more than 2 minor versions older (4.20.2 is 3 older): update to the latest 4.22.z first, then to 5.0.0
      4.17.0      | 5.0.0  | refused  | refused  | update to the latest 4.18.z, then the latest 4.20.z, then the latest 4.22.z first, then to 5.0.0
      4.20.2      | 4.22.0 | Y_STREAM | Y_STREAM | -
      5.0.2       | 6.0.0  | refused  | refused  | cannot tell how MicroShift 6.0.0 counts the minor versions
      4.17.3      | 4.17.1 | refused  | refused  | set spec.allowDowngrade: true
      4.18.0      | 4.18.0-rc.1 | refused | refused | older
      4.17.3      | 4.17.3 | refused  | refused  | nothing to update
      """)
  void versionTable(String from, String to, String plain, String optedIn, String advice) {
    VersionPolicy.Verdict without = check(from, to, false, false);
    VersionPolicy.Verdict with = check(from, to, false, true);
    assertVerdict(plain, without);
    assertVerdict(optedIn, with);
    if (!advice.equals("-")) {
      assertTrue(without.refusal().contains(advice), without.refusal());
    }
  }

  private static void assertVerdict(String expected, VersionPolicy.Verdict v) {
    if (expected.equals("refused")) {
      assertFalse(v.allowed(), () -> "expected a refusal, got " + v.path());
      assertNull(v.jump());
    } else {
      assertTrue(v.allowed(), v.refusal());
      assertEquals(Jump.valueOf(expected), v.jump());
    }
  }

  private static VersionPolicy.Verdict check(String from, String to, boolean allowDowngrade, boolean unsupported) {
    return VersionPolicy.check(MicroShiftVersion.parse(from), MicroShiftVersion.parse(to), allowDowngrade, unsupported);
  }

  @Test
  void theTargetBinaryDecidesNotTheRunningOne() {
    // a 4.15 binary accepts 1 minor, a 4.16+ binary 2: the limit comes from the target
    assertTrue(check("4.14.0", "4.16.0", false, false).allowed(), "the 4.16 binary accepts 4.14 data");
    assertFalse(check("4.13.0", "4.15.0", false, true).allowed(), "the 4.15 binary accepts 1 minor only");
    assertEquals(1, TargetBinaryCheck.maxSkew(new MinorStream(4, 15)));
    assertEquals(2, TargetBinaryCheck.maxSkew(new MinorStream(4, 16)));
    assertEquals(2, TargetBinaryCheck.maxSkew(new MinorStream(5, 0)));
  }

  @Test
  void linearVersionCountsFourTwentyTwoToFiveZeroAsOneStep() {
    assertEquals(22, TargetBinaryCheck.linear(new MinorStream(4, 22)).orElseThrow());
    assertEquals(23, TargetBinaryCheck.linear(new MinorStream(5, 0)).orElseThrow());
    assertTrue(TargetBinaryCheck.linear(new MinorStream(6, 0)).isEmpty(), "no last minor known for major 5");
    assertEquals(new MinorStream(5, 1), TargetBinaryCheck.atLinear(24));
    assertEquals(new MinorStream(4, 22), TargetBinaryCheck.atLinear(22));
  }

  @Test
  void theSupportedPathGoesEusToEusAndOneMinorOtherwise() {
    assertEquals(List.of(new MinorStream(4, 16), new MinorStream(4, 18), new MinorStream(4, 19)),
        SupportedPaths.path(new MinorStream(4, 14), new MinorStream(4, 19)));
    assertEquals(List.of(new MinorStream(4, 16), new MinorStream(4, 17)),
        SupportedPaths.path(new MinorStream(4, 15), new MinorStream(4, 17)));
  }

  @Test
  void theOptInIsNamedInTheDescription() {
    VersionPolicy.Verdict v = check("4.15.3", "4.17.0", false, true);
    assertTrue(v.path().contains("allowed by spec.allowUnsupportedPath"), v.path());
    assertEquals("4.14.3 -> 4.16.0 (y-stream upgrade)", check("4.14.3", "4.16.0", false, false).path());
  }

  @Test
  void aBlockedEdgeIsRefusedEvenWithBothOptIns() {
    UpgradeBlocks blocks = new UpgradeBlocks(Map.of("4.18.3", Set.of("4.16.5", "4.18.1")));
    var v = VersionPolicy.check(MicroShiftVersion.parse("4.16.5"), MicroShiftVersion.parse("4.18.3"), true, true, blocks);
    assertFalse(v.allowed());
    assertTrue(v.refusal().contains("MicroShift 4.18.3 refuses to start on data of 4.16.5"), v.refusal());
    assertFalse(VersionPolicy.check(MicroShiftVersion.parse("4.18.1"), MicroShiftVersion.parse("4.18.3"),
        false, false, blocks).allowed(), "z-streams are blocked too");
    assertTrue(VersionPolicy.check(MicroShiftVersion.parse("4.16.6"), MicroShiftVersion.parse("4.18.3"),
        false, false, blocks).allowed(), "another from version is not");
    assertTrue(UpgradeBlocks.UPSTREAM.blockedFromByTarget().isEmpty(),
        "no openshift/microshift release carries assets/release/upgrade-blocks.json yet");
  }

  @Test
  void patchDowngradeNeedsAllowDowngradeAndAMinorDowngradeIsNeverAllowed() {
    assertEquals(Jump.PATCH_DOWNGRADE, check("4.17.3", "4.17.1", true, false).jump());
    assertFalse(check("4.18.1", "4.17.9", true, true).allowed());
  }

  @Test
  void refusesGarbage() {
    assertThrows(IllegalArgumentException.class, () -> MicroShiftVersion.parse("4.17"));
    assertThrows(IllegalArgumentException.class, () -> MicroShiftVersion.parse("4.17.1; rm -rf /"));
  }
}
