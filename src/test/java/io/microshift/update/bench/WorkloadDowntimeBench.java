package io.microshift.update.bench;

import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.host.FakeHostCommands;
import io.microshift.update.sim.SimulatedDevice;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (issue 16, item 6): how long the workloads are down in one whole update, on the
 * simulated device (the real operator, the real host agent, a real etcd and ostree sysroot),
 * with a download that takes {@code args[0]} seconds inside staging ({@link
 * FakeHostCommands#downloadTakes}: every {@code rpm-ostree rebase/deploy} pulls that long).
 *
 * <p>Downtime: from the first sample in which the shop/web Deployment is scaled to 0 until the
 * first in which it is back at its replicas, all ready (sampled every 10 ms). The whole update:
 * from the plan's creation until it is Succeeded. The download is excluded when every staging run
 * ended before the downtime began. Prints:
 * <pre>
 *   BENCH workload-downtime-seconds &lt;s&gt; s target=excludes-the-&lt;N&gt;s-download PASS|FAIL
 *   BENCH workload-downtime-share &lt;pct&gt; % target=&lt;=&lt;the update's share outside the download&gt; PASS|FAIL
 * </pre>
 */
public final class WorkloadDowntimeBench {
  private static final Duration T = Duration.ofMinutes(3);
  private static final String PLAN = "downtime";

  private WorkloadDowntimeBench() {}

  public static void main(String[] args) throws Exception {
    Duration download = Duration.ofSeconds(Long.parseLong(args.length > 0 ? args[0] : "30"));
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3").log(System.err))) {
      d.commands().downloadTakes(download);
      AtomicLong down = new AtomicLong();
      AtomicLong up = new AtomicLong();
      Thread sampler = new Thread(() -> sample(d, down, up), "downtime-sampler");
      sampler.setDaemon(true);
      sampler.start();

      long start = System.nanoTime();
      d.apply(SimulatedDevice.ostreePlan(PLAN, "4.17.3", ResumePolicy.AfterBoot));
      d.autopilot(T);
      d.awaitPhase(PLAN, Phase.Succeeded, T);
      long end = System.nanoTime();
      d.await("shop/web back at " + SimulatedDevice.APP_REPLICAS + " ready replicas", T, () -> up.get() != 0);
      sampler.interrupt();

      List<FakeHostCommands.Staging> stagings = d.commands().stagings();
      if (down.get() == 0 || stagings.isEmpty()) {
        throw new IllegalStateException("no downtime or no staging seen: " + stagings);
      }
      double downtime = seconds(up.get() - down.get());
      double whole = seconds(Math.max(end, up.get()) - start);
      boolean excluded = stagings.stream().allMatch(s -> s.endNanos() < down.get());
      double outsideDownload = 100 * (1 - download.toSeconds() / whole);
      double share = 100 * downtime / whole;
      System.err.printf(Locale.ROOT, "workload-downtime: the update took %.1f s, %d staging run(s) (%s),"
          + " workloads down %.2f s%n", whole, stagings.size(), stagings.stream()
          .map(s -> String.format(Locale.ROOT, "%.1f-%.1f s", seconds(s.startNanos() - start),
              seconds(s.endNanos() - start))).toList(), downtime);
      System.out.printf(Locale.ROOT, "BENCH workload-downtime-seconds %.2f s target=excludes-the-%ds-download %s%n",
          downtime, download.toSeconds(), excluded ? "PASS" : "FAIL");
      System.out.printf(Locale.ROOT, "BENCH workload-downtime-share %.1f %% target=<=%.1f %s%n",
          share, outsideDownload, share <= outsideDownload ? "PASS" : "FAIL");
    }
    // the device is closed; the operator's client pools may keep non-daemon threads alive
    System.exit(0);
  }

  /** Sets {@code down} at the first sample with shop/web at 0 replicas, {@code up} at the first one after it back and ready. */
  private static void sample(SimulatedDevice d, AtomicLong down, AtomicLong up) {
    while (!Thread.currentThread().isInterrupted() && up.get() == 0) {
      try {
        long now = System.nanoTime();
        int replicas = d.appReplicas();
        if (down.get() == 0 && replicas == 0) {
          down.set(now);
        } else if (down.get() != 0 && replicas == SimulatedDevice.APP_REPLICAS
            && d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS) {
          up.set(System.nanoTime());
        }
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // the API server restarting with the device's reboot: next sample
      }
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
