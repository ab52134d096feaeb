package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Reboot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rpm hosts against {@link FakeDnf} (dnf's and microshift.spec's behaviour): a failed install
 * after the copy, repositories for a y-stream, packages that do not resolve, and the restart
 * instead of the reboot with its health verification (issue 13, defects 4, 5 and 6).
 */
class RpmHostTest {
  static final String Y = "4.18.0";
  static final List<String> Y_REPOS = List.of(FakeDnf.rhocpRepo(Y), FakeDnf.FAST_DATAPATH);

  @TempDir Path root;

  private static UpdateRequest withTarget(UpdateRequest r, String version, List<String> packages,
      List<String> repositories, Reboot reboot) {
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(), r.from(),
        new UpdateRequest.Target(version, null, null, packages, repositories, reboot), r.allowDowngrade(),
        r.backup(), r.healthCheckTimeoutSeconds(), r.backupRetention(), r.verification());
  }

  private static List<String> family(String version) {
    return List.of("microshift-" + version, "microshift-networking-" + version, "microshift-selinux-" + version,
        "microshift-greenboot-" + version);
  }

  private static List<String> dnf(boolean downloadOnly, List<String> repos, List<String> packages) {
    List<String> argv = new ArrayList<>(List.of("dnf", "install", "-y"));
    if (downloadOnly) {
      argv.add("--downloadonly");
    }
    repos.forEach(r -> argv.add("--enablerepo=" + r));
    argv.addAll(packages);
    return argv;
  }

  /** The operator, while the agent waits: verifies the boot the host reported (as VerifyingStep does). */
  private static void operatorVerifiesWhenBooted(TestHost h, UpdateRequest req) {
    h.whileWaiting = () -> h.statusIfAny().filter(s -> s.state() == HostState.Booted)
        .filter(s -> h.bootId().equals(s.bootIdAfter()))
        .ifPresent(s -> h.verify(req, UpdateRequest.VerificationResult.Passed));
  }

  // ------------------------------------------------------------------ defect 4

  @Test
  void aFailedDnfInstallAfterTheCopyStartsMicroShiftAgainAndRecordsFailed() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    h.runner.dnf().failNextTransaction("Error: Transaction test error:\n  installing package microshift-4.17.3"
        + " needs 120MB more space on the / filesystem");
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("dnf install failed") && s.message().contains("Transaction test error"), s.message());
    assertTrue(s.message().contains("the packages are unchanged (microshift 4.17.1)"), s.message());
    assertTrue(s.message().contains("MicroShift started again"), s.message());
    assertTrue(h.microshiftActive, "MicroShift runs again");
    assertFalse(h.rebootRequested);
    assertEquals(TestHost.FROM, h.installedPackageVersion);
    // the apply unit runs again at the next boot: the outcome stays, nothing is retried
    h.powerCut();
    assertEquals(0, new BootCommand(h.ctx()).run());
    h.runner.clearCalls();
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(List.of(), h.runner.actions());
    assertEquals(HostState.Failed, h.status().state());
  }

  // ------------------------------------------------------------------ defect 5

  @Test
  void aYStreamWithoutItsRepositoriesFailsBeforeMicroShiftStops() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = withTarget(h.request(), Y, family(Y), null, null);
    h.writeRequest(req);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("the packages do not resolve") && s.message().contains(
        "No match for argument: microshift-4.18.0"), s.message());
    assertTrue(s.message().contains("rhocp-4.Y-for-rhel-9-ARCH-rpms"), s.message());
    assertEquals(List.of(dnf(true, List.of(), family(Y))), h.runner.actions(), "nothing stopped, nothing changed");
    assertTrue(h.microshiftActive);
    assertEquals(java.util.Set.of(), h.runner.dnf().downloaded());
  }

  @Test
  void aYStreamEnablesThePlansRepositoriesForTheResolveTheDownloadAndTheInstallAndReboots() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = withTarget(h.request(), Y, family(Y), Y_REPOS, Reboot.IfNeeded);
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    List<List<String>> actions = h.runner.actions();
    assertEquals(dnf(true, Y_REPOS, family(Y)), actions.get(0));
    assertTrue(actions.contains(dnf(false, Y_REPOS, family(Y))), actions.toString());
    assertEquals(List.of("systemctl", "reboot"), actions.get(actions.size() - 1), "a y-stream reboots");
    assertEquals(HostState.Rebooting, h.status().state());
    assertEquals(Y, h.installedPackageVersion);
    assertEquals(Y, h.runner.dnf().installedVersion("microshift-greenboot"));
  }

  /**
   * An official pre-release's rpm is versioned 4.18.0~rc.2 (openshift/microshift
   * scripts/release-notes/gen_gh_releases_from_mirror.py) while the plan names the release
   * 4.18.0-rc.2: the agent installs it, knows it installed, and reboots into it.
   */
  @Test
  void aPreReleaseIsInstalledByItsRpmVersionAndRecognisedAsTheTarget() {
    TestHost h = new TestHost(root, false);
    String rc = "4.18.0-rc.2";
    h.runner.dnf().publishMicroShift(rc);
    List<String> packages = List.of("microshift-4.18.0~rc.2", "microshift-networking-4.18.0~rc.2");
    UpdateRequest req = withTarget(h.request(), rc, packages, Y_REPOS, Reboot.IfNeeded);
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    assertEquals(dnf(true, Y_REPOS, packages), h.runner.actions().get(0));
    assertEquals("4.18.0~rc.2", h.runner.dnf().installedVersion("microshift"));
    assertEquals("4.18.0~rc.2", h.runner.dnf().installedVersion("microshift-greenboot"));
    assertEquals(HostState.Rebooting, h.status().state());
    assertTrue(h.ctx().microshift().hasInstalled(rc));
    assertTrue(h.ctx().microshift().hasInstalled("4.18.0~rc.2"));
    assertFalse(h.ctx().microshift().hasInstalled("4.18.0"));
  }

  @Test
  void packagesThatPinDifferentVersionsDoNotResolveAndNothingStops() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = withTarget(h.request(), TestHost.TARGET, List.of("microshift-4.17.3",
        "microshift-networking-4.17.1", "microshift-selinux-4.17.3"), null, null);
    h.writeRequest(req);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("cannot install both microshift-networking-4.17.3 and"
        + " microshift-networking-4.17.1"), h.status().message());
    assertTrue(h.microshiftActive);
    assertEquals(1, h.runner.actions().size(), h.runner.actions().toString());
  }

  // ------------------------------------------------------------------ defect 6

  @Test
  void aZStreamThatNeedsNoRebootRestartsMicroShiftAndVerifiesItAsAfterABoot() throws Exception {
    TestHost h = new TestHost(root, false);
    writeMicroShiftCheck(h);
    UpdateRequest req = h.request(Reboot.IfNeeded);
    h.writeRequest(req);
    String boot = h.bootId();
    operatorVerifiesWhenBooted(h, req);
    assertEquals(0, new ApplyCommand(h.ctx()).run(), h.status().message());
    List<List<String>> actions = h.runner.actions();
    assertFalse(actions.contains(List.of("systemctl", "reboot")), actions.toString());
    int install = actions.indexOf(dnf(false, List.of(), req.target().packages()));
    assertEquals(List.of(List.of("dnf", "needs-restarting", "-r"), List.of("systemctl", "restart", "microshift.service"),
        List.of(RestartVerification.MICROSHIFT_CHECK)), actions.subList(install + 1, actions.size()));
    HostStatus s = h.status();
    assertEquals(HostState.Committed, s.state(), s.message());
    assertEquals(boot, s.bootIdBefore());
    assertEquals(boot, s.bootIdAfter(), "no new boot: the verification is keyed on this boot");
    assertEquals(List.of(HostState.Staging, HostState.Staged, HostState.Restarting, HostState.Booted,
        HostState.Healthy, HostState.Committed), s.history().stream().map(HostStatus.HistoryEntry::state).toList());
    assertTrue(h.microshiftActive);
    assertEquals(TestHost.TARGET, h.installedPackageVersion);
  }

  @Test
  void aZStreamThatUpdatesACorePackageReboots() {
    TestHost h = new TestHost(root, false);
    h.runner.dnf().pullsIn(TestHost.TARGET, "glibc");
    UpdateRequest req = h.request(Reboot.IfNeeded);
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    List<List<String>> actions = h.runner.actions();
    assertEquals(List.of(List.of("dnf", "needs-restarting", "-r"), List.of("systemctl", "reboot")),
        actions.subList(actions.size() - 2, actions.size()));
    assertEquals(HostState.Rebooting, h.status().state());
  }

  @Test
  void rebootAlwaysRebootsAZStream() {
    TestHost h = new TestHost(root, false);
    h.writeRequest(h.request(Reboot.Always));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertFalse(h.runner.actions().contains(List.of("dnf", "needs-restarting", "-r")));
    assertEquals(List.of("systemctl", "reboot"), h.runner.actions().get(h.runner.actions().size() - 1));
  }

  @Test
  void aFailedHealthCheckAfterTheRestartRecordsFailedWithTheRestoreCommand() throws Exception {
    TestHost h = new TestHost(root, false);
    writeMicroShiftCheck(h);
    h.runner.microshiftCheckFails("Error: timed out waiting for openshift-ovn-kubernetes/ovnkube-master");
    UpdateRequest req = h.request(Reboot.IfNeeded);
    h.writeRequest(req);
    operatorVerifiesWhenBooted(h, req);
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("microshift-update restore " + TestHost.BACKUP_ID), s.message());
    assertEquals(1, s.greenbootAttempts());
    assertFalse(h.rebootRequested);
  }

  /**
   * greenboot-rs, unlike the bash greenboot, retries a failed boot on an rpm host: the first
   * failure sets boot_counter to GREENBOOT_MAX_BOOT_ATTEMPTS and reboots, a counter above 0
   * reboots, at 0 "Manual intervention required" (fedora-iot/greenboot-rs src/main.rs,
   * health_check). red.d, which runs before that, records only the attempt while a retry follows.
   */
  @Test
  void underGreenbootRsAFailedBootOfAnRpmUpdateIsTriedAgainAndAPassingRetryCommits() throws Exception {
    TestHost h = new TestHost(root, false);
    installGreenbootRs(h);
    h.updateAndBootTarget(h.request(Reboot.Always));
    assertEquals(0, new GreenbootCommands(h.ctx()).red()); // the first failure: no boot_counter yet
    HostStatus s = h.status();
    assertEquals(HostState.Unhealthy, s.state(), s.message());
    assertEquals(1, s.greenbootAttempts());
    assertTrue(Files.exists(h.paths.inFlightFlag()), "greenboot-rs reboots to try again: still in flight");
    h.runner.grubenv().put("boot_counter", "2"); // set to 3 by greenboot-rs, counted down by grub at the boot
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state(), h.status().message());
    h.startMicroShift(TestHost.TARGET);
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(HostState.Committed, h.status().state(), h.status().message());
  }

  @Test
  void underGreenbootRsTheLastFailedAttemptOfAnRpmUpdateRecordsFailed() throws Exception {
    TestHost h = new TestHost(root, false);
    installGreenbootRs(h);
    h.updateAndBootTarget(h.request(Reboot.Always));
    h.runner.grubenv().put("boot_counter", "0"); // grub counted the last attempt down: no retry follows
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state(), s.message());
    assertTrue(s.message().contains("microshift-update restore " + TestHost.BACKUP_ID), s.message());
    Files.writeString(h.paths.host(GreenbootRs.CONFIG), "GREENBOOT_MAX_BOOT_ATTEMPTS=0\n");
    assertEquals(0, GreenbootRs.maxBootAttempts(h.paths));
    h.runner.grubenv().remove("boot_counter");
    assertTrue(GreenbootRs.retryAfterThisFailure(h.ctx()).isEmpty(), "with 0 attempts greenboot-rs does not reboot");
  }

  private static void installGreenbootRs(TestHost h) throws Exception {
    Path unit = h.paths.host(GreenbootRs.ROLLBACK_TRIGGER_UNIT);
    Files.createDirectories(unit.getParent());
    Files.writeString(unit, "[Unit]\nDescription=greenboot-rs rollback trigger\n");
    Files.createDirectories(h.paths.host(GreenbootRs.CONFIG).getParent());
  }

  @Test
  void withoutTheOperatorsVerificationTheCheckAfterTheRestartTimesOut() {
    TestHost h = new TestHost(root, false);
    h.writeRequest(h.request(Reboot.IfNeeded));
    java.time.Instant start = h.now;
    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Failed, h.status().state());
    assertTrue(java.time.Duration.between(start, h.now).getSeconds() >= 600, "bounded by healthCheckTimeoutSeconds");
  }

  @Test
  void aCrashAnywhereOnTheRestartPathResumesAtTheNextApplyRun() throws Exception {
    for (String point : List.of(CrashPoints.APPLY_PACKAGES_INSTALLED, CrashPoints.APPLY_WRITE_RESTARTING,
        CrashPoints.APPLY_MICROSHIFT_RESTARTED, CrashPoints.APPLY_WRITE_RESTART_BOOTED,
        CrashPoints.GREENBOOT_WRITE_HEALTHY, CrashPoints.GREENBOOT_HEALTHY_RECORDED,
        CrashPoints.GREENBOOT_WRITE_COMMITTED)) {
      Path dir = Files.createDirectories(root.resolve(point));
      TestHost h = new TestHost(dir, false);
      UpdateRequest req = h.request(Reboot.IfNeeded);
      h.writeRequest(req);
      operatorVerifiesWhenBooted(h, req);
      CrashAt crash = new CrashAt(point);
      assertThrows(CrashAt.SimulatedCrash.class, () -> new ApplyCommand(h.ctx(crash)).run(), point);
      assertEquals(0, new ApplyCommand(h.ctx()).run(), point + ": " + h.status().message());
      assertEquals(HostState.Committed, h.status().state(), point);
      assertTrue(h.microshiftActive, point);
      assertFalse(h.rebootRequested, point);
    }
  }

  @Test
  void aPowerCutDuringTheRestartLeavesTheNextBootToTheBootUnitAndGreenboot() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = h.request(Reboot.IfNeeded);
    h.writeRequest(req);
    assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(new CrashAt(CrashPoints.APPLY_MICROSHIFT_RESTARTED))).run());
    h.powerCut();
    assertEquals(0, new BootCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Booted, s.state(), s.message());
    assertEquals(h.bootId(), s.bootIdAfter());
    assertFalse(RestartVerification.inProgress(h.ctx(), s), "greenboot verifies this boot, not the apply unit");
  }

  private static void writeMicroShiftCheck(TestHost h) throws Exception {
    Path check = h.paths.host(RestartVerification.MICROSHIFT_CHECK);
    Files.createDirectories(check.getParent());
    Files.writeString(check, "#!/bin/bash\n# stands for microshift-greenboot's script; FakeHostCommands runs it\n");
  }
}
