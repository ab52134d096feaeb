package io.microshift.update.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.microshift.update.api.Phase;

/** The operator's own Prometheus metrics (JOSDK adds its reconciliation metrics). */
public final class OperatorMetrics {
  private final MeterRegistry registry;

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
}
