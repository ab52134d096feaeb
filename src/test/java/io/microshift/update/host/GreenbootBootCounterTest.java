package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest.Action;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The bash greenboot arms grub's boot counter when ostree stages (greenboot-grub2-set-counter.service,
 * RequiredBy ostree-finalize-staged.service) and clears it when a boot completes
 * (greenboot-grub2-set-success.service): a Prepare waits for this boot's verdict before it
 * stages, the reboot into the target needs the counter armed, and a Cancel after Prepare clears it.
 */
class GreenbootBootCounterTest extends HostWithEtcd {
  private static final List<String> SHOW_HEALTHCHECK = List.of("systemctl", "show", "-p", "ActiveState", "--value",
      GreenbootBootCounter.HEALTHCHECK);
  private static final List<String> START_SET_COUNTER = List.of("systemctl", "start", GreenbootBootCounter.SET_COUNTER);
  private static final List<String> START_FINALIZE_STAGED = List.of("systemctl", "start",
      GreenbootBootCounter.FINALIZE_STAGED);
  private static final List<String> START_SET_SUCCESS = List.of("systemctl", "start", GreenbootBootCounter.SET_SUCCESS);

  private TestHost host() {
    return host(root, true);
  }

  private static int prepare(TestHost h) {
    h.writeRequest(request(h, 1, Action.Prepare, false));
    return apply(h);
  }

  @Test
  void theStagingArmsTheCounterAndTheRebootFindsItArmed() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    assertFalse(g.armed());
    assertEquals(0, prepare(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertTrue(g.armed(), h.runner.grubenv().toString());
    assertEquals("3", h.runner.grubenv().get("boot_counter"));

    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertTrue(h.rebootRequested, h.status().message());
    assertFalse(h.runner.actions().contains(START_SET_COUNTER), "armed already: " + h.runner.actions());
    assertTrue(g.armed());
  }

  @Test
  void statusShowsTheCounterAndWhetherItIsArmed() {
    TestHost h = host();
    h.runner.bashGreenboot(3);
    assertTrue(status(h).contains("boot counter: boot_counter=(unset), boot_success=1: not armed, nothing staged"),
        status(h));
    assertEquals(0, prepare(h));
    assertTrue(status(h).contains("boot counter: boot_counter=3, boot_success=0: armed, a failed boot of the staged"
        + " deployment rolls back"), status(h));
  }

  private static String status(TestHost h) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    new StatusCommand(h.ctx()).run(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aPrepareWhileGreenbootStillChecksThisBootWaitsForItsVerdictThenStages() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.verdictPendingFor(4);
    AtomicInteger sleeps = new AtomicInteger();
    h.whileWaiting = sleeps::incrementAndGet;
    assertEquals(0, prepare(h));

    HostStatus s = h.status();
    assertEquals(HostState.Prepared, s.state(), s.message());
    assertEquals(3, sleeps.get(), "one look per second until the fourth look sees the verdict");
    assertTrue(s.history().stream().anyMatch(e -> e.state() == HostState.Preparing
        && e.message().startsWith("waiting for greenboot to finish checking this boot (greenboot-healthcheck.service"
            + " activating)")), s.history().toString());
    List<List<String>> calls = h.runner.calls();
    int lastLook = calls.lastIndexOf(SHOW_HEALTHCHECK);
    int staging = calls.indexOf(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization"));
    assertTrue(lastLook >= 0 && staging > lastLook, calls.toString());
    assertTrue(g.armed(), "set-success ran before the staging, so nothing clears the counter: " + h.runner.grubenv());
  }

  @Test
  void aVerdictThatNeverComesFailsThePrepareWithNothingStagedOrPaused() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.verdictPendingFor(Integer.MAX_VALUE);
    List<String> before = h.ostreeSysroot.deployments().stream().map(d -> d.checksum()).toList();
    assertEquals(1, prepare(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("greenboot has not finished checking this boot after 900s"
        + " (greenboot-healthcheck.service activating)"), s.message());
    assertTrue(s.message().contains("try again once systemctl is-active boot-complete.target prints active"), s.message());
    assertTrue(h.runner.actions().stream().noneMatch(c -> c.get(0).equals("rpm-ostree")), h.runner.actions().toString());
    assertEquals(before, h.ostreeSysroot.deployments().stream().map(d -> d.checksum()).toList());
    assertFalse(g.armed());
    assertTrue(h.microshiftActive);
  }

  @Test
  void failedHealthChecksAreAVerdictTooAndThePrepareStagesAtOnce() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.healthChecksFail();
    assertEquals(0, prepare(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertTrue(g.armed());
    assertEquals(1, h.runner.calls().stream().filter(SHOW_HEALTHCHECK::equals).count());
  }

  @Test
  void aSetSuccessThatIsNotEnabledDelaysTheStagingByItsGraceOnly() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.setSuccessNotEnabled();
    java.time.Instant start = h.now;
    assertEquals(0, prepare(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertEquals(GreenbootBootCounter.SET_SUCCESS_GRACE, java.time.Duration.between(start, h.now));
    assertTrue(g.armed());
  }

  @Test
  void applyArmsAgainACounterThatWasClearedAfterThePrepare() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    List<List<String>> actions = applyAfterSetSuccessCleared(h, g);
    int arm = actions.indexOf(START_FINALIZE_STAGED);
    int stop = actions.indexOf(List.of("systemctl", "stop", "microshift.service"));
    assertTrue(arm >= 0 && stop > arm, "armed before the downtime begins: " + actions);
    assertFalse(actions.contains(START_SET_COUNTER), "ostree-finalize-staged.service pulled set-counter in: " + actions);
    assertTrue(g.armed(), h.runner.grubenv().toString());
  }

  @Test
  void aSetCounterThatIsNotPulledInIsStartedItself() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.setCounterNotEnabled();
    List<List<String>> actions = applyAfterSetSuccessCleared(h, g);
    assertTrue(actions.indexOf(START_SET_COUNTER) > actions.indexOf(START_FINALIZE_STAGED), actions.toString());
    assertTrue(g.armed(), h.runner.grubenv().toString());
  }

  /** Prepare, then set-success clears the counter (what a staging before boot-complete.target meets), then Apply: its actions. */
  private static List<List<String>> applyAfterSetSuccessCleared(TestHost h, FakeBashGreenboot g) {
    assertEquals(0, prepare(h));
    g.setSuccessRuns();
    assertFalse(g.armed());
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertTrue(h.rebootRequested, h.status().message());
    return h.runner.actions();
  }

  @Test
  void applyRefusesBeforeTheDowntimeWhenTheCounterCannotBeArmed() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    assertEquals(0, prepare(h));
    h.runner.grubenv().remove("boot_counter"); // by hand: set-counter stays active, its start does nothing

    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(1, apply(h));
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("grub's boot counter is still not armed after ostree-finalize-staged.service and"
        + " greenboot-grub2-set-counter.service (boot_counter=(unset), boot_success=0)"), s.message());
    assertTrue(s.message().contains("nothing was stopped or changed"), s.message());
    assertFalse(h.runner.actions().contains(List.of("systemctl", "stop", "microshift.service")), h.runner.actions().toString());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "cleanup", "--pending")));
    assertFalse(h.rebootRequested);
    assertTrue(h.microshiftActive);
    assertFalse(g.armed());
  }

  @Test
  void cancelAfterPrepareClearsTheCounterTheStagingArmed() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    assertEquals(0, prepare(h));
    assertTrue(g.armed());
    h.writeRequest(request(h, 2, Action.Cancel, false));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("cancelled by request sequence 2"), s.message());
    assertTrue(s.message().contains("grub's boot counter cleared (greenboot-grub2-set-success.service)"), s.message());
    List<List<String>> actions = h.runner.actions();
    assertTrue(actions.indexOf(START_SET_SUCCESS) > actions.indexOf(List.of("rpm-ostree", "cleanup", "--pending")),
        actions.toString());
    assertFalse(g.armed());
    assertEquals("1", h.runner.grubenv().get("boot_success"));
    assertFalse(h.runner.grubenv().containsKey("boot_counter"));
  }

  @Test
  void cancelOnABootThatNeverCompletedLeavesTheCounterAndSaysWhatToRun() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.healthChecksFail();
    assertEquals(0, prepare(h));
    h.writeRequest(request(h, 2, Action.Cancel, false));
    assertEquals(0, apply(h));

    String m = h.status().message();
    assertTrue(m.contains("grub's boot counter stays armed (this boot never reached boot-complete.target)"), m);
    assertTrue(m.contains("run systemctl start greenboot-grub2-set-success.service once this boot is healthy"), m);
    assertFalse(h.runner.actions().contains(START_SET_SUCCESS), "set-success would pull boot-complete.target in");
    assertTrue(g.armed());
  }

  @Test
  void aCancelWrittenWhileThePrepareWaitsEndsTheWaitAndIsHonoured() {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.verdictPendingFor(Integer.MAX_VALUE);
    h.whileWaiting = () -> h.writeRequest(request(h, 2, Action.Cancel, false));
    assertEquals(0, prepare(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("cancelled by request sequence 2"), s.message());
    assertTrue(h.runner.actions().stream().noneMatch(c -> c.get(0).equals("rpm-ostree") && c.get(1).equals("rebase")),
        h.runner.actions().toString());
    assertFalse(g.armed());
    assertFalse(Files.exists(h.paths.inFlightFlag()));
  }

  @Test
  void anImageModeStagingWaitsForTheVerdictToo() {
    TestHost h = host().imageMode();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.verdictPendingFor(2);
    assertEquals(0, prepare(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertTrue(g.armed(), h.runner.grubenv().toString());
    List<List<String>> calls = h.runner.calls();
    int switched = calls.indexOf(List.of("bootc", "switch", TestHost.IMAGE_TARGET));
    assertTrue(switched > 0, calls.toString());
    assertEquals(2, calls.subList(0, switched).stream().filter(SHOW_HEALTHCHECK::equals).count(),
        "bootc switch only once the verdict is in: " + calls);
  }

  @Test
  void greenbootRsHasNoSetCounterAndNothingWaitsOrArms() throws Exception {
    TestHost h = host();
    FakeBashGreenboot g = h.runner.bashGreenboot(3);
    g.verdictPendingFor(Integer.MAX_VALUE);
    Files.createDirectories(h.paths.host(GreenbootRs.ROLLBACK_TRIGGER_UNIT).getParent());
    Files.writeString(h.paths.host(GreenbootRs.ROLLBACK_TRIGGER_UNIT), "[Unit]\n");
    assertEquals(0, prepare(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertFalse(h.runner.calls().contains(SHOW_HEALTHCHECK));
  }
}
