package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fake's own behaviour against dnf(8), dnf-plugins-core's needs_restarting.py and
 * MicroShift's microshift.spec (see {@link FakeDnf}): so that the fake cannot simply agree with
 * the agent, each case the agent relies on is pinned here, refusals included.
 */
class FakeDnfTest {
  private final FakeDnf dnf = FakeDnf.microshiftHost("4.17.1", List.of("4.17.3", "4.18.0"));

  private CommandRunner.Result dnf(String... argv) {
    dnf.boot("boot-1");
    return dnf.dnf(List.of(argv));
  }

  @Test
  void aPackageOutsideTheEnabledRepositoriesHasNoMatchAndNothingHappens() {
    CommandRunner.Result r = dnf("dnf", "install", "-y", "microshift-4.18.0");
    assertEquals(1, r.exitCode());
    assertTrue(r.stdout().contains("No match for argument: microshift-4.18.0"), r.stdout());
    assertTrue(r.stderr().contains("Error: Unable to find a match: microshift-4.18.0"), r.stderr());
    assertEquals("4.17.1", dnf.installedVersion("microshift"));
  }

  @Test
  void enablerepoMakesTheYStreamResolveAndAnUnknownRepoIsAnError() {
    assertEquals(0, dnf("dnf", "install", "-y", "--enablerepo=" + FakeDnf.rhocpRepo("4.18.0"), "microshift-4.18.0")
        .exitCode());
    assertEquals("4.18.0", dnf.installedVersion("microshift-networking"), "installed subpackages follow microshift up");
    CommandRunner.Result r = dnf("dnf", "install", "-y", "--enablerepo=no-such-repo", "microshift-4.18.0");
    assertEquals(1, r.exitCode());
    assertTrue(r.stderr().contains("Error: Unknown repo: 'no-such-repo'"), r.stderr());
    assertEquals(2, dnf("dnf", "install", "-y", "--enablerepo", "x", "microshift").exitCode(), "an argparse error");
  }

  @Test
  void theSubpackagesPinEachOthersExactVersion() {
    CommandRunner.Result r = dnf("dnf", "install", "-y", "microshift-4.17.3", "microshift-networking-4.17.1");
    assertEquals(1, r.exitCode());
    assertTrue(r.stderr().contains("Problem: package microshift-4.17.3 requires microshift-networking = 4.17.3"), r.stderr());
    assertEquals("4.17.1", dnf.installedVersion("microshift"));
  }

  @Test
  void aDowngradeMustNameEveryInstalledSubpackage() {
    assertEquals(0, dnf("dnf", "install", "-y", "microshift-4.17.3").exitCode());
    CommandRunner.Result r = dnf("dnf", "install", "-y", "microshift-4.17.1", "microshift-networking-4.17.1",
        "microshift-selinux-4.17.1");
    assertEquals(1, r.exitCode());
    assertTrue(r.stderr().contains("problem with installed package microshift-greenboot-4.17.3"), r.stderr());
    assertEquals(0, dnf("dnf", "install", "-y", "microshift-4.17.1", "microshift-networking-4.17.1",
        "microshift-selinux-4.17.1", "microshift-greenboot-4.17.1").exitCode());
    assertEquals("4.17.1", dnf.installedVersion("microshift-greenboot"));
  }

  @Test
  void aGlobInstallsEveryMatchNotOnlyWhatIsInstalled() {
    assertEquals(0, dnf("dnf", "install", "-y", "microshift*-4.17.3").exitCode());
    assertEquals("4.17.3", dnf.installedVersion("microshift-olm"), "an optional subpackage got installed");
    String listed = dnf.rpm(List.of("rpm", "-qa", "--queryformat", "%{NAME}\\n", "microshift*")).stdout();
    assertTrue(listed.contains("microshift-multus\n"), listed);
  }

  @Test
  void downloadOnlyResolvesAndDownloadsButInstallsNothing() {
    assertEquals(0, dnf("dnf", "install", "-y", "--downloadonly", "microshift-4.17.3").exitCode());
    assertEquals("4.17.1", dnf.installedVersion("microshift"));
    assertTrue(dnf.downloaded().contains("microshift-4.17.3"), dnf.downloaded().toString());
    CommandRunner.Result no = dnf("dnf", "install", "--assumeno", "microshift-4.17.3");
    assertEquals(1, no.exitCode());
    assertTrue(no.stdout().contains("Operation aborted."), no.stdout());
  }

  @Test
  void needsRestartingSaysRebootOnlyForACorePackageInstalledSinceTheBoot() {
    assertEquals(0, dnf("dnf", "install", "-y", "microshift-4.17.3").exitCode());
    assertEquals(0, dnf("dnf", "needs-restarting", "-r").exitCode());
    dnf.pullsIn("4.18.0", "systemd");
    assertEquals(0, dnf("dnf", "install", "-y", "--enablerepo=" + FakeDnf.rhocpRepo("4.18.0"), "microshift-4.18.0")
        .exitCode());
    CommandRunner.Result r = dnf("dnf", "needs-restarting", "-r");
    assertEquals(1, r.exitCode());
    assertTrue(r.stdout().contains("  * systemd"), r.stdout());
    dnf.boot("boot-2");
    assertEquals(0, dnf.dnf(List.of("dnf", "needs-restarting", "-r")).exitCode(), "after a reboot");
  }

  @Test
  void rpmListsExactlyTheInstalledMicroShiftPackages() {
    String all = dnf.rpm(List.of("rpm", "-qa", "microshift*")).stdout();
    assertEquals(List.of("microshift-4.17.1-1.el9.x86_64", "microshift-greenboot-4.17.1-1.el9.x86_64",
        "microshift-networking-4.17.1-1.el9.x86_64", "microshift-selinux-4.17.1-1.el9.x86_64"), all.lines().toList());
    assertEquals("4.17.1", dnf.rpm(List.of("rpm", "-q", "--queryformat", "%{VERSION}", "microshift")).stdout());
  }
}
