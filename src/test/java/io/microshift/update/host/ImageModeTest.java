package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.marker.UpdateRequest.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: image mode (bootc) on the host. Prepare stages the target image download-only
 * ({@code bootc switch}, then {@code bootc upgrade --download-only}), Apply lets it take effect
 * ({@code bootc upgrade --from-downloaded --apply}), the boot recognises the target by digest,
 * greenboot's {@code bootc rollback} brings the data back, Cancel removes what was staged, and
 * each kind of host refuses the other kind of request.
 */
class ImageModeTest extends HostWithEtcd {
  private TestHost imageHost() {
    return host(root, true).imageMode();
  }

  private static UpdateRequest request(TestHost h, long sequence, Action action) {
    return request(h, sequence, action, false);
  }

  private static UpdateRequest withTarget(UpdateRequest r, UpdateRequest.UpdateType type, UpdateRequest.Target t) {
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), type, r.from(), t,
        r.allowDowngrade(), r.backup(), r.healthCheckTimeoutSeconds(), r.backupRetention(), null,
        r.allowUnsupportedPath(), r.bypassUpdateDriver(), r.dryRun());
  }

  private static final List<List<String>> STAGE = List.of(
      List.of("bootc", "switch", TestHost.IMAGE_TARGET), List.of("bootc", "upgrade", "--download-only"));

  @Test
  void prepareSwitchesToTheImageDownloadOnlyAndTouchesNothingElse() {
    TestHost h = imageHost();
    h.writeRequest(request(h, 1, Action.Prepare));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Prepared, s.state(), s.message());
    assertEquals(STAGE, h.runner.actions(), "only the staging: MicroShift runs, no copy, no reboot");
    assertTrue(h.microshiftActive);
    assertFalse(h.rebootRequested);
    assertTrue(h.runner.finalizationLocked(), "download-only: ostree will not finalize it at shutdown");
    assertEquals(h.commitTarget, s.prepared().stagedDeployment());
    assertEquals(h.commitFrom, s.prepared().bootedDeployment());
    assertTrue(s.prepared().finalizationLocked());
    assertEquals(UpdateRequest.UpdateType.IMAGE, s.type());
    Bootc.Status st = h.ctx().image().status();
    assertEquals(TestHost.DIGEST_TARGET, st.staged().orElseThrow().imageDigest());
    assertTrue(st.staged().orElseThrow().downloadOnly());
  }

  @Test
  void applyAfterPrepareAppliesTheDownloadedImageAndTheBootRecognisesItByDigest() {
    TestHost h = imageHost();
    h.writeRequest(request(h, 1, Action.Prepare));
    assertEquals(0, apply(h));
    h.runner.clearCalls();
    h.writeRequest(request(h, 2, Action.Apply));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state(), s.message());
    List<List<String>> actions = h.runner.actions();
    assertEquals(List.of("bootc", "upgrade", "--from-downloaded", "--apply"), actions.get(actions.size() - 1));
    assertFalse(actions.stream().anyMatch(a -> a.contains("switch")), "staged once, by Prepare: " + actions);
    assertTrue(h.rebootRequested);
    assertFalse(h.runner.finalizationLocked(), "unlocked: ostree finalizes it at this shutdown");

    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum());
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state(), h.status().message());
    assertEquals(TestHost.DIGEST_TARGET, h.ctx().image().status().booted().orElseThrow().imageDigest());
  }

  @Test
  void anUnplannedRebootAfterPrepareBootsTheOldImageAndApplyStagesAgain() {
    TestHost h = imageHost();
    h.writeRequest(request(h, 1, Action.Prepare));
    assertEquals(0, apply(h));

    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum(), "the download-only image was not finalized");
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Prepared, h.status().state());
    h.startMicroShift(TestHost.FROM);

    h.runner.clearCalls();
    h.writeRequest(request(h, 2, Action.Apply));
    assertEquals(0, apply(h));
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    assertTrue(h.runner.actions().containsAll(STAGE), "staged again: " + h.runner.actions());
    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum());
  }

  @Test
  void aCrashBetweenSwitchAndLockIsFinishedByTheNextRun() {
    TestHost h = imageHost();
    h.writeRequest(request(h, 1, Action.Prepare));
    assertThrows(IllegalStateException.class, () -> new ApplyCommand(h.ctx(p -> {
      if (p.equals(CrashPoints.IMAGE_SWITCHED)) {
        throw new IllegalStateException("killed at " + p);
      }
    })).run());
    assertFalse(h.runner.finalizationLocked(), "bootc switch stages unlocked");

    h.runner.clearCalls();
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    assertEquals(List.of(List.of("bootc", "upgrade", "--download-only")), h.runner.actions(),
        "the staged image is locked, not switched again");
    assertTrue(h.runner.finalizationLocked());
  }

  @Test
  void cancelAfterPrepareRemovesTheStagedImage() {
    TestHost h = imageHost();
    List<String> before = h.runner.rpmOstreeDeployments();
    h.writeRequest(request(h, 1, Action.Prepare));
    assertEquals(0, apply(h));
    h.writeRequest(request(h, 2, Action.Cancel));
    assertEquals(0, apply(h));

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith("cancelled by request sequence 2"), s.message());
    assertTrue(h.runner.actions().contains(List.of("rpm-ostree", "cleanup", "--pending")));
    assertEquals(before, h.runner.rpmOstreeDeployments());
    assertTrue(h.ctx().image().status().staged().isEmpty());
    assertTrue(h.microshiftActive);
  }

  @Test
  void aFailingTargetThatGreenbootRollsBackWithBootcGetsItsDataBack() {
    TestHost h = new TestHost(root, true).imageMode();
    java.util.Map<String, String> before = TestHost.digest(h.paths.microshiftData());
    h.updateAndBootTarget(h.request()); // MicroShift TARGET migrates the data dir
    assertEquals(HostState.Booted, h.status().state(), h.status().message());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());

    // greenboot on a bootc host: bootc rollback (greenboot-rpm-ostree-grub2-check-fallback, greenboot-rs handler.rs)
    assertTrue(h.runner.run(List.of("bootc", "rollback")).ok());
    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum());
    assertEquals(0, new BootCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertEquals(before, TestHost.digest(h.paths.microshiftData()), "the data dir is the pre-update one again");
  }

  @Test
  void aTargetThatNeverBootsIsRolledBackWithBootcWhenItIsStillTheDefault() {
    TestHost h = new TestHost(root, true).imageMode();
    h.writeRequest(h.request());
    assertEquals(0, apply(h));
    h.rebootIntoPrevious(); // picked in the boot menu: the target stays the default
    h.runner.clearCalls();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertTrue(h.runner.actions().contains(List.of("bootc", "rollback")), h.runner.actions().toString());
    assertEquals(HostState.Restored, h.status().state(), h.status().message());
    assertEquals(h.commitFrom, h.runner.rpmOstreeDeployments().get(0));
  }

  /** deploy.rs rollback over status.rs get_status, as the fake models it (the agent and greenboot run it). */
  @Test
  void bootcRollbackRefusesAndReordersAsUpstreamDoes() throws Exception {
    TestHost h = new TestHost(root, true).imageMode();
    CommandRunner.Result none = h.runner.run(List.of("bootc", "rollback"));
    assertEquals(1, none.exitCode());
    assertEquals("error: No rollback available\n", none.stderr());

    h.updateAndBootTarget(h.request());
    assertEquals(List.of(h.commitTarget, h.commitFrom), h.runner.rpmOstreeDeployments());
    assertFalse(h.ctx().image().status().staged().isPresent());
    CommandRunner.Result rolled = h.runner.run(List.of("bootc", "rollback"));
    assertEquals("Next boot: rollback deployment\n", rolled.stdout());
    assertEquals(List.of(h.commitFrom, h.commitTarget), h.runner.rpmOstreeDeployments());
    String queued = h.runner.run(List.of("bootc", "status", "--json")).stdout();
    assertTrue(queued.contains("\"rollbackQueued\":true") && queued.contains("\"bootOrder\":\"rollback\""), queued);
    CommandRunner.Result reverted = h.runner.run(List.of("bootc", "rollback"));
    assertEquals("notice: Reverting queued rollback state\nNext boot: current deployment\n", reverted.stdout());
    assertEquals(List.of(h.commitTarget, h.commitFrom), h.runner.rpmOstreeDeployments());
    assertTrue(h.runner.run(List.of("bootc", "status", "--json")).stdout().contains("\"rollbackQueued\":false"));

    // a rollback deployment that is a plain ostree commit, no container image
    String plain = h.ostreeSysroot.commit(root.resolve("scratch"), "rhel/9/x86_64/edge", "4.17.0");
    assertTrue(h.ostreeSysroot.deploy(plain).ok());
    CommandRunner.Result notImage = h.runner.run(List.of("bootc", "rollback"));
    assertEquals(1, notImage.exitCode());
    assertEquals("error: Rollback is not container image based\n", notImage.stderr());
    assertEquals(plain, h.runner.rpmOstreeDeployments().get(0), "nothing reordered");
  }

  @Test
  void theStagedDeploymentBootedUnderAnotherImageDigestIsNotTheTarget() {
    TestHost h = new TestHost(root, true).imageMode();
    h.writeRequest(h.request());
    assertEquals(0, apply(h));
    // the registry now says the commit is another image: bootc status reports that digest
    String other = "sha256:" + "d4".repeat(32);
    h.runner.bootc().publish(TestHost.IMAGE_REPO, null, other, h.commitTarget);
    h.rebootIntoDefault();
    assertEquals(h.commitTarget, h.bootedChecksum());
    new BootCommand(h.ctx()).run();
    HostStatus s = h.status();
    assertFalse(s.state() == HostState.Booted, "booted by checksum alone: " + s.state() + ": " + s.message());
  }

  @Test
  void anImageHostRefusesTypeOstree() {
    TestHost h = new TestHost(root, true);
    UpdateRequest ostree = h.request();
    h.imageMode();
    h.writeRequest(ostree);
    assertEquals(1, apply(h));
    assertTrue(h.status().message().contains("request type ostree but this host boots a container image"),
        h.status().message());
    assertTrue(h.status().message().contains("use type image"), h.status().message());
  }

  /**
   * bootc before v1.12.0 has no upgrade --download-only or --from-downloaded (bootc-dev/bootc
   * c325582f, a5784832): Prepare refuses before bootc switch would stage the image unlocked.
   */
  @Test
  void aBootcWithoutDownloadOnlyStagingIsRefusedBeforeAnythingIsStaged() {
    TestHost h = imageHost();
    h.runner.bootc().version("1.1.6");
    h.writeRequest(request(h, 1, Action.Prepare));
    assertEquals(1, apply(h));
    String m = h.status().message();
    assertTrue(m.contains("bootc 1.1.6 on this host cannot stage an image without applying it")
        && m.contains("came in bootc 1.12.0"), m);
    assertTrue(h.runner.actions().isEmpty(), "nothing staged: " + h.runner.actions());
    assertTrue(h.microshiftActive);
    CommandRunner.Result old = h.runner.run(List.of("bootc", "upgrade", "--download-only"));
    assertEquals(2, old.exitCode(), "clap refuses the option it does not know");
    assertTrue(Bootc.stagesDownloadOnly("1.12.0") && Bootc.stagesDownloadOnly("2.0.1") && !Bootc.stagesDownloadOnly("1.11.9"));
  }

  @Test
  void anRpmOstreeHostRefusesTypeImage() {
    TestHost h = new TestHost(root, true);
    UpdateRequest image = withTarget(h.request(), UpdateRequest.UpdateType.IMAGE,
        UpdateRequest.Target.image(TestHost.TARGET, TestHost.IMAGE_TARGET, false, null));
    h.writeRequest(image);
    assertEquals(1, apply(h));
    String m = h.status().message();
    assertTrue(m.contains("status.booted.image is null") && m.contains("use type ostree"), m);
    assertTrue(h.runner.actions().isEmpty(), "nothing staged: " + h.runner.actions());
  }

  @Test
  void anRpmHostRefusesTypeImage() {
    TestHost h = new TestHost(root, false);
    UpdateRequest image = withTarget(h.request(), UpdateRequest.UpdateType.IMAGE,
        UpdateRequest.Target.image(TestHost.TARGET, TestHost.IMAGE_TARGET, false, null));
    h.writeRequest(image);
    assertEquals(1, apply(h));
    assertTrue(h.status().message().contains("request type image but this host is not ostree-based"),
        h.status().message());
  }

  @Test
  void theBootedImageIsRefusedAsTarget() {
    TestHost h = new TestHost(root, true).imageMode();
    h.writeRequest(withTarget(h.request(), UpdateRequest.UpdateType.IMAGE,
        UpdateRequest.Target.image(TestHost.TARGET, TestHost.IMAGE_FROM, false, null)));
    assertEquals(1, apply(h));
    assertTrue(h.status().message().contains("is already booted"), h.status().message());
  }

  @Test
  void aTagTargetWithTheOptInIsSwitchedToByTag() {
    TestHost h = new TestHost(root, true).imageMode();
    String tag = TestHost.IMAGE_REPO + ":" + TestHost.TARGET;
    h.writeRequest(withTarget(h.request(), UpdateRequest.UpdateType.IMAGE,
        UpdateRequest.Target.image(TestHost.TARGET, tag, true, null)));
    assertEquals(0, apply(h), h.status().message());
    assertTrue(h.runner.actions().contains(List.of("bootc", "switch", tag)), h.runner.actions().toString());
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state(), h.status().message());
  }

  @Test
  void anImageTheRegistryLacksFailsStagingWithBootcsError() {
    TestHost h = new TestHost(root, true).imageMode();
    String missing = TestHost.IMAGE_REPO + "@sha256:" + "c3".repeat(32);
    h.writeRequest(withTarget(h.request(), UpdateRequest.UpdateType.IMAGE,
        UpdateRequest.Target.image(TestHost.TARGET, missing, false, null)));
    assertEquals(1, apply(h));
    String m = h.status().message();
    assertTrue(m.startsWith("staging failed") && m.contains("manifest unknown"), m);
    assertTrue(h.microshiftActive);
    assertNull(h.ctx().image().status().staged().orElse(null));
  }
}
