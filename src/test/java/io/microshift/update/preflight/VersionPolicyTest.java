package io.microshift.update.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.preflight.VersionPolicy.Jump;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class VersionPolicyTest {

  @ParameterizedTest(name = "{0} -> {1} allowDowngrade={2}: {3}")
  @CsvSource({
    "4.17.1, 4.17.3, false, Z_STREAM",
    "4.17.3, 4.18.0, false, Y_STREAM",
    "4.16.2, 4.18.1, false, Y_STREAM",
    "4.14.9, 4.15.0, false, Y_STREAM",
    "4.18.0-rc.2, 4.18.0, false, Z_STREAM",
    "4.17.3, 4.17.1, true, PATCH_DOWNGRADE",
  })
  void allowedJumps(String from, String to, boolean allowDowngrade, Jump expected) {
    var verdict = VersionPolicy.check(MicroShiftVersion.parse(from), MicroShiftVersion.parse(to), allowDowngrade);
    assertTrue(verdict.allowed(), verdict.refusal());
    assertEquals(expected, verdict.jump());
  }

  @ParameterizedTest(name = "{0} -> {1} refused: {2}")
  @CsvSource({
    "4.17.3, 4.17.1, allowDowngrade",
    "4.18.0, 4.17.9, cannot go back a minor",
    "4.14.3, 4.16.0, at most 1 minor",
    "4.15.3, 4.17.0, update to the latest 4.16.z first",
    "4.16.3, 4.19.0, update to the latest 4.18.z first",
    "4.17.0, 5.0.0, major",
    "4.18.0, 4.18.0-rc.1, older",
    "4.17.3, 4.17.3, nothing to update",
  })
  void refusedJumpsSayWhatToDo(String from, String to, String advice) {
    var verdict = VersionPolicy.check(MicroShiftVersion.parse(from), MicroShiftVersion.parse(to), false);
    assertFalse(verdict.allowed());
    assertTrue(verdict.refusal().contains(advice), verdict.refusal());
  }

  @Test
  void minorDowngradeIsRefusedEvenWhenDowngradesAreAllowed() {
    var verdict = VersionPolicy.check(MicroShiftVersion.parse("4.18.1"), MicroShiftVersion.parse("4.17.9"), true);
    assertFalse(verdict.allowed());
  }

  @Test
  void parsesTheConfigMapAndRefusesGarbage() {
    assertEquals("4.17.1", ClusterVersionReader.fromData(Map.of("version", "4.17.1")).toString());
    assertEquals("4.16.0", ClusterVersionReader.fromData(Map.of("major", "4", "minor", "16", "patch", "0")).toString());
    assertThrows(IllegalArgumentException.class, () -> MicroShiftVersion.parse("4.17"));
    assertThrows(IllegalArgumentException.class, () -> MicroShiftVersion.parse("4.17.1; rm -rf /"));
    assertThrows(IllegalStateException.class, () -> ClusterVersionReader.fromData(Map.of("minor", "1")));
  }
}
