package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.microshift.update.host.CrashAt.SimulatedCrash;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A crash (the agent dies, same boot) or a power cut (a new boot; an unfinalized staged
 * deployment is lost) at every named point of {@code apply} and {@code boot}; then the units run
 * again. The outcome is always Committed or Restored, and the data dir is never lost.
 */
class CrashMatrixTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  static Stream<Arguments> applyPoints() {
    List<Arguments> out = new ArrayList<>();
    for (boolean ostree : new boolean[] {true, false}) {
      for (String p : CrashPoints.APPLY) {
        for (boolean powerCut : new boolean[] {false, true}) {
          out.add(Arguments.of(ostree ? "ostree" : "rpm", p, powerCut ? "power-cut" : "crash"));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} apply {2} at {1}")
  @MethodSource("applyPoints")
  void applyInterruptedAnywhereStillSucceeds(String type, String point, String how) {
    TestHost h = new TestHost(root, type.equals("ostree"));
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.writeRequest(req);
    CrashAt crash = new CrashAt(point);
    boolean reached;
    try {
      new ApplyCommand(h.ctx(crash)).run();
      reached = false;
    } catch (SimulatedCrash e) {
      reached = true;
    }
    assumeTrue(reached, point + " is not on the " + type + " path");
    assertDataNeverLost(h);
    h.statusIfAny(); // host-status.json is always readable (or absent): old or new, never torn
    if (how.equals("power-cut")) {
      boolean rebootWasRequested = h.rebootRequested;
      if (rebootWasRequested) {
        h.rebootIntoDefault(); // the reboot went through before power was lost
      } else {
        h.powerCut();
      }
      assertEquals(0, new BootCommand(h.ctx()).run());
      if (h.statusIfAny().map(HostStatus::state).orElse(null) != HostState.Booted) {
        h.microshiftActive = true; // microshift.service starts the old version again
      }
    }
    driveToCommitted(h, req);
    HostStatus s = h.status();
    assertEquals(HostState.Committed, s.state(), s.message());
    Path copy = h.ctx().backups().dataDir(TestHost.BACKUP_ID);
    assertEquals(original, TestHost.digest(copy), "the backup holds the pre-update data");
    assertEquals(List.of(), leftovers(h), "no temp dirs left behind");
  }

  /** The units run as they would: apply until the reboot, boot, MicroShift, greenboot. */
  private void driveToCommitted(TestHost h, UpdateRequest req) {
    for (int i = 0; i < 6; i++) {
      HostState st = h.statusIfAny().map(HostStatus::state).orElse(null);
      if (st == HostState.Committed) {
        return;
      }
      if (st == HostState.Booted) {
        h.startMicroShift(TestHost.TARGET);
        h.verify(req, UpdateRequest.VerificationResult.Passed);
        try {
          assertEquals(0, new GreenbootCommands(h.ctx()).check(System.out));
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        assertEquals(0, new GreenbootCommands(h.ctx()).green());
      } else if (h.rebootRequested) {
        h.rebootIntoDefault();
        assertEquals(0, new BootCommand(h.ctx()).run());
      } else {
        assertEquals(0, new ApplyCommand(h.ctx()).run());
      }
    }
    throw new AssertionError("did not reach Committed; state " + h.status().state() + ": " + h.status().message());
  }

  static Stream<Arguments> bootPoints() {
    List<Arguments> out = new ArrayList<>();
    for (String p : CrashPoints.BOOT) {
      for (boolean verbs : new boolean[] {false, true}) {
        for (boolean powerCut : new boolean[] {false, true}) {
          out.add(Arguments.of(p, powerCut ? "power-cut" : "crash", verbs ? "microshift backup/restore" : "cp"));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "boot {1} at {0} with {2}")
  @MethodSource("bootPoints")
  void bootInterruptedAnywhereStillRollsBackOrSucceeds(String point, String how, String copyTool) throws Exception {
    TestHost h = new TestHost(root, true);
    h.runner.microshiftHasBackupVerbs(copyTool.startsWith("microshift"));
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    Map<String, String> backup = TestHost.digest(h.ctx().backups().dataDir(TestHost.BACKUP_ID));
    h.rebootIntoDefault();

    if (point.equals(CrashPoints.BOOT_WRITE_BOOTED) && how.equals("crash") && copyTool.equals("cp")) {
      // the boot unit died on the target boot; greenboot's check still sees the update
      assertThrows(SimulatedCrash.class, () -> new BootCommand(h.ctx(new CrashAt(point))).run());
      h.startMicroShift(TestHost.TARGET);
      h.verify(req, UpdateRequest.VerificationResult.Passed);
      assertEquals(0, new GreenbootCommands(h.ctx()).check(System.out));
      assertEquals(HostState.Booted, h.status().state());
      assertEquals(0, new GreenbootCommands(h.ctx()).green());
      assertEquals(HostState.Committed, h.status().state());
      return;
    }
    if (point.equals(CrashPoints.BOOT_WRITE_BOOTED)) {
      assertThrows(SimulatedCrash.class, () -> new BootCommand(h.ctx(new CrashAt(point))).run());
      if (how.equals("power-cut")) {
        h.rebootIntoDefault(); // grub tries the target again
      }
      assertEquals(0, new BootCommand(h.ctx()).run());
      driveToCommitted(h, req);
      assertEquals(HostState.Committed, h.status().state());
      return;
    }

    assertEquals(0, new BootCommand(h.ctx()).run());
    h.startMicroShift(TestHost.TARGET);
    assertEquals(0, new GreenbootCommands(h.ctx()).red());
    h.rebootIntoPrevious();
    Files.createDirectories(h.paths.microshiftBackups());
    Files.writeString(h.paths.microshiftRestoreMarker(), "");

    assertThrows(SimulatedCrash.class, () -> new BootCommand(h.ctx(new CrashAt(point))).run());
    assertDataNeverLost(h);
    h.status();
    if (how.equals("power-cut")) {
      h.powerCut();
      assertDataNeverLost(h);
    }
    assertEquals(0, new BootCommand(h.ctx()).run());
    HostStatus s = h.status();
    assertEquals(HostState.Restored, s.state(), s.message());
    assertEquals(backup, TestHost.digest(h.paths.microshiftData()), "restored byte for byte");
    assertTrue(Files.isDirectory(h.paths.host(s.failedDataPath())), "the failed data dir is kept");
    assertEquals(List.of(), leftovers(h), "no temp dirs left behind");
    // boot runs again on every later boot: nothing more happens
    h.rebootIntoPrevious();
    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(backup, TestHost.digest(h.paths.microshiftData()));
  }

  static Stream<Arguments> greenbootPoints() {
    return CrashPoints.GREENBOOT.stream().flatMap(p -> Stream.of(Arguments.of(p, "crash"), Arguments.of(p, "power-cut")));
  }

  @ParameterizedTest(name = "greenboot {1} at {0}")
  @MethodSource("greenbootPoints")
  void greenbootHooksInterruptedAnywhereStillFinish(String point, String how) throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> original = TestHost.digest(h.paths.microshiftData());
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    boolean red = point.equals(CrashPoints.GREENBOOT_WRITE_UNHEALTHY);
    GreenbootCommands crashing = new GreenbootCommands(h.ctx(new CrashAt(point)));
    assertThrows(SimulatedCrash.class, () -> {
      if (red) {
        crashing.red();
      } else {
        crashing.green();
      }
    });
    h.status();
    if (how.equals("power-cut")) {
      h.rebootIntoDefault(); // the target boots again
      assertEquals(0, new BootCommand(h.ctx()).run());
      assertEquals(HostState.Booted, h.status().state());
      h.startMicroShift(TestHost.TARGET);
    }
    if (red) {
      assertEquals(0, new GreenbootCommands(h.ctx()).red());
      assertEquals(1, h.status().greenbootAttempts(), "the interrupted attempt is not counted twice");
      h.rebootIntoPrevious();
      assertEquals(0, new BootCommand(h.ctx()).run());
      assertEquals(HostState.Restored, h.status().state());
      assertEquals(original, TestHost.digest(h.paths.microshiftData()));
    } else {
      h.verify(req, UpdateRequest.VerificationResult.Passed);
      assertEquals(0, new GreenbootCommands(h.ctx()).check(System.out));
      assertEquals(0, new GreenbootCommands(h.ctx()).green());
      assertEquals(HostState.Committed, h.status().state());
    }
  }

  /** /var/lib/microshift exists, or was moved aside intact to the recorded failed-data path. */
  private static void assertDataNeverLost(TestHost h) throws java.io.UncheckedIOException {
    if (Files.isDirectory(h.paths.microshiftData())) {
      assertTrue(Files.isRegularFile(h.paths.microshiftData().resolve("etcd/member/snap/db")));
      return;
    }
    try (Stream<Path> s = Files.list(h.paths.host("/var/lib"))) {
      assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("microshift.failed-")
          && Files.isRegularFile(p.resolve("etcd/member/snap/db"))), "data dir lost");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> leftovers(TestHost h) {
    List<String> out = new ArrayList<>();
    if (Files.exists(h.paths.restoreTemp())) {
      out.add(h.paths.restoreTemp().toString());
    }
    Path tmp = h.ctx().backups().dir(TestHost.BACKUP_ID).resolve("data.tmp");
    if (Files.exists(tmp)) {
      out.add(tmp.toString());
    }
    return out;
  }
}
