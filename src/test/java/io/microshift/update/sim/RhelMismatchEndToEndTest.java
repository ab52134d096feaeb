package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole device whose RHEL does not run the rpm target: the host agent refuses in its start
 * checks (its /etc/os-release says RHEL 9.2, MicroShift 4.17 runs on 9.4), nothing is installed
 * or stopped, and the plan ends Failed with what to do and the workloads running again.
 */
@Timeout(180)
class RhelMismatchEndToEndTest {
  static final Duration T = Duration.ofSeconds(60);

  @Test
  void anRpmTargetThatDoesNotRunOnTheHostsRhelFailsAndTheWorkloadsRunAgain() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.rpm("4.17.1").rhel("9.2"))) {
      d.apply(SimulatedDevice.rpmPlan("rpm-on-9-2", "4.17.3", ResumePolicy.AfterBoot));
      UpdatePlan p = d.awaitPhase("rpm-on-9-2", Phase.Failed, T);
      assertTrue(p.getStatus().message.contains("MicroShift 4.17 runs on RHEL 9.4 and this rpm host runs RHEL 9.2"),
          p.getStatus().message);
      assertTrue(p.getStatus().message.contains("move the host to RHEL 9.4 first"), p.getStatus().message);
      assertEquals(HostState.Failed, d.hostStatus().orElseThrow().state());
      d.await("shop/web resumed", T, () -> d.appReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals("4.17.1", d.bootedVersion(), "nothing was installed");
      assertTrue(d.commands().calls().stream().noneMatch(c -> c.get(0).equals("dnf")
          || c.equals(List.of("systemctl", "stop", "microshift.service"))), d.commands().calls().toString());
    }
  }
}
