package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.UpdateRequest.Action;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * greenboot-rs's greenboot-set-rollback-trigger.service names the staged deployment at every clean
 * shutdown, locked or not (src/main.rs SetRollbackTrigger): after a clean reboot between Prepare
 * and Apply the current deployment boots, and the boot unit clears the trigger before
 * greenboot-rs's health check would take it for grub's fallback and roll back.
 */
class GreenbootRsTriggerTest extends HostWithEtcd {
  private static final List<String> UNSET = List.of("grub2-editenv", "/boot/grub2/grubenv", "unset",
      "greenboot_next_deployment_id", "fallback");

  private TestHost preparedUnderGreenbootRs() throws Exception {
    TestHost h = host(root, true);
    Files.createDirectories(h.paths.host(GreenbootRs.ROLLBACK_TRIGGER_UNIT).getParent());
    Files.writeString(h.paths.host(GreenbootRs.ROLLBACK_TRIGGER_UNIT), "[Unit]\n");
    h.writeRequest(request(h, 1, Action.Prepare, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Prepared, h.status().state(), h.status().message());
    return h;
  }

  /** What greenboot-set-rollback-trigger.service's ExecStop does at a clean shutdown with {@code staged} staged. */
  private static void shutdownSetsTheTrigger(TestHost h, String staged) {
    h.runner.grubenv().put("greenboot_next_deployment_id", staged);
    h.runner.grubenv().put("fallback", "1");
  }

  @Test
  void aCleanRebootAfterPrepareDoesNotLeaveATriggerThatGreenbootRsWouldTakeForAFallback() throws Exception {
    TestHost h = preparedUnderGreenbootRs();
    shutdownSetsTheTrigger(h, h.commitTarget);
    h.rebootIntoDefault();
    assertEquals(h.commitFrom, h.bootedChecksum(), "the locked staged deployment was not finalized");

    assertEquals(0, new BootCommand(h.ctx()).run());
    assertFalse(h.runner.grubenv().containsKey("greenboot_next_deployment_id"), h.runner.grubenv().toString());
    assertFalse(h.runner.grubenv().containsKey("fallback"), h.runner.grubenv().toString());
    assertTrue(h.runner.actions().contains(UNSET), h.runner.actions().toString());
    assertEquals(HostState.Prepared, h.status().state(), "the update waits for its Apply as before");
  }

  @Test
  void aReadOnlyBootIsRemountedForTheEditAndReadOnlyAgain() throws Exception {
    TestHost h = preparedUnderGreenbootRs();
    shutdownSetsTheTrigger(h, h.commitTarget);
    h.rebootIntoDefault();
    h.runner.bootReadOnly(true);
    writeMounts(h, "ro,relatime");
    h.runner.clearCalls();

    assertEquals(0, new BootCommand(h.ctx()).run());
    assertFalse(h.runner.grubenv().containsKey("greenboot_next_deployment_id"), h.runner.grubenv().toString());
    List<List<String>> actions = h.runner.actions();
    int rw = actions.indexOf(List.of("mount", "-o", "remount,rw", "/boot"));
    int ro = actions.indexOf(List.of("mount", "-o", "remount,bind,ro", "/boot"));
    assertTrue(rw >= 0 && actions.lastIndexOf(UNSET) > rw && ro > actions.lastIndexOf(UNSET), actions.toString());
  }

  @Test
  void aReadWriteBootIsNeverRemountedWhenTheEditFails() throws Exception {
    TestHost h = preparedUnderGreenbootRs();
    shutdownSetsTheTrigger(h, h.commitTarget);
    h.rebootIntoDefault();
    h.runner.bootReadOnly(true); // the edit fails (as on a full /boot) though /proc/mounts says rw
    writeMounts(h, "rw,relatime");
    h.runner.clearCalls();

    assertEquals(0, new BootCommand(h.ctx()).run());
    assertTrue(h.runner.grubenv().containsKey("greenboot_next_deployment_id"));
    assertTrue(h.runner.actions().stream().noneMatch(c -> c.get(0).equals("mount")), h.runner.actions().toString());
  }

  /** The host's /proc/mounts with /boot mounted with {@code options}. */
  private static void writeMounts(TestHost h, String options) throws Exception {
    Files.createDirectories(h.paths.host("/proc/mounts").getParent());
    Files.writeString(h.paths.host("/proc/mounts"), "/dev/vda3 / xfs rw,relatime 0 0\n/dev/vda2 /boot ext4 " + options
        + " 0 0\n");
  }

  @Test
  void theTriggerOfTheAgentsOwnRebootStays() throws Exception {
    TestHost h = preparedUnderGreenbootRs();
    h.writeRequest(request(h, 2, Action.Apply, false));
    assertEquals(0, apply(h));
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    shutdownSetsTheTrigger(h, h.commitTarget);
    h.powerCut(); // the target not finalized: the current deployment boots, a real grub fallback for greenboot-rs
    h.runner.clearCalls();

    new BootCommand(h.ctx()).run();
    assertEquals(h.commitTarget, h.runner.grubenv().get("greenboot_next_deployment_id"));
    assertFalse(h.runner.actions().contains(UNSET), h.runner.actions().toString());
  }

  @Test
  void aTriggerNamingTheBootedDeploymentIsLeftAlone() throws Exception {
    TestHost h = preparedUnderGreenbootRs();
    h.rebootIntoDefault();
    shutdownSetsTheTrigger(h, h.commitFrom);
    h.runner.clearCalls();

    assertEquals(0, new BootCommand(h.ctx()).run());
    assertEquals(h.commitFrom, h.runner.grubenv().get("greenboot_next_deployment_id"));
    assertFalse(h.runner.actions().contains(UNSET), h.runner.actions().toString());
  }
}
