package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Staging}'s decisions on an ostree host, with the {@link Ostree} and {@link Systemd}
 * boundaries faked: what it asks of the tools, not their argv (the adapter tests check those).
 */
class StagingTest {
  static final String BOOTED = "a".repeat(64);
  static final String STAGED = "b".repeat(64);
  static final String LOCAL = "e".repeat(64);

  @TempDir Path root;

  /** An {@link Ostree} whose deployments the test sets, recording what it is asked to do. */
  static final class FakeOstree implements Ostree {
    final List<String> done = new ArrayList<>();
    List<RpmOstree.Deployment> deployments = new ArrayList<>();
    RuntimeException cleanupFails;
    RpmOstree.Deployment stages;

    @Override
    public RpmOstree.Status status() {
      return new RpmOstree.Status(List.copyOf(deployments), Optional.empty());
    }

    @Override
    public String stageLocked(String ref, String commit, boolean bypassDriver) {
      done.add("stage " + ref + " " + commit + " " + bypassDriver);
      if (stages != null) {
        deployments.add(0, stages);
      }
      return "stage";
    }

    @Override
    public boolean finalizationLocked(RpmOstree.Deployment staged) {
      return staged.finalizationLocked();
    }

    @Override
    public void finalizeDeployment(String baseChecksum) {
      done.add("finalize " + baseChecksum);
    }

    @Override
    public void cleanupPending() {
      done.add("cleanup");
      if (cleanupFails != null) {
        throw cleanupFails;
      }
    }

    @Override
    public void rollback() {
      done.add("rollback");
    }

    @Override
    public Optional<String> cat(String commit, String path) {
      return Optional.empty();
    }
  }

  /** A {@link Systemd} that records the reboot and every other verb. */
  static final class FakeSystemd implements Systemd {
    final List<String> done = new ArrayList<>();

    @Override public boolean isActive(String unit) { return true; }
    @Override public String activeState(String unit) { return "active"; }
    @Override public void start(String unit) { done.add("start " + unit); }
    @Override public void stop(String unit) { done.add("stop " + unit); }
    @Override public void restart(String unit) { done.add("restart " + unit); }
    @Override public void reboot() { done.add("reboot"); }
  }

  private final FakeOstree ostree = new FakeOstree();
  private final FakeSystemd systemd = new FakeSystemd();
  private TestHost host;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private Staging staging() {
    host = new TestHost(root, true);
    HostContext ctx = host.ctx();
    ctx.tools(ctx.tools().withOstree(ostree).withSystemd(systemd));
    return new Staging(ctx);
  }

  private static RpmOstree.Deployment booted() {
    return new RpmOstree.Deployment(BOOTED, true, false, "edge:rhel/9/x86_64/edge");
  }

  @Test
  void aLockedStagedDeploymentIsFinalizedByItsBaseCommit() {
    Staging s = staging();
    ostree.deployments = new ArrayList<>(List.of(
        new RpmOstree.Deployment(LOCAL, false, true, "edge:x", STAGED, null, true), booted()));
    s.finalizeAndReboot(host.request());
    assertEquals(List.of("finalize " + STAGED), ostree.done);
    assertEquals(List.of(), systemd.done);
  }

  /**
   * rpm-ostree since v2024.6 reports no finalization-locked for a deployment it staged locked
   * (RpmOstree.finalizationLocked): a reboot without finalize-deployment would leave it unfinalized
   * and boot the old deployment again, so a staged deployment is always finalized (--allow-unlocked).
   */
  @Test
  void aStagedDeploymentReportedUnlockedIsFinalizedAllTheSame() {
    Staging s = staging();
    ostree.deployments = new ArrayList<>(List.of(
        new RpmOstree.Deployment(STAGED, false, true, "edge:x", STAGED, null, false), booted()));
    s.finalizeAndReboot(host.request());
    assertEquals(List.of("finalize " + STAGED), ostree.done);
    assertEquals(List.of(), systemd.done);
  }

  @Test
  void aPendingDeploymentThatIsNotStagedNeedsOnlyTheReboot() {
    Staging s = staging();
    ostree.deployments = new ArrayList<>(List.of(
        new RpmOstree.Deployment(STAGED, false, false, "edge:x", STAGED, null, false), booted()));
    s.finalizeAndReboot(host.request());
    assertEquals(List.of(), ostree.done);
    assertEquals(List.of("reboot"), systemd.done);
  }

  @Test
  void thePendingDeploymentIsRemovedAndACleanupThatFailsSaysWhatToRun() {
    Staging s = staging();
    UpdateRequest req = host.request();
    assertEquals("", s.removeStaged(req));
    assertEquals(List.of(), ostree.done);
    ostree.deployments = new ArrayList<>(List.of(new RpmOstree.Deployment(STAGED, false, true, "edge:x"), booted()));
    assertEquals("; the staged deployment was removed (rpm-ostree cleanup --pending)", s.removeStaged(req));
    ostree.cleanupFails = new HostException("rpm-ostree cleanup --pending failed with exit code 1");
    String message = s.removeStaged(req);
    assertTrue(message.endsWith("run rpm-ostree cleanup --pending before the next reboot"), message);
  }

  @Test
  void stagesTheTargetRefAndCommitOnceAndChecksWhatWasStaged() {
    Staging s = staging();
    UpdateRequest req = host.request();
    ostree.deployments = new ArrayList<>(List.of(booted()));
    String target = req.target().ostreeCommit();
    ostree.stages = new RpmOstree.Deployment(target, false, true,
        RpmOstree.completedRefspec(req.target().ostreeRef(), booted().origin()));
    assertEquals(target, s.stage(req));
    assertEquals(List.of("stage " + req.target().ostreeRef() + " " + target + " false"), ostree.done);
    assertEquals(target, s.stage(req), "already staged: staged again as is");
    assertEquals(1, ostree.done.size(), ostree.done.toString());
  }

  @Test
  void aStagedDeploymentThatIsNotTheTargetIsRefused() {
    Staging s = staging();
    UpdateRequest req = host.request();
    ostree.deployments = new ArrayList<>(List.of(booted()));
    ostree.stages = new RpmOstree.Deployment(STAGED, false, true, "edge:other/ref");
    HostException e = assertThrows(HostException.class, () -> s.stage(req));
    assertTrue(e.getMessage().contains("does not match the target"), e.getMessage());
  }
}
