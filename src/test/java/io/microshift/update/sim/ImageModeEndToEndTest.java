package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, end to end: an image-mode device (bootc over a real ostree sysroot) updated by a plan
 * that names the target image by digest: Prepare stages it download-only while the workloads run,
 * Apply lets it take effect and reboots, the boot recognises it by digest, greenboot commits.
 */
class ImageModeEndToEndTest {

  @Test
  void anImageModeZStreamIsStagedDownloadOnlyAppliedWithBootcAndCommitted() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.image("4.17.1").versions("4.17.3"));
        EndToEndTest.Invariant never = new EndToEndTest.Invariant(d, "image-z")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.imagePlan("image-z", "4.17.3", ResumePolicy.AfterCommit));

      d.awaitRebootRequested(EndToEndTest.T);
      assertEquals(0, d.appReplicas(), "paused before the reboot");
      String image = SimulatedDevice.imageOf("4.17.3");
      List<List<String>> actions = d.commands().actions();
      List<List<String>> bootc = actions.stream().filter(a -> a.get(0).equals("bootc")).toList();
      assertEquals(List.of(List.of("bootc", "switch", image), List.of("bootc", "upgrade", "--download-only"),
          List.of("bootc", "upgrade", "--from-downloaded", "--apply")), bootc, "all actions: " + actions);

      d.reboot();
      assertEquals("4.17.3", d.bootedVersion());
      assertEquals(HostState.Booted, d.hostStatus().orElseThrow().state());
      String status = d.commands().run(List.of("bootc", "status", "--json")).stdout();
      assertTrue(status.contains("\"booted\":{\"image\":{\"image\":{\"image\":\"" + image + "\""), status);
      d.awaitPhase("image-z", Phase.Verifying, EndToEndTest.T);
      EndToEndTest.awaitVerified(d, "image-z");
      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      UpdatePlan p = d.awaitPhase("image-z", Phase.Succeeded, EndToEndTest.T);

      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(List.of(HostState.Preparing, HostState.Prepared, HostState.Staged, HostState.Rebooting, HostState.Booted,
          HostState.Healthy, HostState.Committed), EndToEndTest.history(s));
      assertEquals(d.commitOf("4.17.3"), s.deploymentAfter());
      assertEquals(Boolean.TRUE, p.getStatus().host.facts.finalizationLocked);
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      d.await("shop/web back", EndToEndTest.T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(List.of(), d.commands().unexpected());
    }
  }
}
