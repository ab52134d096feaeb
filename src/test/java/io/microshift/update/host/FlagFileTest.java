package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, defect 10: the in-flight flag the boot unit and the greenboot scripts test in shell,
 * kept with every host-status.json write; and the attempts counted from our own records.
 */
class FlagFileTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  private static boolean flag(TestHost h) {
    return Files.exists(h.paths.inFlightFlag(), LinkOption.NOFOLLOW_LINKS);
  }

  private static int check(TestHost h) throws InterruptedException {
    return new GreenbootCommands(h.ctx()).check(new PrintStream(new ByteArrayOutputStream(), true));
  }

  @Test
  void theFlagExistsExactlyWhileTheRecordedStateIsNotTerminal() throws Exception {
    TestHost h = new TestHost(root, true);
    assertFalse(flag(h), "no update yet");
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    assertEquals(HostState.Booted, h.status().state());
    assertTrue(flag(h), "Booted: in flight");
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    assertEquals(0, check(h));
    assertEquals(0, new GreenbootCommands(h.ctx()).green());
    assertEquals(HostState.Committed, h.status().state());
    assertFalse(flag(h), "Committed: nothing in flight, the greenboot scripts start no JVM");
  }

  @Test
  void theFlagIsThereAtEveryInstantOfEveryWriteOfAnUpdateUntilTheTerminalOneLanded() throws Exception {
    TestHost h = new TestHost(root, true);
    List<String> checked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    // each write's temp file is written and not yet renamed: a power cut here keeps the previous
    // file, so the flag must already be there (set before) and still be there (cleared after)
    io.microshift.update.marker.CrashHook hook = point -> {
      if (point.endsWith(".temp-written")) {
        checked.add(point);
        if (!flag(h)) {
          problems.add("no flag at " + point);
        }
      }
    };
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx(hook)).run());
    h.rebootIntoDefault();
    assertEquals(0, new BootCommand(h.ctx(hook)).run());
    h.startMicroShift(TestHost.TARGET);
    h.verify(req, UpdateRequest.VerificationResult.Passed);
    assertEquals(0, new GreenbootCommands(h.ctx(hook)).check(new PrintStream(new ByteArrayOutputStream(), true)));
    assertEquals(0, new GreenbootCommands(h.ctx(hook)).green());
    assertTrue(checked.stream().anyMatch(p -> p.contains("write-Staging")), checked.toString());
    assertTrue(checked.stream().anyMatch(p -> p.contains("write-Committed")), checked.toString());
    assertTrue(problems.isEmpty(), problems.toString());
    assertFalse(flag(h));
  }

  @Test
  void aStaleFlagCostsOneJvmStartThatRemovesIt() throws Exception {
    TestHost h = new TestHost(root, true);
    Files.writeString(h.paths.inFlightFlag(), "");
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertFalse(flag(h), "the boot unit removed the stale flag");
    Files.writeString(h.paths.inFlightFlag(), "");
    assertEquals(0, check(h));
    assertFalse(flag(h), "the greenboot check removed the stale flag");
  }

  @Test
  void aFlagPlantedAsASymlinkIsNeverFollowed() throws Exception {
    TestHost h = new TestHost(root, true);
    Path target = root.resolve("elsewhere");
    Files.writeString(target, "keep");
    Files.createSymbolicLink(h.paths.inFlightFlag(), target);
    h.updateAndBootTarget(h.request());
    assertTrue(Files.isSymbolicLink(h.paths.inFlightFlag()), "left as it is while in flight");
    assertEquals("keep", Files.readString(target));
    h.ctx().recorder().settled(java.util.Optional.empty());
    assertFalse(Files.exists(h.paths.inFlightFlag(), LinkOption.NOFOLLOW_LINKS), "the link itself removed");
    assertEquals("keep", Files.readString(target), "its target untouched");
  }

  @Test
  void redRunAgainOnTheSameBootCountsTheAttemptOnce() throws Exception {
    TestHost h = new TestHost(root, true);
    h.updateAndBootTarget(h.request());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals(HostState.Unhealthy, h.status().state());
    assertEquals(1, h.status().greenbootAttempts(), "one failed boot, one attempt");
    h.rebootIntoDefault(); // greenboot's (or greenboot-rs's) next attempt on the target
    assertEquals(0, new BootCommand(h.ctx()).run());
    h.startMicroShift(TestHost.TARGET);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    assertEquals(2, h.status().greenbootAttempts());
  }

  @Test
  void theCheckStaysStrictOnARetryBootWhoseBootUnitDidNotRun() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    h.rebootIntoDefault(); // the target again; the boot unit failed (say its JVM did not start)
    h.startMicroShift(TestHost.TARGET);
    h.verify(req, UpdateRequest.VerificationResult.Failed);
    assertEquals(1, check(h), "the operator's failed verification of this boot fails the check");
    assertEquals(HostState.Booted, h.status().state());
    assertEquals(h.bootId(), h.status().bootIdAfter());
  }
}
