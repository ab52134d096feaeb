package io.microshift.update.hooks;

import io.microshift.update.api.Durations;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the hooks of one phase, synchronously, at most once per plan and phase.
 *
 * <p>The first call for a phase discovers the hooks (waiting a bounded time for pods whose hook
 * container is not ready) and records them all in {@code status.hooks}: valid ones Pending,
 * malformed ones Invalid, still-not-ready ones Failed. Later calls, also after an operator
 * restart, work from that record and never discover again. Before each exec the entry becomes
 * Running with one more attempt and is saved; an entry found Running at the start of a call was
 * cut off by a restart: it runs again only when the plan says hooks are idempotent, otherwise it
 * becomes Interrupted and counts as a failure of its on-error.
 *
 * <p>A failure of an on-error Fail hook (including a malformed one) stops the phase: no further
 * hook starts. With a malformed Fail hook no hook runs at all. The plan's status is changed in
 * place; {@link StatusWriter#save} persists it and its resourceVersion is copied back.
 */
public class HookRunner {
  private final HookDiscovery discovery;
  private final PodExec exec;
  private final Clock clock;
  private final Duration readyWait;
  private final Duration readyPoll;

  public HookRunner(KubernetesClient client, String operatorNamespace) {
    this(new HookDiscovery(client, operatorNamespace), new PodExec(client), Clock.systemUTC(),
        Duration.ofMinutes(2), Duration.ofSeconds(2));
  }

  /**
   * @param readyWait how long the first call waits for pods whose hook container is not ready
   * @param readyPoll how often it looks again meanwhile
   */
  public HookRunner(HookDiscovery discovery, PodExec exec, Clock clock, Duration readyWait,
      Duration readyPoll) {
    this.discovery = discovery;
    this.exec = exec;
    this.clock = clock;
    this.readyWait = readyWait;
    this.readyPoll = readyPoll;
  }

  public HookOutcome run(UpdatePlan plan, HookPhase phase, StatusWriter writer, EventRecorder events) {
    if (plan.getStatus() == null || plan.getStatus().acceptedSpec == null) {
      throw new IllegalStateException("plan " + plan.getMetadata().getName()
          + " has no status.acceptedSpec: hooks act on the accepted spec only");
    }
    HookPolicy policy = plan.getStatus().acceptedSpec.hooks != null
        ? plan.getStatus().acceptedSpec.hooks
        : new HookPolicy();
    Saver saver = new Saver(plan, writer);
    List<HookStatus> entries = HookLedger.entries(plan, phase);
    if (entries.isEmpty()) {
      entries = record(plan, phase, policy, saver, events);
    }
    resolveInterrupted(plan, entries, policy, saver, events);
    HookOutcome before = HookLedger.outcome(phase, entries);
    if (!before.succeeded()) {
      return before;
    }
    runPending(plan, entries, policy, saver, events);
    return HookLedger.outcome(phase, entries);
  }

  private List<HookStatus> record(UpdatePlan plan, HookPhase phase, HookPolicy policy,
      Saver saver, EventRecorder events) {
    Discovery found = discovery.discover(phase, policy);
    Instant deadline = clock.instant().plus(readyWait);
    while (!found.notReady().isEmpty() && !failsFast(found) && clock.instant().isBefore(deadline)) {
      sleep(readyPoll);
      found = discovery.discover(phase, policy);
    }
    List<HookStatus> entries = new ArrayList<>();
    for (HookDefinition hook : found.hooks()) {
      entries.add(HookLedger.pending(hook));
    }
    for (HookProblem problem : found.problems()) {
      entries.add(HookLedger.problem(problem, HookLedger.INVALID));
      events.warning(plan, "HookInvalid", problem.describe() + " (on-error " + problem.onError() + ")");
    }
    for (HookProblem waiting : found.notReady()) {
      HookStatus s = HookLedger.problem(waiting, HookLedger.FAILED);
      s.message = "not run: " + waiting.message() + " after waiting " + HookAnnotationParser.format(readyWait);
      s.finishedAt = now();
      entries.add(s);
      events.warning(plan, "HookNotReady", HookLedger.describe(s) + ": " + s.message);
    }
    if (!found.ignored().isEmpty()) {
      events.normal(plan, "HooksIgnored", String.join("; ", found.ignored()));
    }
    if (!entries.isEmpty()) {
      HookLedger.status(plan).hooks.addAll(entries);
      saver.save();
    }
    return entries;
  }

  private static boolean failsFast(Discovery found) {
    return found.problems().stream().anyMatch(p -> p.onError() == HookPolicy.OnError.Fail);
  }

  private void resolveInterrupted(UpdatePlan plan, List<HookStatus> entries, HookPolicy policy,
      Saver saver, EventRecorder events) {
    boolean changed = false;
    for (HookStatus h : entries) {
      if (!HookLedger.RUNNING.equals(h.state)) {
        continue;
      }
      changed = true;
      if (Boolean.TRUE.equals(policy.idempotent)) {
        h.state = HookLedger.PENDING;
        h.message = "interrupted by an operator restart after attempt " + h.attempts
            + "; runs again (hooks.idempotent is true)";
        events.normal(plan, "HookRetried", HookLedger.describe(h) + ": " + h.message);
      } else {
        h.state = HookLedger.INTERRUPTED;
        h.finishedAt = now();
        h.message = "the operator restarted while the hook ran (attempt " + h.attempts
            + "); its result is unknown and it is not run again because hooks.idempotent is false";
        events.warning(plan, "HookInterrupted", HookLedger.describe(h) + ": " + h.message);
      }
    }
    if (changed) {
      saver.save();
    }
  }

  private void runPending(UpdatePlan plan, List<HookStatus> entries, HookPolicy policy,
      Saver saver, EventRecorder events) {
    List<HookStatus> pending = entries.stream().filter(h -> HookLedger.PENDING.equals(h.state)).toList();
    if (pending.isEmpty()) {
      return;
    }
    int parallelism = policy.parallelism == null ? 1 : Math.max(1, Math.min(16, policy.parallelism));
    AtomicBoolean abort = new AtomicBoolean();
    AtomicInteger threadId = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, pending.size()), r -> {
      Thread t = new Thread(r, "hook-" + threadId.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (HookStatus h : pending) {
        futures.add(pool.submit(() -> runOne(plan, h, saver, events, abort)));
      }
      RuntimeException first = null;
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (first == null) {
            first = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          abort.set(true);
          throw new IllegalStateException("interrupted while hooks ran", e);
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runOne(UpdatePlan plan, HookStatus h, Saver saver, EventRecorder events, AtomicBoolean abort) {
    synchronized (saver) {
      if (abort.get()) {
        return;
      }
      h.state = HookLedger.RUNNING;
      h.attempts = (h.attempts == null ? 0 : h.attempts) + 1;
      h.startedAt = now();
      h.finishedAt = null;
      h.exitCode = null;
      try {
        saver.save();
      } catch (RuntimeException e) {
        abort.set(true);
        throw e;
      }
    }
    Duration timeout = Durations.parse(h.timeout);
    ExecResult result = exec.exec(h.namespace, h.pod, h.container, h.command, timeout);
    synchronized (saver) {
      h.finishedAt = now();
      h.exitCode = result.exitCode();
      h.stdoutTail = result.stdoutTail();
      h.stderrTail = result.stderrTail();
      if (result.succeeded()) {
        h.state = HookLedger.SUCCEEDED;
        h.message = "exit code 0";
        events.normal(plan, "HookSucceeded", HookLedger.describe(h) + " succeeded");
      } else {
        if (result.timedOut()) {
          h.state = HookLedger.TIMED_OUT;
          h.message = "no exit within " + h.timeout + "; the exec stream was closed";
        } else {
          h.state = HookLedger.FAILED;
          h.message = result.error() != null ? result.error() : "exit code " + result.exitCode();
        }
        if (!HookLedger.isContinue(h)) {
          abort.set(true);
        }
        events.warning(plan, result.timedOut() ? "HookTimedOut" : "HookFailed",
            HookLedger.describe(h) + ": " + h.message + " (on-error " + h.onError + ")");
      }
      saver.save();
    }
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for hook containers", e);
    }
  }

  /** Saves through the writer and keeps the plan's resourceVersion current. */
  private static final class Saver {
    private final UpdatePlan plan;
    private final StatusWriter writer;

    Saver(UpdatePlan plan, StatusWriter writer) {
      this.plan = plan;
      this.writer = writer;
    }

    synchronized void save() {
      UpdatePlan saved = writer.save(plan);
      if (saved != null && saved != plan && saved.getMetadata() != null) {
        plan.getMetadata().setResourceVersion(saved.getMetadata().getResourceVersion());
      }
    }
  }
}
