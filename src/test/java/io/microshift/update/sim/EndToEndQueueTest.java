package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two plans on one device: the second waits, then starts from the version the first installed. */
@Timeout(180)
class EndToEndQueueTest {
  static final Duration T = Duration.ofSeconds(60);

  @Test
  void aSecondPlanWaitsForTheFirstThenUpdatesFromTheVersionItInstalled() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3", "4.18.0"))) {
      d.apply(SimulatedDevice.ostreePlan("first", "4.17.3", ResumePolicy.AfterBoot));
      d.awaitPhase("first", Phase.Preflight, T);
      d.apply(SimulatedDevice.ostreePlan("second", "4.18.0", ResumePolicy.AfterBoot));
      // while the first runs (it cannot end before the autopilot reboots the device), the second waits
      d.await("the second plan queued", T, () -> queued(d.plan("second")));
      assertEquals(Phase.Pending, d.plan("second").getStatus().phase, "only one plan runs at a time");
      assertTrue(!d.plan("first").getStatus().phase.isTerminal(), "the first plan still runs");

      d.autopilot(T);
      UpdatePlan first = d.awaitPhase("first", Phase.Succeeded, T);
      // the second is woken when the first ends: it starts no earlier than the first's completion
      d.autopilot(T);
      UpdatePlan done = d.awaitPhase("second", Phase.Succeeded, T);
      assertTrue(!Instant.parse(done.getStatus().startTime).isBefore(Instant.parse(first.getStatus().completionTime)),
          "the second started at " + done.getStatus().startTime + ", before the first ended at "
              + first.getStatus().completionTime);
      assertEquals("4.17.3", done.getStatus().fromVersion, "the second plan starts from the first one's version");
      assertEquals("4.18.0", d.bootedVersion());
      assertEquals(HostState.Committed, d.hostStatus().orElseThrow().state());
      assertEquals(done.getMetadata().getUid(), d.hostStatus().orElseThrow().request().uid());
      d.await("shop/web ready", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(java.util.List.of(), d.commands().unexpected());
    }
  }

  private static boolean queued(UpdatePlan plan) {
    return plan != null && plan.getStatus() != null && plan.getStatus().conditions != null
        && plan.getStatus().conditions.stream().anyMatch(c -> "Queued".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
