package io.microshift.update.hooks;

import io.microshift.update.api.Durations;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.BackgroundEvents;
import io.microshift.update.checkpoint.DaemonPool;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs the Pending hooks of one phase, at most {@code parallelism} at once, lower orders first,
 * with the status writes batched (issue 16 item 4).
 *
 * <p>Write-ahead with a reservation: one status write records the outcomes that came in since the
 * last write together with the next hooks to start, as many as the free slots and as many again, as
 * {@code Running} with one more attempt and no {@code startedAt}. Those reserved entries are
 * durable before any of them starts, so a slot that frees starts the next reserved hook at once,
 * without waiting for a write; the write that follows records its {@code startedAt}, the outcomes
 * and the next reservations. So at most {@code 2 × parallelism} entries are {@code Running} in the
 * saved status, and a crash reports each of them as cut off (docs/workloads.md): a reserved one
 * may not have started. After a failure of an on-error Fail hook no further hook starts: the
 * reserved ones go back to Pending (attempt count restored) in the last write, those already
 * running finish. Every outcome is saved before {@link #run} returns.
 *
 * <p>Events: a failure gets its plan Warning at once; the hooks that succeeded get one plan Event
 * for the whole call ({@code HookSucceeded} for one, {@code HooksSucceeded} with the count and the
 * first pods for several); each hook's Event on its pod ({@link HookPodEvents}) is sent from a
 * pool of its own ({@link BackgroundEvents}), so that the status writes and the execs do not wait
 * for it, and all of them are sent (or {@link #EVENT_WAIT} passed) before {@link #run} returns.
 */
final class HookBatches {
  /** How long {@link #run} waits at its end for the pods' Events still being sent. */
  static final Duration EVENT_WAIT = Duration.ofSeconds(30);

  private final PodExec exec;
  private final Clock clock;
  private final UpdatePlan plan;
  private final PlanCheckpoint checkpoint;
  private final int parallelism;
  private final int tailBytes;

  private final Deque<HookStatus> queue;
  /** Saved Running, not started yet. */
  private final Deque<HookStatus> reserved = new ArrayDeque<>();
  private final List<HookStatus> succeeded = new ArrayList<>();
  private int running;
  /** The order of the hooks running or reserved; null when there are none. */
  private Integer order;
  private boolean stop;

  HookBatches(PodExec exec, Clock clock, UpdatePlan plan, PlanCheckpoint checkpoint,
      List<HookStatus> entries, int parallelism) {
    this.exec = exec;
    this.clock = clock;
    this.plan = plan;
    this.checkpoint = checkpoint;
    this.parallelism = parallelism;
    this.tailBytes = HookBudget.tailBytes(entries);
    this.queue = new ArrayDeque<>(entries.stream()
        .filter(h -> HookLedger.PENDING.equals(h.state))
        .sorted(Comparator.comparingInt(HookLedger::order)) // stable: discovery order within an order
        .toList());
  }

  void run() {
    if (queue.isEmpty()) {
      return;
    }
    ExecutorService hooks = DaemonPool.fixed("hook-", Math.min(parallelism, queue.size()));
    BackgroundEvents events = new BackgroundEvents("hook-event-", Math.min(parallelism, queue.size()));
    CompletionService<Finished> done = new ExecutorCompletionService<>(hooks);
    List<Finished> finished = new ArrayList<>();
    try {
      while (true) {
        boolean changed = !finished.isEmpty();
        for (Finished f : finished) {
          stop |= record(f, events);
        }
        finished.clear();
        if (stop) {
          changed |= releaseReserved();
        }
        startReserved(done);
        changed |= reserve();
        if (changed) {
          checkpoint.save(plan); // the outcomes so far, the starts, and the next reservations
        }
        startReserved(done);
        if (running == 0) {
          break;
        }
        finished.add(take(done));
        running--;
        for (Future<Finished> f = done.poll(); f != null; f = done.poll()) {
          finished.add(result(f));
          running--;
        }
      }
      reportSucceeded();
      events.awaitSent(EVENT_WAIT); // a failed or late one is not a failure of the hooks
    } finally {
      hooks.shutdownNow();
      events.close();
    }
  }

  /**
   * Reserves the next hooks of the current order, so that the running and the reserved ones are
   * at most {@code 2 × parallelism}; whether it reserved any.
   */
  private boolean reserve() {
    if (running == 0 && reserved.isEmpty()) {
      order = null;
    }
    boolean any = false;
    while (!stop && !queue.isEmpty() && running + reserved.size() < 2 * parallelism
        && (order == null || order == HookLedger.order(queue.peek()))) {
      HookStatus h = queue.poll();
      order = HookLedger.order(h);
      h.state = HookLedger.RUNNING;
      h.attempts = (h.attempts == null ? 0 : h.attempts) + 1;
      h.startedAt = null;
      h.finishedAt = null;
      h.exitCode = null;
      reserved.add(h);
      any = true;
    }
    return any;
  }

  /** Starts reserved (saved) hooks into the free slots. */
  private void startReserved(CompletionService<Finished> done) {
    while (running < parallelism && !reserved.isEmpty()) {
      HookStatus h = reserved.poll();
      h.startedAt = now();
      done.submit(() -> new Finished(h, execute(h)));
      running++;
    }
  }

  /** After a stop: the reserved hooks never started; back to Pending. Whether there were any. */
  private boolean releaseReserved() {
    boolean any = !reserved.isEmpty();
    for (HookStatus h = reserved.poll(); h != null; h = reserved.poll()) {
      h.state = HookLedger.PENDING;
      h.attempts = h.attempts - 1;
    }
    return any;
  }

  private ExecResult execute(HookStatus h) {
    return exec.exec(h.namespace, h.pod, h.container, h.command, Durations.parse(h.timeout));
  }

  /** Puts one outcome into its entry (not saved yet); whether it stops the phase. */
  private boolean record(Finished f, BackgroundEvents events) {
    HookStatus h = f.hook();
    ExecResult result = f.result();
    h.finishedAt = now();
    h.exitCode = result.exitCode();
    h.stdoutTail = HookLimits.tail(result.stdoutTail(), tailBytes);
    h.stderrTail = HookLimits.tail(result.stderrTail(), tailBytes);
    boolean stops = false;
    if (result.succeeded()) {
      h.state = HookLedger.SUCCEEDED;
      h.message = "exit code 0";
      succeeded.add(h);
    } else {
      if (result.timedOut()) {
        h.state = HookLedger.TIMED_OUT;
        h.message = "no exit within " + h.timeout + "; the exec stream was closed";
      } else {
        h.state = HookLedger.FAILED;
        h.message = HookLimits.message(result.error() != null ? result.error() : "exit code " + result.exitCode());
      }
      checkpoint.warning(plan, result.timedOut() ? WorkloadReason.HookTimedOut : WorkloadReason.HookFailed,
          HookLimits.message(HookLedger.describe(h) + ": " + h.message + " (on-error " + h.onError + ")"));
      stops = !HookLedger.isContinue(h);
    }
    events.send(checkpoint, plan, HookPodEvents.of(plan, h));
    return stops;
  }

  /** One plan Event for the hooks that succeeded in this call. */
  private void reportSucceeded() {
    if (succeeded.size() == 1) {
      checkpoint.normal(plan, WorkloadReason.HookSucceeded, HookLedger.describe(succeeded.get(0)) + " succeeded");
    } else if (succeeded.size() > 1) {
      String pods = String.join(", ", succeeded.stream().map(h -> h.namespace + "/" + h.pod).toList());
      checkpoint.normal(plan, WorkloadReason.HooksSucceeded, HookLimits.message(succeeded.size() + " "
          + succeeded.get(0).hookPhase + " hooks succeeded: " + pods));
    }
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

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private record Finished(HookStatus hook, ExecResult result) {}
}
