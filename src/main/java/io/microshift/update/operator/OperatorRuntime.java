package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.step.ApplyingStep;
import io.microshift.update.operator.step.AwaitingRebootStep;
import io.microshift.update.operator.step.BackingUpStep;
import io.microshift.update.operator.step.PausingStep;
import io.microshift.update.operator.step.PendingStep;
import io.microshift.update.operator.step.PreflightStep;
import io.microshift.update.operator.step.PreparingStep;
import io.microshift.update.operator.step.RollingBackStep;
import io.microshift.update.operator.step.VerifyingStep;
import io.microshift.update.preflight.ClusterVersionReader;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/** Wires the state machine into a JOSDK {@link Operator} for one Kubernetes client. */
public final class OperatorRuntime implements AutoCloseable {
  /**
   * Reconcile threads: one plan runs at a time; a second thread keeps queued and deleted plans
   * answered while the active one waits on a hook. JOSDK's default (a pool of 50) only costs memory.
   */
  static final int RECONCILE_THREADS = 2;
  private final Operator operator;
  private final KubernetesClient client;
  private final KubernetesEventRecorder events;
  private final boolean leaderElection;
  private OrphanedPauseSweeper orphanSweeper;

  /**
   * @param leaderElectionNamespace the namespace of the lease, or null to run without leader
   *     election (tests, the demo)
   */
  public OperatorRuntime(KubernetesClient client, Ports ports, MeterRegistry registry, Clock clock,
      String leaderElectionNamespace) {
    this(client, ports, registry, clock, leaderElectionNamespace, true);
  }

  /**
   * @param exitOnStopLeading JOSDK ends the JVM ({@code System.exit(1)}) when this runtime stops
   *     leading, also when it is stopped while leading: right for the operator's pod (a second
   *     leader must never reconcile), wrong where several runtimes come and go in one JVM (the
   *     tests on a real control plane restart the operator at every simulated boot)
   */
  public OperatorRuntime(KubernetesClient client, Ports ports, MeterRegistry registry, Clock clock,
      String leaderElectionNamespace, boolean exitOnStopLeading) {
    Conditions conditions = new Conditions(clock);
    StatusWriter writer = new ApiStatusWriter(client);
    this.client = client;
    this.events = new KubernetesEventRecorder(client, clock);
    this.leaderElection = leaderElectionNamespace != null;
    PhaseClock phaseClock = new PhaseClock(clock);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false)
          .withConcurrentReconciliationThreads(RECONCILE_THREADS)
          .withStopOnInformerErrorDuringStartup(false)
          .withResourceCloner(new PlanCloner(client.getKubernetesSerialization()))
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
      if (leaderElectionNamespace != null) {
        // JOSDK calls these after its own: the sweep runs on the leader only
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration("microshift-update-operator",
            leaderElectionNamespace, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
            new LeaderCallbacks(this::startSweeper, this::stopSweeper, leader -> { }), exitOnStopLeading));
      }
    });
    // a list call per reconcile of a Pending plan: few plans on a device, and always current
    PlanDirectory directory = () -> client.resources(UpdatePlan.class).list().getItems();
    Map<Phase, PhaseStep> steps = new EnumMap<>(Phase.class);
    steps.put(Phase.Pending, new PendingStep(directory, conditions, clock));
    steps.put(Phase.Preflight, new PreflightStep(new ClusterVersionReader(client),
        ports.hooks(), ports.pausing(), ports.host(), conditions));
    steps.put(Phase.Preparing, new PreparingStep(ports.host(), writer, conditions, clock));
    steps.put(Phase.BackingUp, new BackingUpStep(ports.hooks(), writer, events));
    steps.put(Phase.Pausing, new PausingStep(ports.pausing(), ports.host(), writer, events, phaseClock, metrics));
    steps.put(Phase.AwaitingReboot, new AwaitingRebootStep(ports.host(), writer, conditions, clock));
    steps.put(Phase.Applying, new ApplyingStep(ports.host()));
    ReadinessGate readiness = new ReadinessGate(ports.pausing(), writer, events, clock);
    steps.put(Phase.Verifying, new VerifyingStep(ports.host(), ports.pausing(), ports.hooks(), writer, events,
        conditions, readiness));
    steps.put(Phase.RollingBack, new RollingBackStep(ports.host(), ports.hooks(), writer, events, conditions,
        readiness));
    PlanStateMachine machine = new PlanStateMachine(steps, ports.host(), ports.pausing(), writer, events,
        conditions, metrics, clock);
    operator.register(new UpdatePlanReconciler(machine, conditions, writer, new PlanWakeups(ports.host(), client)));
  }

  public Operator operator() {
    return operator;
  }

  /**
   * Also resume the workloads that a plan deleted without its finalizer left paused
   * ({@link OrphanedPauseSweeper}), on the leader. Call before {@link #start}.
   */
  public OperatorRuntime sweepOrphanedPauses(String operatorNamespace) {
    this.orphanSweeper = new OrphanedPauseSweeper(client, operatorNamespace, events);
    return this;
  }

  public void start() {
    operator.start();
    if (!leaderElection) {
      startSweeper();
    }
  }

  private synchronized void startSweeper() {
    if (orphanSweeper != null) {
      orphanSweeper.start();
    }
  }

  private synchronized void stopSweeper() {
    if (orphanSweeper != null) {
      orphanSweeper.close();
    }
  }

  public boolean isStarted() {
    return operator.getRuntimeInfo().isStarted();
  }

  public boolean isHealthy() {
    return operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    stopSweeper();
    operator.stop();
  }
}
