package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ApplySequence} with {@link ApplyCommand}: a Cancel that arrives while the steps run. */
class ApplySequenceTest {
  @TempDir Path root;

  /**
   * rpm host: the packages are installed (the point of no return) and the agent crashes; on the
   * next run a Cancel arrives at the cancellation point after the data copy. It is refused and
   * the same run finishes the update: the boot is recorded and the reboot requested, for the
   * accepted request.
   */
  @Test
  void aCancelThatArrivesPastThePointOfNoReturnIsRefusedAndTheUpdateFinishes() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    assertThrows(CrashAt.SimulatedCrash.class,
        () -> new ApplyCommand(h.ctx(new CrashAt(CrashPoints.APPLY_PACKAGES_INSTALLED))).run());
    assertEquals(TestHost.TARGET, h.installedPackageVersion);
    CrashHook operatorCancels = name -> {
      if (name.equals(CrashPoints.APPLY_DATA_COPY_RECORDED)) {
        h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, 2));
      }
    };
    assertEquals(0, new ApplyCommand(h.ctx(operatorCancels)).run());
    HostStatus s = h.status();
    assertEquals(HostState.Rebooting, s.state(), s.message());
    assertEquals(1, s.request().sequence());
    assertTrue(h.rebootRequested);
  }

  /** Before the point of no return the same Cancel is honoured: nothing installed, MicroShift runs again. */
  @Test
  void aCancelThatArrivesBeforeTheInstallIsHonoured() {
    TestHost h = new TestHost(root, false);
    UpdateRequest req = h.request();
    h.writeRequest(req);
    CrashHook operatorCancels = name -> {
      if (name.equals(CrashPoints.APPLY_DATA_COPY_RECORDED)) {
        h.writeRequest(req.withAction(UpdateRequest.Action.Cancel, 2));
      }
    };
    assertEquals(0, new ApplyCommand(h.ctx(operatorCancels)).run());
    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().startsWith(ApplyCommand.CANCELLED), s.message());
    assertEquals(TestHost.FROM, h.installedPackageVersion);
    assertTrue(h.microshiftActive);
  }
}
