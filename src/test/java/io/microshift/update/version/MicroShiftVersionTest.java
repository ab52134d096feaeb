package io.microshift.update.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three spellings of a MicroShift release (openshift/microshift Makefile, microshift.spec, make-rpm.sh). */
class MicroShiftVersionTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
      // kube-public/microshift-version of an official pre-release: its rpm Version
      "4.16.0~rc.5, 4.16.0-rc.5",
      "4.13.0~ec.4, 4.13.0-ec.4",
      // the release name
      "4.18.0-rc.2, 4.18.0-rc.2",
      "4.17.3, 4.17.3",
      // a developer build's version (Makefile MICROSHIFT_VERSION: OCP_VERSION-TIMESTAMP-COMMIT)
      "5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12, 5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12",
  })
  void parsesEverySpellingMicroShiftReports(String reported, String release) {
    assertEquals(release, MicroShiftVersion.parse(reported).toString());
  }

  @ParameterizedTest(name = "rpm {0} is {1}")
  @CsvSource({
      "4.16.0~rc.5, 4.16.0-rc.5",
      "4.17.3, 4.17.3",
      // packaging/rpm/make-rpm.sh: MICROSHIFT_VERSION//-/_
      "5.0.0_0.nightly_2026_07_23_224236_20260820112911_8e16b12, 5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12",
  })
  void readsAnRpmVersion(String rpm, String release) {
    assertEquals(Optional.of(MicroShiftVersion.parse(release)), MicroShiftVersion.fromRpmVersion(rpm));
  }

  @Test
  void refusesWhatIsNoVersion() {
    for (String bad : List.of("v4.17.3", "4.17", "4.17.3~", "4.17.3-", "4.17.3 rc", "4.17.3+b1", "04.17.3", "4.17.3_rc.1",
        "4.17.3-" + "a".repeat(65))) {
      assertTrue(MicroShiftVersion.tryParse(bad).isEmpty(), bad);
    }
    assertTrue(MicroShiftVersion.fromRpmVersion("4.17.3-1.el9").isPresent(), "'-' read as make-rpm's '_'");
    assertTrue(MicroShiftVersion.fromRpmVersion(null).isEmpty());
  }

  @Test
  void theOfficialRpmVersionSeparatesAPreReleaseWithATilde() {
    assertEquals("4.18.0~rc.2", MicroShiftVersion.parse("4.18.0-rc.2").rpmVersion());
    assertEquals("4.17.3", MicroShiftVersion.parse("4.17.3").rpmVersion());
    assertTrue(MicroShiftVersion.parse("4.18.0~rc.2").isNamedBy("4.18.0-rc.2"));
    assertFalse(MicroShiftVersion.parse("4.18.0~rc.2").isNamedBy("4.18.0"));
    assertFalse(MicroShiftVersion.parse("4.18.0").isNamedBy("not a version"));
  }

  @Test
  void preReleasesSortBySemverPrecedenceAndBeforeTheRelease() {
    List<String> ordered = List.of("4.18.0-0.nightly-2026-07-23", "4.18.0-ec.4", "4.18.0-rc.2", "4.18.0~rc.10",
        "4.18.0", "4.18.1-ec.0", "4.18.1");
    for (int i = 0; i + 1 < ordered.size(); i++) {
      MicroShiftVersion a = MicroShiftVersion.parse(ordered.get(i));
      MicroShiftVersion b = MicroShiftVersion.parse(ordered.get(i + 1));
      assertTrue(a.compareTo(b) < 0, a + " < " + b);
      assertTrue(b.compareTo(a) > 0, b + " > " + a);
    }
    assertEquals(0, MicroShiftVersion.parse("4.18.0~rc.2").compareTo(MicroShiftVersion.parse("4.18.0-rc.2")));
  }
}
