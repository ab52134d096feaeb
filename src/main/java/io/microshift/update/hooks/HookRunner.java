package io.microshift.update.hooks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.checkpoint.PlanCheckpoint;
import io.microshift.update.checkpoint.WorkloadReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 * cut off by a restart (it ran, or was reserved to start next): it runs again only when the plan says hooks are idempotent, otherwise it
 * becomes Interrupted and counts as a failure of its on-error.
 *
 * <p>Hooks run in bounded parallel ({@link #parallelism}), lower orders first; status writes are
 * batched, the next hooks reserved in the same write ({@link HookBatches}).
 *
 * <p>A failure of an on-error Fail hook (including a malformed one) stops the phase: no further
 * hook starts. With a malformed Fail hook no hook runs at all. The plan's status is changed in
 * place; {@link PlanCheckpoint#save} persists it and its resourceVersion is copied back.
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

  public HookOutcome run(UpdatePlan plan, HookPhase phase, PlanCheckpoint checkpoint) {
    if (plan.getStatus() == null || plan.getStatus().acceptedSpec == null) {
      throw new IllegalStateException("plan " + plan.getMetadata().getName()
          + " has no status.acceptedSpec: hooks act on the accepted spec only");
    }
    HookPolicy policy = plan.getStatus().acceptedSpec.hooks != null
        ? plan.getStatus().acceptedSpec.hooks
        : new HookPolicy();
    List<HookStatus> entries = HookLedger.entries(plan, phase);
    if (entries.isEmpty()) {
      entries = record(plan, phase, policy, checkpoint);
    }
    resolveInterrupted(plan, entries, policy, checkpoint);
    HookOutcome before = HookLedger.outcome(phase, entries);
    if (!before.succeeded()) {
      return before;
    }
    runPending(plan, entries, policy, checkpoint);
    return HookLedger.outcome(phase, entries);
  }

  private List<HookStatus> record(UpdatePlan plan, HookPhase phase, HookPolicy policy,
      PlanCheckpoint checkpoint) {
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
      checkpoint.warning(plan, WorkloadReason.HooksRefused, HookLimits.message(refusal));
    }
    List<HookStatus> kept = HookLedger.keepFirstProblems(problems, HookLimits.MAX_PROBLEMS_RECORDED);
    for (HookStatus h : kept) {
      if (refused.contains(h)) {
        continue; // one HooksRefused event for them all
      }
      if (HookLedger.INVALID.equals(h.state)) {
        checkpoint.warning(plan, WorkloadReason.HookInvalid, HookLimits.message(HookLedger.describe(h) + ": " + h.message
            + " (on-error " + h.onError + ")"));
      } else if (HookLedger.FAILED.equals(h.state)) {
        checkpoint.warning(plan, WorkloadReason.HookNotReady, HookLimits.message(HookLedger.describe(h) + ": " + h.message));
      }
    }
    if (kept.size() < problems.size()) {
      checkpoint.warning(plan, WorkloadReason.HooksNotRecorded, (problems.size() - kept.size()) + " more " + phase.value()
          + " hooks that cannot run are not listed in status.hooks (it keeps the first "
          + HookLimits.MAX_PROBLEMS_RECORDED + ", those with on-error Fail first)");
    }
    if (!found.ignored().isEmpty()) {
      List<String> ignored = found.ignored();
      String more = ignored.size() > HookLimits.MAX_PREVIEW_LINES
          ? "; and " + (ignored.size() - HookLimits.MAX_PREVIEW_LINES) + " more" : "";
      checkpoint.normal(plan, WorkloadReason.HooksIgnored, HookLimits.clip(String.join("; ",
          ignored.subList(0, Math.min(ignored.size(), HookLimits.MAX_PREVIEW_LINES))), 4096) + more);
    }
    List<HookStatus> entries = new ArrayList<>(valid);
    entries.addAll(kept);
    if (!entries.isEmpty()) {
      HookLedger.status(plan).hooks.addAll(entries);
      checkpoint.save(plan);
    }
    return entries;
  }

  private static boolean failsFast(Discovery found) {
    return found.problems().stream().anyMatch(p -> p.onError() == HookPolicy.OnError.Fail);
  }

  private void resolveInterrupted(UpdatePlan plan, List<HookStatus> entries, HookPolicy policy,
      PlanCheckpoint checkpoint) {
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
        checkpoint.normal(plan, WorkloadReason.HookRetried, HookLedger.describe(h) + ": " + h.message);
      } else {
        h.state = HookLedger.INTERRUPTED;
        h.finishedAt = now();
        h.message = h.startedAt != null
            ? "the operator restarted while the hook ran (attempt " + h.attempts
                + "); its result is unknown and it is not run again because hooks.idempotent is false"
            // reserved in a write ahead of its start (HookBatches): it may not have started
            : "the operator restarted after attempt " + h.attempts + " was recorded as starting next;"
                + " whether it started, and its result, are unknown, and it is not run again because"
                + " hooks.idempotent is false";
        checkpoint.warning(plan, WorkloadReason.HookInterrupted, HookLedger.describe(h) + ": " + h.message);
      }
    }
    if (changed) {
      checkpoint.save(plan);
    }
  }

  /** Runs the Pending hooks in bounded parallel with batched status writes ({@link HookBatches}). */
  private void runPending(UpdatePlan plan, List<HookStatus> entries, HookPolicy policy,
      PlanCheckpoint checkpoint) {
    new HookBatches(exec, clock, plan, checkpoint, entries, parallelism(policy)).run();
  }

  /** The plan's hooks.parallelism, else {@link #DEFAULT_PARALLELISM}; 1 to 16. */
  static int parallelism(HookPolicy policy) {
    int p = policy.parallelism == null ? DEFAULT_PARALLELISM : policy.parallelism;
    return Math.max(1, Math.min(MAX_PARALLELISM, p));
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
}
