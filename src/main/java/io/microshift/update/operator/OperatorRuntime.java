package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.preflight.ClusterVersionReader;
import java.time.Clock;

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
    this.client = client;
    this.events = new KubernetesEventRecorder(client, clock);
    this.leaderElection = leaderElectionNamespace != null;
    OperatorMetrics metrics = new OperatorMetrics(registry);
    PlanRecorder recorder = new PlanRecorder(new ApiStatusWriter(client), new Conditions(clock), events, metrics, clock);
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
    PlanStateMachine machine = PlanMachines.create(ports, directory, new ClusterVersionReader(client), recorder, clock);
    operator.register(new UpdatePlanReconciler(machine, new PlanWakeups(ports.host(), client)));
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
