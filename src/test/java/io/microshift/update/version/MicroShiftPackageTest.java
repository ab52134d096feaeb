package io.microshift.update.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A package spec names microshift at a release as dnf splits NAME-[EPOCH:]VERSION[-RELEASE[.ARCH]]. */
class MicroShiftPackageTest {

  @ParameterizedTest(name = "{0} names {1}: {2}")
  @CsvSource({
      "microshift-4.17.3, 4.17.3, true",
      "microshift-4.17.3-202501011200.p0.g1a2b3c4.assembly.4.17.3.el9, 4.17.3, true",
      "microshift-0:4.17.3, 4.17.3, true",
      "microshift-4.17.3-1.el9.x86_64, 4.17.3, true",
      "microshift-4.18.0~rc.2, 4.18.0-rc.2, true",
      "microshift-4.18.0~rc.2-202502101606.p0.g1.assembly.rc.2.el9, 4.18.0-rc.2, true",
      "microshift-5.0.0_0.nightly_2026_07_23, 5.0.0-0.nightly-2026-07-23, true",
      // dnf reads version 4.18.0, release rc.2: not the pre-release
      "microshift-4.18.0-rc.2, 4.18.0-rc.2, false",
      "microshift-4.17.31, 4.17.3, false",
      "microshift-greenboot-4.17.3, 4.17.3, false",
      "microshift, 4.17.3, false",
      "microshift-4.17.3.x86_64, 4.17.3, false",
  })
  void namesTheMicroShiftPackageAsDnfReadsIt(String spec, String release, boolean names) {
    assertEquals(names, MicroShiftPackage.names(spec, MicroShiftVersion.parse(release)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"4.18.0-rc.2", "4.18.0~rc.2"})
  void theFixForAPreReleaseNamesItsRpmVersion(String target) {
    String why = MicroShiftPackage.missing(MicroShiftVersion.parse(target));
    assertTrue(why.startsWith("must include microshift-4.18.0~rc.2: "), why);
    assertTrue(why.contains("dnf would read microshift-4.18.0-rc.2 as version 4.18.0, release rc.2"), why);
    assertFalse(MicroShiftPackage.missing(MicroShiftVersion.parse("4.17.3")).contains("~"));
  }
}
