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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the hooks of one phase, synchronously, at most once per plan and phase.
 *
 * <p>The first call for a phase discovers the hooks (waiting a bounded time for pods whose hook
 * container is not ready) and records them in {@code status.hooks}: valid ones Pending,
 * malformed ones Invalid, still-not-ready ones Failed, within {@link HookLimits} (at most 20
 * problems; a phase whose entries would not fit in {@link HookLimits#PHASE_STATUS_BYTES} is
 * recorded as refused and none of its hooks runs). Later calls, also after an operator
 * restart, work from that record and never discover again. Before each exec the entry becomes
 * Running with one more attempt and is saved; an entry found Running at the start of a call was
 * cut off by a restart: it runs again only when the plan says hooks are idempotent, otherwise it
 * becomes Interrupted and counts as a failure of its on-error.
 *
 * <p>Hooks run in bounded parallel ({@link #parallelism}), lower orders first; status writes are
 * batched (see {@link #runPending}).
 *
 * <p>A failure of an on-error Fail hook (including a malformed one) stops the phase: no further
 * hook starts. With a malformed Fail hook no hook runs at all. The plan's status is changed in
 * place; {@link StatusWriter#save} persists it and its resourceVersion is copied back.
 */
public class HookRunner {
  /** Hooks that run at once when the plan does not say (spec.hooks.parallelism). */
  public static final int DEFAULT_PARALLELISM = 4;
  public static final int MAX_PARALLELISM = 16;
  /**
   * How often the first call looks again for hook pods whose container is not ready yet: a short
   * poll rather than a watch, because it runs only while such a pod exists (usually never: hooked
   * pods run) and costs one pod list per look; 0.5 s keeps the added latency within the 0.5 s goal.
   */
  public static final Duration READY_POLL = Duration.ofMillis(500);

  private final HookDiscovery discovery;
  private final PodExec exec;
  private final Clock clock;
  private final Duration readyWait;
  private final Duration readyPoll;

  public HookRunner(KubernetesClient client, String operatorNamespace) {
    this(new HookDiscovery(client, operatorNamespace), new PodExec(client), Clock.systemUTC(),
        Duration.ofMinutes(2), READY_POLL);
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
    List<HookStatus> valid = new ArrayList<>();
    for (HookDefinition hook : found.hooks()) {
      valid.add(HookLedger.pending(hook));
    }
    List<HookStatus> problems = new ArrayList<>();
    for (HookProblem problem : found.problems()) {
      problems.add(HookLedger.problem(problem, HookLedger.INVALID));
    }
    for (HookProblem waiting : found.notReady()) {
      HookStatus s = HookLedger.problem(waiting, HookLedger.FAILED);
      s.message = HookLimits.message("not run: " + waiting.message() + " after waiting "
          + HookAnnotationParser.format(readyWait));
      s.finishedAt = now();
      problems.add(s);
    }
    // what will be recorded: every valid hook and at most MAX_PROBLEMS_RECORDED problems
    List<HookStatus> all = new ArrayList<>(valid);
    all.addAll(problems.subList(0, Math.min(problems.size(), HookLimits.MAX_PROBLEMS_RECORDED)));
    Set<HookStatus> refused = new HashSet<>(); // HookStatus has no equals: by identity
    if (!HookBudget.fits(all)) {
      // every hook must be recorded before it runs, and the record must fit: none of them runs
      String refusal = "not run: the " + valid.size() + " " + phase.value() + " hooks of this plan"
          + " would need "
          + HookBudget.fixedBytes(all) / 1024 + " KiB in status.hooks, more than the "
          + HookLimits.PHASE_STATUS_BYTES / 1024 + " KiB one phase may hold; no " + phase.value()
          + " hook ran. Remove the hook annotations of pods that need none, or shorten the commands";
      for (HookStatus h : valid) {
        h.state = HookLedger.INVALID;
        h.onError = HookPolicy.OnError.Fail.name();
        h.message = HookLimits.message(refusal);
      }
      refused.addAll(valid);
      problems.addAll(0, valid);
      valid = new ArrayList<>();
      events.warning(plan, "HooksRefused", HookLimits.message(refusal));
    }
    List<HookStatus> kept = HookLedger.keepFirstProblems(problems, HookLimits.MAX_PROBLEMS_RECORDED);
    for (HookStatus h : kept) {
      if (refused.contains(h)) {
        continue; // one HooksRefused event for them all
      }
      if (HookLedger.INVALID.equals(h.state)) {
        events.warning(plan, "HookInvalid", HookLimits.message(HookLedger.describe(h) + ": " + h.message
            + " (on-error " + h.onError + ")"));
      } else if (HookLedger.FAILED.equals(h.state)) {
        events.warning(plan, "HookNotReady", HookLimits.message(HookLedger.describe(h) + ": " + h.message));
      }
    }
    if (kept.size() < problems.size()) {
      events.warning(plan, "HooksNotRecorded", (problems.size() - kept.size()) + " more " + phase.value()
          + " hooks that cannot run are not listed in status.hooks (it keeps the first "
          + HookLimits.MAX_PROBLEMS_RECORDED + ", those with on-error Fail first)");
    }
    if (!found.ignored().isEmpty()) {
      List<String> ignored = found.ignored();
      String more = ignored.size() > HookLimits.MAX_PREVIEW_LINES
          ? "; and " + (ignored.size() - HookLimits.MAX_PREVIEW_LINES) + " more" : "";
      events.normal(plan, "HooksIgnored", HookLimits.clip(String.join("; ",
          ignored.subList(0, Math.min(ignored.size(), HookLimits.MAX_PREVIEW_LINES))), 4096) + more);
    }
    List<HookStatus> entries = new ArrayList<>(valid);
    entries.addAll(kept);
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

  /**
   * Runs the Pending hooks, at most {@code parallelism} at once, lower orders first: a hook starts
   * only when every hook of a lower order has finished. One status write records the outcomes
   * that came in since the last one together with the attempts about to start, so each exec is
   * recorded Running before it starts and each outcome is saved before this returns. After a
   * failure of an on-error Fail hook no further hook starts; those already running finish.
   */
  private void runPending(UpdatePlan plan, List<HookStatus> entries, HookPolicy policy,
      Saver saver, EventRecorder events) {
    List<HookStatus> pending = entries.stream()
        .filter(h -> HookLedger.PENDING.equals(h.state))
        .sorted(Comparator.comparingInt(HookLedger::order)) // stable: discovery order within an order
        .toList();
    if (pending.isEmpty()) {
      return;
    }
    int tailBytes = HookBudget.tailBytes(entries);
    int parallelism = parallelism(policy);
    AtomicInteger threadId = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, pending.size()), r -> {
      Thread t = new Thread(r, "hook-" + threadId.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    CompletionService<Finished> done = new ExecutorCompletionService<>(pool);
    Deque<HookStatus> queue = new ArrayDeque<>(pending);
    List<Finished> finished = new ArrayList<>();
    int running = 0;
    Integer runningOrder = null;
    boolean stop = false;
    try {
      while (true) {
        List<HookStatus> succeeded = new ArrayList<>();
        for (Finished f : finished) {
          stop |= record(plan, f, tailBytes, events);
          if (HookLedger.SUCCEEDED.equals(f.hook().state)) {
            succeeded.add(f.hook());
          }
        }
        reportSucceeded(plan, succeeded, events);
        boolean changed = !finished.isEmpty();
        finished.clear();
        if (running == 0) {
          runningOrder = null;
        }
        List<HookStatus> starting = new ArrayList<>();
        while (!stop && !queue.isEmpty() && running + starting.size() < parallelism
            && (runningOrder == null || runningOrder == HookLedger.order(queue.peek()))) {
          HookStatus h = queue.poll();
          runningOrder = HookLedger.order(h);
          h.state = HookLedger.RUNNING;
          h.attempts = (h.attempts == null ? 0 : h.attempts) + 1;
          h.startedAt = now();
          h.finishedAt = null;
          h.exitCode = null;
          starting.add(h);
        }
        if (changed || !starting.isEmpty()) {
          saver.save(); // the outcomes so far, and the attempts about to start
        }
        for (HookStatus h : starting) {
          done.submit(() -> new Finished(h, execute(h)));
        }
        running += starting.size();
        if (running == 0) {
          return;
        }
        finished.add(take(done));
        running--;
        for (Future<Finished> f = done.poll(); f != null; f = done.poll()) {
          finished.add(result(f));
          running--;
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The plan's hooks.parallelism, else {@link #DEFAULT_PARALLELISM}; 1 to 16. */
  static int parallelism(HookPolicy policy) {
    int p = policy.parallelism == null ? DEFAULT_PARALLELISM : policy.parallelism;
    return Math.max(1, Math.min(MAX_PARALLELISM, p));
  }

  private ExecResult execute(HookStatus h) {
    return exec.exec(h.namespace, h.pod, h.container, h.command, Durations.parse(h.timeout));
  }

  private static Finished take(CompletionService<Finished> done) {
    try {
      return result(done.take());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hooks ran", e);
    }
  }

  private static Finished result(Future<Finished> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hooks ran", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re; // the entry stays Running in the saved status: a restart reports it Interrupted
      }
      throw new IllegalStateException("a hook's exec thread failed", e.getCause());
    }
  }

  /** Puts one outcome into its entry (not saved yet); whether it stops the phase. */
  private boolean record(UpdatePlan plan, Finished f, int tailBytes, EventRecorder events) {
    HookStatus h = f.hook();
    ExecResult result = f.result();
    h.finishedAt = now();
    h.exitCode = result.exitCode();
    h.stdoutTail = HookLimits.tail(result.stdoutTail(), tailBytes);
    h.stderrTail = HookLimits.tail(result.stderrTail(), tailBytes);
    if (result.succeeded()) {
      h.state = HookLedger.SUCCEEDED;
      h.message = "exit code 0";
      HookPodEvents.finished(events, plan, h);
      return false;
    }
    if (result.timedOut()) {
      h.state = HookLedger.TIMED_OUT;
      h.message = "no exit within " + h.timeout + "; the exec stream was closed";
    } else {
      h.state = HookLedger.FAILED;
      h.message = HookLimits.message(result.error() != null ? result.error() : "exit code " + result.exitCode());
    }
    events.warning(plan, result.timedOut() ? "HookTimedOut" : "HookFailed",
        HookLimits.message(HookLedger.describe(h) + ": " + h.message + " (on-error " + h.onError + ")"));
    HookPodEvents.finished(events, plan, h);
    return !HookLedger.isContinue(h);
  }

  /**
   * One Event for the hooks that succeeded since the last status write: HookSucceeded for one,
   * HooksSucceeded naming them (bounded) for several. Failures have an Event each.
   */
  private static void reportSucceeded(UpdatePlan plan, List<HookStatus> succeeded, EventRecorder events) {
    if (succeeded.size() == 1) {
      events.normal(plan, "HookSucceeded", HookLedger.describe(succeeded.get(0)) + " succeeded");
    } else if (succeeded.size() > 1) {
      String pods = String.join(", ", succeeded.stream().map(h -> h.namespace + "/" + h.pod).toList());
      events.normal(plan, "HooksSucceeded", HookLimits.message(succeeded.size() + " "
          + succeeded.get(0).hookPhase + " hooks succeeded: " + pods));
    }
  }

  private record Finished(HookStatus hook, ExecResult result) {}

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
      writer.save(plan);
    }
  }
}
