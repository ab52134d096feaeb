package io.microshift.update.operator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's own Prometheus metrics (JOSDK adds its reconciliation metrics):
 * <ul>
 *   <li>{@code microshift_update_plan_phase{plan,phase,dry_run}}: 1 for the plan's current phase, 0
 *       for the others (one series per phase, so alerts can match {@code == 1});
 *   <li>{@code microshift_update_plan_phase_start_seconds{plan,dry_run}}: when it entered that
 *       phase (Unix time), for "stuck in a phase" alerts;
 *   <li>{@code microshift_update_phase_transitions_total{from,to}} and
 *       {@code microshift_update_plans_completed_total{outcome,type,dry_run}};
 *   <li>{@code microshift_update_duration_seconds{outcome,type,dry_run}}: a histogram of how long
 *       plans took from leaving Pending to their outcome;
 *   <li>{@code microshift_update_phase_duration_seconds{phase}}: a histogram of the time spent in
 *       each phase a plan left;
 *   <li>{@code microshift_update_backup_failures_total}: etcd snapshots that could not be taken;
 *   <li>{@code microshift_update_build_info{version,revision}}: 1, the operator's build.
 * </ul>
 * {@code dry_run} is "true" for a plan with {@code spec.dryRun: true}, which never touches the
 * host: the alerts leave such plans out (a dry run that finds problems ends Failed by design).
 */
public final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Map<String, PlanGauge> plans = new ConcurrentHashMap<>();

  /** 1 to 90 minutes, where updates end: a download, a reboot, greenboot's checks. */
  static final Duration[] UPDATE_BUCKETS = minutes(1, 2, 5, 10, 15, 20, 30, 45, 60, 90);
  /** 5 seconds (a quick Preflight) to an hour (a slow Preparing). */
  static final Duration[] PHASE_BUCKETS = {Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
      Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofMinutes(60)};

  private static final class PlanGauge {
    volatile Phase phase;
    volatile double since;
  }

  public OperatorMetrics(MeterRegistry registry) {
    this(registry, BuildInfo.current());
  }

  public OperatorMetrics(MeterRegistry registry, BuildInfo build) {
    this.registry = registry;
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      // an Info metric of the Prometheus client: Micrometer would strip a gauge's _info suffix
      Info.builder().name("microshift_update_build_info")
          .help("The operator's build: version and source revision, from the jar's manifest")
          .labelNames("version", "revision")
          .register(prometheus.getPrometheusRegistry())
          .setLabelValues(build.version(), build.revision());
    }
  }

  /**
   * A plan moved from one phase to the next at {@code now}; {@code fromSince} is when it entered
   * {@code from} (status.phaseTransitionTime before the move, null when unknown).
   */
  public void transition(UpdatePlan plan, Phase from, Phase to, String fromSince, Instant now) {
    if (fromSince != null && from != Phase.Pending) {
      Timer.builder("microshift_update_phase_duration")
          .description("Time UpdatePlans spent in a phase, observed when they leave it")
          .tag("phase", from.name())
          .serviceLevelObjectives(PHASE_BUCKETS)
          .register(registry)
          .record(nonNegative(Duration.between(Instant.parse(fromSince), now)));
    }
    transition(from, to);
    if (!to.isTerminal()) {
      return;
    }
    Counter.builder("microshift_update_plans_completed")
        .description("UpdatePlans that reached Succeeded, RolledBack or Failed")
        .tag("outcome", to.name())
        .tag("type", type(plan))
        .tag("dry_run", dryRun(plan))
        .register(registry)
        .increment();
    String started = plan.getStatus() == null ? null : plan.getStatus().startTime;
    if (started != null) {
      Timer.builder("microshift_update_duration")
          .description("How long UpdatePlans took from leaving Pending to Succeeded, RolledBack or Failed")
          .tag("outcome", to.name())
          .tag("type", type(plan))
          .tag("dry_run", dryRun(plan))
          .serviceLevelObjectives(UPDATE_BUCKETS)
          .register(registry)
          .record(nonNegative(Duration.between(Instant.parse(started), now)));
    }
  }

  private void transition(Phase from, Phase to) {
    Counter.builder("microshift_update_phase_transitions")
        .description("UpdatePlan phase transitions")
        .tag("from", from.name())
        .tag("to", to.name())
        .register(registry)
        .increment();
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
    PlanGauge g = plans.computeIfAbsent(name, n -> register(n, dryRun(plan), new PlanGauge()));
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

  private PlanGauge register(String name, String dryRun, PlanGauge g) {
    for (Phase phase : Phase.values()) {
      Gauge.builder("microshift_update_plan_phase", g, x -> x.phase == phase ? 1 : 0)
          .description("1 for the UpdatePlan's current phase")
          .tag("plan", name)
          .tag("phase", phase.name())
          .tag("dry_run", dryRun)
          .register(registry);
    }
    Gauge.builder("microshift_update_plan_phase_start_seconds", g, x -> x.since)
        .description("When the UpdatePlan entered its current phase (Unix time)")
        .tag("plan", name)
        .tag("dry_run", dryRun)
        .register(registry);
    return g;
  }

  /** The spec the plan runs (status.acceptedSpec once it left Pending). */
  private static UpdatePlanSpec spec(UpdatePlan plan) {
    UpdatePlanSpec accepted = plan.getStatus() == null ? null : plan.getStatus().acceptedSpec;
    return accepted != null ? accepted : plan.getSpec();
  }

  private static String dryRun(UpdatePlan plan) {
    UpdatePlanSpec spec = spec(plan);
    return Boolean.toString(spec != null && Boolean.TRUE.equals(spec.dryRun));
  }

  private static String type(UpdatePlan plan) {
    UpdatePlanSpec spec = spec(plan);
    return spec == null || spec.type == null ? "unknown" : spec.type.value();
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Duration[] minutes(int... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Duration.ofMinutes(values[i]);
    }
    return out;
  }
}
