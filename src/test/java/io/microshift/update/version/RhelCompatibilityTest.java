package io.microshift.update.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Red Hat Device Edge compatibility matrix for rpm hosts, and reading the host's RHEL. */
class RhelCompatibilityTest {

  private static Optional<String> refusal(String rhel, String target) {
    return RhelCompatibility.refusal(rhel, MicroShiftVersion.parse(target));
  }

  @Test
  void aY2UpdateTo416NeedsRhel94First() {
    String m = refusal("9.2", "4.16.3").orElseThrow();
    assertTrue(m.contains("MicroShift 4.16 runs on RHEL 9.4 and this rpm host runs RHEL 9.2"), m);
    assertTrue(m.contains("move the host to RHEL 9.4 first (subscription-manager release --set=9.4, then dnf update)"), m);
    assertTrue(refusal("9.3", "4.15.2").isEmpty());
    assertTrue(refusal("9.4", "4.18.0").isEmpty());
    assertTrue(refusal("9.4", "4.19.1").orElseThrow().contains("move the host to RHEL 9.6 first"));
  }

  @Test
  void aTargetOlderThanTheHostsRhelNamesTheTargetsThatFit() {
    String m = refusal("9.4", "4.15.9").orElseThrow();
    assertTrue(m.contains("pick a target that runs on RHEL 9.4 (4.16, 4.17, 4.18)"), m);
  }

  @Test
  void aMinorTheMatrixDoesNotListIsNotChecked() {
    assertTrue(refusal("9.6", "4.22.0").isEmpty());
  }

  @Test
  void readsRhelFromOsReleaseAndTheNodesOsImage() {
    assertEquals(Optional.of("9.4"), RhelCompatibility.fromOsRelease("NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n"));
    assertEquals(Optional.empty(), RhelCompatibility.fromOsRelease("ID=\"centos\"\nVERSION_ID=\"9\"\n"));
    assertEquals(Optional.empty(), RhelCompatibility.fromOsRelease("ID=rhel\nVERSION_ID=\"9.4; reboot\"\n"));
    assertEquals(Optional.of("9.4"), RhelCompatibility.fromOsImage("Red Hat Enterprise Linux 9.4 (Plow)"));
    assertEquals(Optional.empty(), RhelCompatibility.fromOsImage("CentOS Stream 9"));
  }
}
