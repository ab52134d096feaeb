package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * greenboot-rs with no update in flight and MicroShift itself unhealthy: our scripts start no
 * agent, and greenboot-rs, which has no rollback trigger (nothing was staged), refuses to roll back
 * ("manual intervention required") once its boot counter, set at the first failure, ran out.
 */
@Timeout(180)
class GreenbootRsTest {
  @Test
  void nothingStagedNoRollbackAndNoAgentStarted() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3")
        .broken("4.17.1").greenbootRs().maxBootAttempts(1))) {
      String booted = d.bootedChecksum();
      assertEquals(Optional.empty(), d.grubBootCounter(), "greenboot-rs sets no counter before a failure");
      SimulatedDevice.GreenbootResult first = d.greenbootRun();
      assertFalse(first.healthy());
      assertEquals(Optional.of(1), d.grubBootCounter(), "set at the first failure to GREENBOOT_MAX_BOOT_ATTEMPTS");
      d.reboot();
      assertEquals(Optional.of(0), d.grubBootCounter(), "grub counted the boot down");
      SimulatedDevice.GreenbootResult second = d.greenbootRun();
      assertFalse(second.healthy());
      assertTrue(second.output().contains("manual intervention required"), second.output());
      assertFalse(second.fallbackNext(), "no rollback without greenboot_next_deployment_id");
      d.reboot();
      assertEquals(Optional.of(-1), d.grubBootCounter(), "grub: the countdown ended, boot entry 1 (there is none)");
      assertEquals(booted, d.bootedChecksum());
      assertFalse(d.agentLog().contains("$ microshift-update"), "no agent started: " + d.agentLog());
      assertTrue(d.hostStatus().isEmpty());
    }
  }
}
