package io.microshift.update.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.OperatorRuntime;
import io.microshift.update.operator.Ports;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 7 (a): the operator's time from an UpdatePlan being created to request.json being written
 * with action Apply (issue 16: after the host's Prepare, which a stand-in answers at once as
 * Prepared, so that the figure is the operator's own: Preflight, the Prepare hand-off, the hooks,
 * the pause and the Apply hand-off),
 * with {@code hooks} pods carrying a pre-update hook and {@code paused} Deployments selected for
 * pausing. Run by {@code hack/bench.d/operator-handoff} and {@code phase-latency}; {@code handoff-200} runs the operator in its own process ({@link FootprintApiServer}).
 *
 * <p>Everything is real except the API server: the operator in-process with its production ports
 * (KubernetesWorkloads, the marker files in a real state dir), against the fabric8 mock API server
 * in CRUD mode with exec expectations (each hook answers exit 0 after about 30 ms). No etcd: the
 * snapshot is the host agent's, on Apply (issue 16 item 1), and has its own benchmark.
 *
 * <p>The mock runs no controllers, so nothing would ever delete the pods of a Deployment scaled to
 * 0 and the drain check would wait forever: a watch on the paused namespace stands in for the
 * ReplicaSet controller and deletes a Deployment's pods as soon as it sees it at 0 replicas. Pods
 * go away at once (no grace period), which is the best case of a real device.
 *
 * <p>Args: {@code <repo dir> <work dir> <hooks> <paused> <timeout s> <target s> [name]}.
 * Prints {@code BENCH operator-handoff-seconds} (or {@code BENCH <name>} with an at-most target)
 * on stdout, the phase timeline on stderr.
 */
public final class OperatorHandoffBench {
  static final String HOOKED_NS = "bench-hooked";
  static final String PAUSED_NS = "bench-paused";
  static final String HOOK_ANNOTATION = "pre-update.hook.updates.microshift.io/command";
  static final List<String> HOOK_ARGV = List.of("/bin/true");
  /** The BENCH line's name; phase-latency passes its own, with an at-most target. */
  private static String name = "operator-handoff-seconds";
  private static boolean atMost;
  /** When the ReplicaSet stand-in last deleted a paused Deployment's pods (System.nanoTime). */
  static final java.util.concurrent.atomic.AtomicLong LAST_POD_DELETE = new java.util.concurrent.atomic.AtomicLong();
  /** When it first did (System.nanoTime). */
  static final java.util.concurrent.atomic.AtomicLong FIRST_POD_DELETE = new java.util.concurrent.atomic.AtomicLong();

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int hooks = Integer.parseInt(args[2]);
    int paused = Integer.parseInt(args[3]);
    long timeoutMillis = Long.parseLong(args[4]) * 1000;
    double targetSeconds = Double.parseDouble(args[5]);
    if (args.length > 6) {
      name = args[6];
      atMost = true;
    }
    int code;
    try (BenchMockApi api = new BenchMockApi(repo, 0)) {
      code = run(api, work, hooks, paused, timeoutMillis, targetSeconds);
    }
    System.exit(code);
  }

  static int run(BenchMockApi api, Path work, int hooks, int paused, long timeoutMillis,
      double targetSeconds) throws Exception {
    for (int i = 0; i < hooks; i++) {
      String pod = String.format("hooked-%02d", i);
      api.runningPod(HOOKED_NS, pod, Map.of("app", pod), Map.of(HOOK_ANNOTATION, "[\"/bin/true\"]"));
      api.expectExecExit0(HOOKED_NS, pod, "main", HOOK_ARGV);
    }
    for (int i = 0; i < paused; i++) {
      String name = String.format("paused-%02d", i);
      api.deployment(PAUSED_NS, name, 1);
      api.runningPod(PAUSED_NS, name + "-pod", Map.of("app", name), Map.of());
    }
    log("API: %d hooked pods, %d Deployments with one pod each", hooks, paused);

    Path stateDir = Files.createDirectories(work.resolve("state"));
    int uid = (Integer) Files.getAttribute(stateDir, "unix:uid");
    KubernetesWorkloads workloads = new KubernetesWorkloads(api.client, "microshift-update");
    Ports ports = new Ports(workloads, workloads,
        new MarkerHostHandoff(stateDir, uid, Clock.systemUTC()));

    Watch controller = replicaSetController(api);
    OperatorRuntime runtime = new OperatorRuntime(api.client, ports, new SimpleMeterRegistry(),
        Clock.systemUTC(), null);
    try {
      runtime.start();
      List<String> timeline = new ArrayList<>();
      CpuSplit cpu = CpuSplit.start();
      long start = System.nanoTime();
      api.client.resource(BenchMockApi.ostreePlan("bench", List.of(PAUSED_NS))).create();
      Phase last = null;
      long deadline = start + timeoutMillis * 1_000_000;
      // the file every 10 ms; the phase (a GET on the API) every 100 ms, not to load the 2 cores
      long[] prepared = {0};
      Map<Phase, Long> phaseSeen = new java.util.concurrent.ConcurrentHashMap<>();
      Watch planWatch = watchPhases(api, phaseSeen);
      for (int i = 0; !applyWritten(stateDir, uid, start, prepared) && System.nanoTime() < deadline; i++) {
        if (i % 10 == 0) {
          last = notePhase(api, start, last, timeline);
          if (last != null && last.isTerminal()) {
            break;
          }
        }
        Thread.sleep(10);
      }
      long elapsed = System.nanoTime() - start;
      String cpuUse = cpu.since(elapsed);
      notePhase(api, start, last, timeline);
      timeline.forEach(l -> log("%s", l));
      log("the host stand-in answered the Prepare at %.2f s", prepared[0] / 1e9);
      log("%s", cpuUse);
      if (LAST_POD_DELETE.get() != 0) {
        log("the replica-set stand-in deleted the first paused pod at %.2f s, the last at %.2f s",
            (FIRST_POD_DELETE.get() - start) / 1e9, (LAST_POD_DELETE.get() - start) / 1e9);
      }
      planWatch.close();
      if (Boolean.getBoolean("bench.phaseLatency")) {
        return printPhaseLatency(start, prepared[0], phaseSeen);
      }
      if (!applyWritten(stateDir, uid, start, prepared)) {
        UpdatePlan p = api.client.resources(UpdatePlan.class).withName("bench").get();
        log("no Apply request.json after %d ms; plan status: %s", ms(elapsed),
            p == null ? "(gone)" : api.client.getKubernetesSerialization().asJson(p.getStatus()));
        System.out.printf(Locale.ROOT, "BENCH %s %s s target=%s FAIL%n", name,
            last != null && last.isTerminal() ? "failed" : "timeout", target(targetSeconds));
        return 1;
      }
      // the figure counts only when the operator did the whole job: every hook ran, every
      // Deployment was paused (the etcd snapshot is the host agent's, on Apply)
      UpdatePlan p = api.client.resources(UpdatePlan.class).withName("bench").get();
      long hooksOk = p.getStatus().hooks.stream().filter(h -> "Succeeded".equals(h.state)).count();
      long pausedOk = p.getStatus().pausedWorkloads.stream().filter(w -> "Paused".equals(w.state)).count();
      String backupId = p.getStatus().backup == null ? null : p.getStatus().backup.id;
      log("done: %d/%d hooks succeeded, %d/%d Deployments paused, backup set %s named for the Apply",
          hooksOk, hooks, pausedOk, paused, backupId);
      if (hooksOk != hooks || pausedOk != paused || backupId == null) {
        log("incomplete hand-off; plan status: %s", api.client.getKubernetesSerialization().asJson(p.getStatus()));
        System.out.printf(Locale.ROOT, "BENCH %s incomplete s target=%s FAIL%n", name,
            target(targetSeconds));
        return 1;
      }
      double seconds = elapsed / 1e9;
      boolean pass = atMost ? seconds <= targetSeconds : seconds < targetSeconds;
      System.out.printf(Locale.ROOT, "BENCH %s %.2f s target=%s %s%n", name,
          seconds, target(targetSeconds), pass ? "PASS" : "FAIL");
      return pass ? 0 : 1;
    } finally {
      runtime.close();
      controller.close();
    }
  }

  /**
   * True once request.json asks for the Apply. Plays the host agent's Prepare meanwhile: a Prepare
   * request is answered Prepared at once (noting when in {@code preparedAt}), as a host whose
   * checks and download took no time.
   */
  static boolean applyWritten(Path stateDir, int uid, long start, long[] preparedAt) {
    java.util.Optional<UpdateRequest> r;
    try {
      r = MarkerFiles.readRequest(stateDir, uid);
    } catch (RuntimeException e) {
      return false; // being replaced: next round
    }
    if (r.isEmpty()) {
      return false;
    }
    UpdateRequest req = r.get();
    if (req.action() == UpdateRequest.Action.Apply) {
      return true;
    }
    if (req.action() == UpdateRequest.Action.Prepare && preparedAt[0] == 0) {
      String now = java.time.Instant.now().toString();
      HostStatus s = new HostStatus.Builder()
          .request(new HostStatus.RequestRef(req.plan().uid(), req.sequence()))
          .prepared(new HostStatus.Prepared(false, 10L << 30, 1L << 30,
              new HostStatus.Etcd(true, "3.5.16", 1L << 20, 1000, List.of()), null, null, false, null, null, now))
          .build()
          // the agent's moves (marker/HostTransitions): a Prepare starts in Preparing
          .transition(HostState.Preparing, "preparing (bench stand-in)", now)
          .transition(HostState.Prepared, "prepared (bench stand-in)", now);
      MarkerFiles.writeHostStatus(stateDir, s, CrashHook.NONE);
      preparedAt[0] = System.nanoTime() - start;
    }
    return false;
  }

  /** Records when the plan was first seen (through a watch, not a poll) in each phase. */
  private static Watch watchPhases(BenchMockApi api, Map<Phase, Long> seen) {
    return api.client.resources(UpdatePlan.class).withName("bench").watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, UpdatePlan p) {
        long now = System.nanoTime();
        if (p.getStatus() != null && p.getStatus().phase != null) {
          seen.putIfAbsent(p.getStatus().phase, now);
        }
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    });
  }

  /**
   * The latency the operator adds to the two hand-offs that wait on something outside it: from the
   * host's Prepared in host-status.json to the plan leaving Preparing, and from the last paused
   * pod's deletion to the plan leaving Pausing. Includes the one reconcile that acts on it.
   */
  private static int printPhaseLatency(long start, long preparedAt, Map<Phase, Long> seen) {
    Long backingUp = seen.get(Phase.BackingUp);
    Long awaiting = seen.get(Phase.AwaitingReboot);
    long lastDelete = LAST_POD_DELETE.get();
    if (preparedAt == 0 || backingUp == null || awaiting == null || lastDelete == 0) {
      System.out.printf(Locale.ROOT, "BENCH phase-latency-max incomplete s target=<=0.5 FAIL%n");
      return 1;
    }
    double prepare = (backingUp - (start + preparedAt)) / 1e9;
    double drain = (awaiting - lastDelete) / 1e9;
    log("added latency: host Prepared -> BackingUp %.3f s; last pod deleted -> AwaitingReboot %.3f s", prepare, drain);
    double max = Math.max(prepare, drain);
    boolean pass = max <= 0.5;
    System.out.printf(Locale.ROOT, "BENCH phase-latency-max %.3f s target=<=0.5 %s%n", max, pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
  }

  /** Logs the plan's phase when it changed since {@code last}; returns the current one. */
  private static Phase notePhase(BenchMockApi api, long start, Phase last, List<String> timeline) {
    UpdatePlan p = api.client.resources(UpdatePlan.class).withName("bench").get();
    Phase now = p == null || p.getStatus() == null ? null : p.getStatus().phase;
    if (now != null && now != last) {
      timeline.add(String.format(Locale.ROOT, "%7.2f s  %-15s %s", (System.nanoTime() - start) / 1e9,
          now, p.getStatus().message));
    }
    return now == null ? last : now;
  }

  /**
   * Stands in for the ReplicaSet controller the mock does not have: when a Deployment of the paused
   * namespace is at 0 replicas, its pods are deleted; when it is scaled back up (the resume), its
   * status reports every replica ready at once.
   */
  static Watch replicaSetController(BenchMockApi api) {
    return api.client.apps().deployments().inNamespace(PAUSED_NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        Integer replicas = d.getSpec() == null ? null : d.getSpec().getReplicas();
        if (action == Action.MODIFIED && replicas != null && replicas == 0) {
          api.client.pods().inNamespace(PAUSED_NS)
              .withLabels(d.getSpec().getSelector().getMatchLabels()).delete();
          FIRST_POD_DELETE.compareAndSet(0, System.nanoTime());
          LAST_POD_DELETE.set(System.nanoTime());
        } else if (action == Action.MODIFIED && replicas != null && replicas > 0 && readyReplicas(d) != replicas) {
          // scaled back up (the resume): its pods at once ready, as the Deployment's status says
          api.client.apps().deployments().inNamespace(PAUSED_NS).withName(d.getMetadata().getName())
              .editStatus(latest -> {
                latest.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas).withUpdatedReplicas(replicas)
                    .withObservedGeneration(latest.getMetadata().getGeneration()).build());
                return latest;
              });
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        if (cause != null) {
          log("replica-set stand-in: watch closed: %s", cause.getMessage());
        }
      }
    });
  }

  private static int readyReplicas(Deployment d) {
    Integer r = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
    return r == null ? 0 : r;
  }

  /**
   * Where the CPU of the hand-off went: the mock API server's event loops (vert.x threads, alive
   * through the run) against the rest of the process (the operator, its client, the stand-ins).
   */
  record CpuSplit(long process, long mock) {
    static CpuSplit start() {
      return new CpuSplit(processCpu(), mockCpu());
    }

    String since(long wallNanos) {
      double mockS = (mockCpu() - mock) / 1e9;
      double restS = (processCpu() - process) / 1e9 - mockS;
      return String.format(Locale.ROOT, "CPU in the hand-off: the mock API server's event loops %.2f s, the rest of"
          + " the process (the operator, its client, the stand-ins) %.2f s, in %.2f s of wall time on %d cores",
          mockS, restS, wallNanos / 1e9, Runtime.getRuntime().availableProcessors());
    }

    private static long processCpu() {
      return ((com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long mockCpu() {
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long sum = 0;
      for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null && t.getThreadName().startsWith("vert.x-")) {
          sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
        }
      }
      return sum;
    }
  }

  private static String target(double d) {
    return (atMost ? "<=" : "<") + fmt(d);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "operator-handoff: " + format + "%n", args);
  }
}
