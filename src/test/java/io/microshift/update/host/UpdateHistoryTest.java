package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.host.CrashAt.SimulatedCrash;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history.json: one record per update that ended, written once, kept across reruns, shown by {@code status}. */
class UpdateHistoryTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private static UpdateHistory history(TestHost h) {
    return MarkerFiles.readHistory(h.paths.stateDir(), TestHost.UID).orElseThrow();
  }

  private static String status(TestHost h, int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    new StatusCommand(h.ctx()).run(new PrintStream(b, true), n);
    return b.toString();
  }

  /** An ostree update greenboot rejects once, then the fallback boot restores the data. */
  private static UpdateRequest rollBack(TestHost h, io.microshift.update.marker.CrashHook crashAtRestore) throws Exception {
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    h.rebootIntoPrevious();
    Files.createDirectories(h.paths.microshiftBackups());
    Files.writeString(h.paths.microshiftRestoreMarker(), "");
    new BootCommand(h.ctx(crashAtRestore)).run();
    return req;
  }

  @Test
  void aRollbackIsRecordedOnceWithItsFactsAndStatusPrintsIt() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = rollBack(h, io.microshift.update.marker.CrashHook.NONE);
    assertEquals(HostState.Restored, h.status().state());

    UpdateHistory.Update u = history(h).updates().get(0);
    assertEquals(1, history(h).updates().size());
    assertEquals(req.plan().name(), u.planName());
    assertEquals(req.plan().uid(), u.planUid());
    assertEquals(req.sequence(), u.sequence());
    assertEquals(UpdateHistory.Outcome.RolledBack, u.outcome());
    assertEquals(HostState.Restored, u.hostState());
    assertEquals(TestHost.FROM, u.fromVersion());
    assertEquals(TestHost.TARGET, u.targetVersion());
    assertEquals(TestHost.BACKUP_ID, u.backupId());
    assertEquals(TestHost.BACKUP_ID, u.restoredBackupId());
    assertEquals(h.commitFrom, u.deploymentAfter());
    assertEquals(h.commitTarget, u.targetDeployment());
    assertEquals(1, u.greenbootAttempts());
    assertEquals(h.status().history().get(0).time(), u.startedAt());
    assertEquals(h.status().updatedAt(), u.finishedAt());
    assertNotNull(u.message());

    // the verbs run again on later boots (and after power cuts): no second record
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(1, history(h).updates().size());

    String out = status(h, 3);
    assertTrue(out.contains("history:      the last 1 of 1 updates"), out);
    assertTrue(out.lines().anyMatch(l -> l.contains("RolledBack") && l.contains(req.plan().name())
        && l.contains(TestHost.FROM + " -> " + TestHost.TARGET) && l.contains(TestHost.BACKUP_ID)), out);
    assertFalse(status(h, 0).contains("history:"), "--history 0 lists none");
  }

  @Test
  void aPowerCutBeforeTheHistoryIsWrittenIsMadeGoodByTheNextBootsVerb() throws Exception {
    TestHost h = new TestHost(root, true);
    assertThrows(SimulatedCrash.class, () -> rollBack(h, new CrashAt(CrashPoints.HISTORY_WRITE)));
    assertEquals(HostState.Restored, h.status().state());
    assertTrue(MarkerFiles.readHistory(h.paths.stateDir(), TestHost.UID).isEmpty(), "cut before the rename");
    assertTrue(Files.exists(h.paths.inFlightFlag()), "the flag stays until the history is recorded");

    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(List.of(UpdateHistory.Outcome.RolledBack),
        history(h).updates().stream().map(UpdateHistory.Update::outcome).toList());
    assertFalse(Files.exists(h.paths.inFlightFlag()));
  }

  @Test
  void aManualRestoreAfterAFailedRpmUpdateReplacesTheSameUpdatesRecord() {
    TestHost h = new TestHost(root, false);
    h.updateAndBootTarget(h.request());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals(List.of(UpdateHistory.Outcome.Failed),
        history(h).updates().stream().map(UpdateHistory.Update::outcome).toList());
    h.microshiftActive = false;
    assertEquals(0, new RestoreCommand(h.ctx()).run(TestHost.BACKUP_ID, new PrintStream(new ByteArrayOutputStream())));
    UpdateHistory.Update u = history(h).updates().get(0);
    assertEquals(1, history(h).updates().size(), "same plan uid and sequence: one update, one record");
    assertEquals(UpdateHistory.Outcome.Restored, u.outcome());
    assertEquals(TestHost.BACKUP_ID, u.restoredBackupId());
  }

  @Test
  void aSymlinkPlantedAsHistoryJsonIsReplacedNeverFollowed() throws Exception {
    TestHost h = new TestHost(root, false);
    Path victim = root.resolve("victim");
    Files.writeString(victim, "keep me");
    Files.createDirectories(h.paths.stateDir());
    Files.createSymbolicLink(MarkerFiles.historyFile(h.paths.stateDir()), victim);
    assertTrue(status(h, 5).contains("history:      REFUSED:"), "status refuses the symlink");

    h.updateAndBootTarget(h.request());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals("keep me", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(MarkerFiles.historyFile(h.paths.stateDir())));
    assertEquals(1, history(h).updates().size());
  }

  @Test
  void statusTakesHistoryWithACountAndRefusesAnythingElse() {
    TestHost h = new TestHost(root, false);
    String[] base = {"--root", root.toString(), "--marker-owner", String.valueOf(TestHost.UID), "status"};
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    assertEquals(0, HostCli.run(concat(base, "--history", "3"), quiet, quiet));
    assertEquals(2, HostCli.run(concat(base, "--history", "21"), quiet, quiet));
    assertEquals(2, HostCli.run(concat(base, "--history", "-1"), quiet, quiet));
    assertEquals(2, HostCli.run(concat(base, "--history"), quiet, quiet));
    assertEquals(2, HostCli.run(concat(base, "3"), quiet, quiet));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
