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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Pending hooks of one phase, at most {@code parallelism} at once, lower orders first,
 * with the status writes batched (issue 16 item 4).
 *
 * <p>Write-ahead with a reservation: a status write records the outcomes that came in since the
 * last write together with the next hooks to start, as {@code Running} with one more attempt and
 * no {@code startedAt}. Those reserved entries are durable before any of them starts, so a slot
 * that frees starts the next reserved hook at once, without waiting for a write; a later write
 * records its {@code startedAt}. At most {@code 2 × parallelism} are reserved and not started, so
 * at most {@code 3 × parallelism} entries are {@code Running} in the saved status, and a crash
 * reports each of them as cut off (docs/workloads.md): a reserved one may not have started. After
 * a failure of an on-error Fail hook no further hook starts: the reserved ones go back to Pending
 * (attempt count restored) in the last write, those already running finish. Every outcome is
 * saved before {@link #run} returns.
 *
 * <p>The writes run beside the execs, one at a time, each on a copy of the plan taken when it
 * starts ({@link PlanCheckpoint#copy}): a hook that ends while a write is under way frees its slot
 * for the next durable reservation at once. A write goes out when the free slots are about to run
 * out of durable reservations, when nothing runs, or {@link #FLUSH} after the oldest change not
 * saved yet ({@link #writeDue}), so that each carries several outcomes and reservations. A write
 * that fails ends {@link #run} with its error, and no hook starts after it.
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
  /** At most this long between a hook's end (or start) and the write that records it. */
  static final Duration FLUSH = Duration.ofMillis(500);

  private final PodExec exec;
  private final Clock clock;
  private final UpdatePlan plan;
  private final PlanCheckpoint checkpoint;
  private final int parallelism;
  private final int tailBytes;

  private final Deque<HookStatus> queue;
  /** Saved Running, not started yet. */
  private final Deque<HookStatus> reserved = new ArrayDeque<>();
  /** Reserved (Running in memory), not saved yet: the next write saves them. */
  private final List<HookStatus> unsaved = new ArrayList<>();
  /** Reserved, in the write under way: they become startable when it succeeds. */
  private final List<HookStatus> saving = new ArrayList<>();
  /** Outcomes, starts or reservations that no write carries yet. */
  private boolean dirty;
  /** When {@link #dirty} became true (System.nanoTime). */
  private long dirtySince;
  private boolean writing;
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
    ExecutorService writer = DaemonPool.fixed("hook-status-", 1);
    BackgroundEvents events = new BackgroundEvents("hook-event-", Math.min(parallelism, queue.size()));
    BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>(); // Finished and Saved, in order
    try {
      while (true) {
        if (stop && releaseReserved()) {
          changed();
        }
        startReserved(hooks, arrivals);
        if (reserve()) {
          changed();
        }
        if (dirty && !writing && writeDue()) {
          write(writer, arrivals); // the outcomes so far, the starts, and the next reservations
        }
        if (running == 0 && !writing && !dirty) {
          break;
        }
        Object first = dirty && !writing ? poll(arrivals, dirtySince + FLUSH.toNanos() - System.nanoTime())
            : take(arrivals);
        for (Object a = first; a != null; a = arrivals.poll()) {
          arrived(a, events);
        }
      }
      reportSucceeded();
      events.awaitSent(EVENT_WAIT); // a failed or late one is not a failure of the hooks
    } finally {
      hooks.shutdownNow();
      writer.shutdownNow();
      events.close();
    }
  }

  /**
   * Whether the changes not saved yet are written now: when the free slots are about to run out
   * of durable reservations, when nothing runs (the end, or a stop), or when the oldest of them is
   * {@link #FLUSH} old. Otherwise they wait for that write, so that each write carries several
   * outcomes and reservations.
   */
  private boolean writeDue() {
    return (!unsaved.isEmpty() && reserved.size() < parallelism) || running == 0 || stop
        || System.nanoTime() - dirtySince >= FLUSH.toNanos();
  }

  private void changed() {
    if (!dirty) {
      dirty = true;
      dirtySince = System.nanoTime();
    }
  }

  /** Starts one write of a copy of the plan, with the reservations not saved yet. */
  private void write(ExecutorService writer, BlockingQueue<Object> arrivals) {
    UpdatePlan copy = checkpoint.copy(plan);
    saving.addAll(unsaved);
    unsaved.clear();
    dirty = false;
    writing = true;
    writer.execute(() -> {
      try {
        checkpoint.save(copy);
        arrivals.add(new Saved(copy.getMetadata().getResourceVersion(), null));
      } catch (RuntimeException e) {
        arrivals.add(new Saved(null, e));
      }
    });
  }

  /** Takes one hook's end or one write's end into the state. */
  private void arrived(Object arrival, BackgroundEvents events) {
    if (arrival instanceof Finished f) {
      running--;
      stop |= record(f, events);
      changed();
    } else if (arrival instanceof Saved saved) {
      writing = false;
      if (saved.error() != null) {
        throw saved.error(); // nothing starts after a write that failed
      }
      plan.getMetadata().setResourceVersion(saved.resourceVersion());
      reserved.addAll(saving); // after a stop, the loop's releaseReserved takes them back first
      saving.clear();
    }
  }

  /**
   * Reserves the next hooks of the current order, so that at most {@code 2 × parallelism} are
   * reserved and not started (durable, in the write under way, or for the next write); whether it
   * reserved any.
   */
  private boolean reserve() {
    if (running == 0 && reserved.isEmpty() && saving.isEmpty() && unsaved.isEmpty()) {
      order = null;
    }
    boolean any = false;
    while (!stop && !queue.isEmpty() && reserved.size() + saving.size() + unsaved.size() < 2 * parallelism
        && (order == null || order == HookLedger.order(queue.peek()))) {
      HookStatus h = queue.poll();
      order = HookLedger.order(h);
      h.state = HookLedger.RUNNING;
      h.attempts = (h.attempts == null ? 0 : h.attempts) + 1;
      h.startedAt = null;
      h.finishedAt = null;
      h.exitCode = null;
      unsaved.add(h);
      any = true;
    }
    return any;
  }

  /** Starts reserved (saved) hooks into the free slots; each one's end arrives in {@code arrivals}. */
  private void startReserved(ExecutorService hooks, BlockingQueue<Object> arrivals) {
    while (running < parallelism && !reserved.isEmpty()) {
      HookStatus h = reserved.poll();
      h.startedAt = now();
      changed();
      hooks.execute(() -> arrivals.add(finish(h)));
      running++;
    }
  }

  /** Runs one hook; a runtime failure of the exec port ends {@link #run} with it. */
  private Finished finish(HookStatus h) {
    try {
      return new Finished(h, execute(h), null);
    } catch (RuntimeException e) {
      return new Finished(h, null, e);
    }
  }

  /** After a stop: the reserved hooks never started; back to Pending. Whether there were any. */
  private boolean releaseReserved() {
    List<HookStatus> never = new ArrayList<>(reserved);
    never.addAll(saving); // the write under way saves them Running; the next one, Pending
    never.addAll(unsaved);
    reserved.clear();
    unsaved.clear();
    boolean any = false;
    for (HookStatus h : never) {
      if (HookLedger.RUNNING.equals(h.state)) { // not released by an earlier call
        h.state = HookLedger.PENDING;
        h.attempts = h.attempts - 1;
        any = true;
      }
    }
    return any;
  }

  private ExecResult execute(HookStatus h) {
    return exec.exec(h.namespace, h.pod, h.container, h.command, Durations.parse(h.timeout));
  }

  /** Puts one outcome into its entry (not saved yet); whether it stops the phase. */
  private boolean record(Finished f, BackgroundEvents events) {
    if (f.error() != null) {
      throw f.error(); // the entry stays Running in the saved status: a restart reports it Interrupted
    }
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
    events.send(checkpoint, plan, HookPodEvents.of(plan, h, result.podUid()));
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

  /** The next arrival within {@code nanos}, else null. */
  private static Object poll(BlockingQueue<Object> arrivals, long nanos) {
    try {
      return arrivals.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hooks ran", e);
    }
  }

  private static Object take(BlockingQueue<Object> arrivals) {
    try {
      return arrivals.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while hooks ran", e);
    }
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A hook's end: its result, or the runtime failure of the exec port. */
  private record Finished(HookStatus hook, ExecResult result, RuntimeException error) {}

  /** A write's end: the saved resourceVersion, or its failure. */
  private record Saved(String resourceVersion, RuntimeException error) {}
}
