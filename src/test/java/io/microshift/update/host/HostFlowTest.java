package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole updates on a simulated host: success (ostree, rpm) and rollback with the data restored. */
class HostFlowTest {
  @TempDir Path root;

  @org.junit.jupiter.api.AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private static String out(java.util.function.Function<PrintStream, Integer> f, int[] rc) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    rc[0] = f.apply(new PrintStream(b, true));
    return b.toString();
  }

  private int check(TestHost h, String[] message) {
    int[] rc = {0};
    message[0] = out(ps -> {
      try {
        return new GreenbootCommands(h.ctx()).check(ps);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }, rc);
    return rc[0];
  }

  @Test
  void ostreeUpdateSucceedsWithExactCommandsAndPrunesOldBackups() throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    for (String old : List.of("old-1", "old-2", "old-3")) {
      Path set = h.paths.stateDir().resolve("backups").resolve(old);
      Files.createDirectories(set);
      Files.writeString(set.resolve("manifest.json"), "{}");
      Files.setLastModifiedTime(set.resolve("manifest.json"),
          java.nio.file.attribute.FileTime.fromMillis(1000L * old.hashCode()));
    }
    UpdateRequest req = h.request();
    h.writeRequest(req);

    assertEquals(0, new ApplyCommand(h.ctx()).run());

    Path backups = h.paths.stateDir().resolve("backups/" + TestHost.BACKUP_ID);
    assertEquals(List.of(
        List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget, "--lock-finalization"),
        List.of("systemctl", "stop", "microshift.service"),
        List.of("cp", "--reflink=auto", "-a", h.paths.microshiftData().toString(), backups.resolve("data.tmp").toString()),
        List.of("sync", "--file-system", backups.resolve("data.tmp").toString()),
        // the staged deployment's base commit: rpm-ostree unlocks its finalization and reboots
        List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", h.commitTarget)), h.runner.actions());
    assertTrue(h.rebootRequested);
    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state());
    assertEquals(h.commitFrom, s.deploymentBefore());
    assertEquals(h.commitTarget, s.targetDeployment());
    assertEquals(h.bootId(), s.bootIdBefore());
    assertEquals(original, TestHost.digest(backups.resolve("data")));
    assertEquals(HostStatus.CopyMethod.cp, s.dataCopy().method());

    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    s = h.status();
    assertEquals(HostState.Booted, s.state());
    assertEquals(h.commitTarget, s.deploymentAfter());
    assertEquals(h.bootId(), s.bootIdAfter());

    h.startMicroShift(TestHost.TARGET);
    String[] msg = {null};
    h.now = h.now.plusSeconds(1);
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    assertEquals(0, check(h, msg), msg[0]);
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    s = h.status();
    assertEquals(HostState.Committed, s.state());
    assertEquals(List.of(HostState.Staging, HostState.Staged, HostState.Rebooting, HostState.Booted,
        HostState.Healthy, HostState.Committed), s.history().stream().map(HostStatus.HistoryEntry::state).toList());
    List<String> left = h.ctx().backups().list().stream().map(b -> b.id()).toList();
    assertTrue(left.contains(TestHost.BACKUP_ID), left.toString());
    assertEquals(2, left.size(), "retention 2 keeps the update's set and the newest other: " + left);

    // a later boot: nothing to do
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Committed, h.status().state());
  }

  @Test
  void rpmUpdateSucceedsWithExactPackageSet() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    Path tmp = h.paths.stateDir().resolve("backups/" + TestHost.BACKUP_ID + "/data.tmp");
    List<String> pkgs = req.target().packages();
    List<String> download = new java.util.ArrayList<>(List.of("dnf", "install", "-y", "--downloadonly"));
    download.addAll(pkgs);
    List<String> install = new java.util.ArrayList<>(List.of("dnf", "install", "-y"));
    install.addAll(pkgs);
    assertEquals(List.of(download,
        List.of("systemctl", "stop", "microshift.service"),
        List.of("cp", "--reflink=auto", "-a", h.paths.microshiftData().toString(), tmp.toString()),
        List.of("sync", "--file-system", tmp.toString()),
        install,
        List.of("systemctl", "reboot")), h.runner.actions());
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(HostState.Booted, h.status().state());
    h.startMicroShift(TestHost.TARGET);
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    String[] msg = {null};
    assertEquals(0, check(h, msg), msg[0]);
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(HostState.Committed, h.status().state());
  }

  @Test
  void ostreeRollbackRestoresTheDataDirByteForByte() throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    Map<String, String> migrated = TestHost.digest(h.paths.microshiftData());
    assertNotEquals(original, migrated);

    h.verify(req, UpdateRequest.VerificationResult.Failed);
    String[] msg = {null};
    assertEquals(1, check(h, msg));
    assertTrue(msg[0].contains("deployment web did not become ready"), msg[0]);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals(HostState.Unhealthy, h.status().state());
    assertEquals(1, h.status().greenbootAttempts());

    // greenboot's fallback boots the previous deployment; MicroShift's red.d left its marker
    h.rebootIntoPrevious();
    Files.createDirectories(h.paths.microshiftBackups());
    Files.writeString(h.paths.microshiftRestoreMarker(), "");
    assertEquals(0, new BootCommand(h.ctx()).run());

    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertEquals(TestHost.BACKUP_ID, s.restoredBackupId());
    assertTrue(s.message().contains("data dir version " + TestHost.FROM), s.message());
    assertEquals(h.commitFrom, s.deploymentAfter());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()));
    assertEquals(migrated, TestHost.digest(h.paths.host(s.failedDataPath())), "the failed data dir is kept");
    assertFalse(Files.exists(h.paths.microshiftRestoreMarker()), "MicroShift must not restore a second time");
    assertEquals(List.of(HostState.RolledBack, HostState.Restored),
        s.history().subList(s.history().size() - 2, s.history().size()).stream().map(HostStatus.HistoryEntry::state).toList());
    // greenboot's checks on the rolled-back boot do nothing
    assertEquals(0, check(h, msg));
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(HostState.Restored, h.status().state());
  }

  @Test
  void aDataDirCreatedWhileARestoreWasInterruptedIsKeptAsideAndTheBackupStillRestored() throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    h.rebootIntoPrevious();
    // the boot unit dies right after moving the failed data dir aside ...
    CrashAt crash = new CrashAt(CrashPoints.BOOT_DATA_MOVED_ASIDE);
    org.junit.jupiter.api.Assertions.assertThrows(CrashAt.SimulatedCrash.class,
        () -> new BootCommand(h.ctx(crash)).run());
    assertFalse(Files.exists(h.paths.microshiftData()));
    // ... and systemd starts MicroShift anyway (Before= is only an order): a new, empty data dir
    Files.createDirectories(h.paths.microshiftData().resolve("etcd/member/snap"));
    Files.writeString(h.paths.microshiftData().resolve("etcd/member/snap/db"), "a fresh, empty cluster");
    Map<String, String> fresh = TestHost.digest(h.paths.microshiftData());

    h.powerCut();
    assertEquals(0, new BootCommand(h.ctx()).run());

    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()), "the backup is restored, not the empty dir");
    assertTrue(Files.readString(h.paths.stateDir().resolve("restore.json")).contains("\"state\":\"Done\""));
    Path aside = h.paths.host(s.failedDataPath());
    try (var siblings = Files.list(aside.getParent())) {
      List<Path> kept = siblings.filter(p -> p.getFileName().toString().startsWith(aside.getFileName() + ".found-while-restoring-")).toList();
      assertEquals(1, kept.size(), "the data dir that appeared is kept aside");
      assertEquals(fresh, TestHost.digest(kept.get(0)));
    }
  }

  @Test
  void usesMicroShiftsOwnBackupAndRestoreVerbsWhenInstalled() throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.microshiftHasBackupVerbs(true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    Path set = h.paths.stateDir().resolve("backups/" + TestHost.BACKUP_ID);
    assertTrue(h.runner.actions().contains(List.of("microshift", "backup", set.resolve("data.tmp").toString())));
    assertFalse(h.runner.actions().stream().anyMatch(a -> a.get(0).equals("cp")));
    assertEquals(HostStatus.CopyMethod.microshift, h.status().dataCopy().method());
    h.rebootIntoDefault();
    new BootCommand(h.ctx()).run();
    h.startMicroShift(TestHost.TARGET);
    new GreenbootCommands(h.ctx()).red();
    h.rebootIntoPrevious();
    h.runner.clearCalls();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertTrue(h.runner.actions().contains(List.of("microshift", "restore", set.resolve("data").toString())), h.runner.actions().toString());
    assertEquals(HostState.Restored, h.status().state());
    assertEquals(original, TestHost.digest(h.paths.microshiftData()));
  }

  @Test
  void rpmFailureLeavesFailedWithTheRestoreCommandAndManualRestoreWorks() {
    TestHost h = new TestHost(root, false);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    h.updateAndBootTarget(h.request());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("microshift-update restore " + TestHost.BACKUP_ID), s.message());

    int[] rc = {0};
    String text = out(ps -> new RestoreCommand(h.ctx()).run(TestHost.BACKUP_ID, ps), rc);
    assertEquals(1, rc[0]);
    assertTrue(text.contains("microshift.service is running"), text);
    h.microshiftActive = false;
    text = out(ps -> new RestoreCommand(h.ctx()).run(TestHost.BACKUP_ID, ps), rc);
    assertEquals(0, rc[0], text);
    assertEquals(original, TestHost.digest(h.paths.microshiftData()));
    assertEquals(HostState.Restored, h.status().state());
    text = out(ps -> new RestoreCommand(h.ctx()).run("../etc", ps), rc);
    assertEquals(1, rc[0]);
  }

  @Test
  void greenbootCheckTimesOutWithAClearReason() {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    java.time.Instant start = h.now;
    String[] msg = {null};
    assertEquals(1, check(h, msg));
    assertTrue(msg[0].contains("timed out after 600s waiting for the operator's verification"), msg[0]);
    assertTrue(java.time.Duration.between(start, h.now).getSeconds() >= 600);
    assertTrue(java.time.Duration.between(start, h.now).getSeconds() <= 610);

    // a verification of an earlier boot does not count
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    h.rebootIntoDefault();
    new BootCommand(h.ctx()).run();
    h.startMicroShift(TestHost.TARGET);
    assertEquals(1, check(h, msg));
    assertTrue(msg[0].contains("latest is for boot"), msg[0]);
  }
}
