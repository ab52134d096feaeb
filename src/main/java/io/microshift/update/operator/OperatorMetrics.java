package io.microshift.update.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's own Prometheus metrics (JOSDK adds its reconciliation metrics):
 * <ul>
 *   <li>{@code microshift_update_plan_phase{plan,phase}}: 1 for the plan's current phase, 0 for
 *       the others (one series per phase, so alerts can match {@code == 1});
 *   <li>{@code microshift_update_plan_phase_start_seconds{plan}}: when it entered that phase
 *       (Unix time), for "stuck in a phase" alerts;
 *   <li>{@code microshift_update_phase_transitions_total{from,to}} and
 *       {@code microshift_update_plans_completed_total{outcome}};
 *   <li>{@code microshift_update_backup_failures_total}: etcd snapshots that could not be taken.
 * </ul>
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, PlanGauge> plans = new ConcurrentHashMap<>();

  private static final class PlanGauge {
    volatile Phase phase;
    volatile double since;
  }

  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void transition(Phase from, Phase to) {
    Counter.builder("microshift_update_phase_transitions")
        .description("UpdatePlan phase transitions")
        .tag("from", from.name())
        .tag("to", to.name())
        .register(registry)
        .increment();
    if (to.isTerminal()) {
      Counter.builder("microshift_update_plans_completed")
          .description("UpdatePlans that reached Succeeded, RolledBack or Failed")
          .tag("outcome", to.name())
          .register(registry)
          .increment();
    }
  }

  public void backupFailed() {
    Counter.builder("microshift_update_backup_failures")
        .description("etcd snapshots that could not be taken")
        .register(registry)
        .increment();
  }

  /** Publishes the plan's current phase and since when. */
  public void observe(UpdatePlan plan) {
    if (plan.getStatus() == null || plan.getStatus().phase == null) {
      return;
    }
    String name = plan.getMetadata().getName();
    PlanGauge g = plans.computeIfAbsent(name, n -> register(n, new PlanGauge()));
    g.phase = plan.getStatus().phase;
    String since = plan.getStatus().phaseTransitionTime;
    g.since = since == null ? 0 : Instant.parse(since).getEpochSecond();
  }

  /** Drops the series of a deleted plan. */
  public void forget(String planName) {
    if (plans.remove(planName) != null) {
      registry.getMeters().stream()
          .filter(m -> m.getId().getName().startsWith("microshift_update_plan_phase"))
          .filter(m -> planName.equals(m.getId().getTag("plan")))
          .forEach(registry::remove);
    }
  }

  private PlanGauge register(String name, PlanGauge g) {
    for (Phase phase : Phase.values()) {
      Gauge.builder("microshift_update_plan_phase", g, x -> x.phase == phase ? 1 : 0)
          .description("1 for the UpdatePlan's current phase")
          .tag("plan", name)
          .tag("phase", phase.name())
          .register(registry);
    }
    Gauge.builder("microshift_update_plan_phase_start_seconds", g, x -> x.since)
        .description("When the UpdatePlan entered its current phase (Unix time)")
        .tag("plan", name)
        .register(registry);
    return g;
  }
}
