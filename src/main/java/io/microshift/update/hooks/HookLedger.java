package io.microshift.update.hooks;

import io.microshift.update.api.HookPolicy.OnError;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The hooks of one phase as recorded in {@code status.hooks}: the record that makes a hook run at
 * most once per phase, across operator restarts.
 */
final class HookLedger {
  static final String PENDING = "Pending";
  static final String RUNNING = "Running";
  static final String SUCCEEDED = "Succeeded";
  static final String FAILED = "Failed";
  static final String TIMED_OUT = "TimedOut";
  static final String INTERRUPTED = "Interrupted";
  static final String INVALID = "Invalid";
  static final Set<String> UNSUCCESSFUL = Set.of(FAILED, TIMED_OUT, INTERRUPTED, INVALID);

  private HookLedger() {}

  static List<HookStatus> entries(UpdatePlan plan, HookPhase phase) {
    List<HookStatus> entries = new ArrayList<>();
    for (HookStatus h : status(plan).hooks) {
      if (phase.value().equals(h.hookPhase)) {
        entries.add(h);
      }
    }
    return entries;
  }

  static UpdatePlanStatus status(UpdatePlan plan) {
    if (plan.getStatus() == null) {
      plan.setStatus(new UpdatePlanStatus());
    }
    if (plan.getStatus().hooks == null) {
      plan.getStatus().hooks = new ArrayList<>();
    }
    return plan.getStatus();
  }

  static HookStatus pending(HookDefinition hook) {
    HookStatus s = base(hook.phase(), hook.namespace(), hook.pod(), hook.source(), hook.container(),
        hook.command(), hook.onError(), hook.timeout());
    s.order = hook.order() == 0 ? null : hook.order();
    s.state = PENDING;
    return s;
  }

  static HookStatus problem(HookProblem problem, String state) {
    HookStatus s = base(problem.phase(), problem.namespace(), problem.pod(), problem.source(),
        problem.container(), problem.command(), problem.onError(), problem.timeout());
    s.state = state;
    s.message = HookLimits.message(problem.message());
    return s;
  }

  /** The order of an entry: hooks of a lower order finish before a higher order starts. */
  static int order(HookStatus h) {
    return h.order == null ? 0 : h.order;
  }

  /**
   * The first {@code max} of {@code problems}: those with on-error Fail first, then those with
   * Continue, each group in discovery order; when some are left out, the last kept one says how
   * many.
   */
  static List<HookStatus> keepFirstProblems(List<HookStatus> problems, int max) {
    if (problems.size() <= max) {
      return problems;
    }
    List<HookStatus> kept = new ArrayList<>();
    for (boolean failFirst : new boolean[] {true, false}) {
      for (HookStatus h : problems) {
        if (kept.size() < max && isContinue(h) != failFirst) {
          kept.add(h);
        }
      }
    }
    HookStatus last = kept.get(kept.size() - 1);
    String more = "; " + (problems.size() - max) + " more hooks of this phase that cannot run are not listed";
    last.message = HookLimits.clip(last.message, HookLimits.MAX_MESSAGE_BYTES - HookLimits.jsonBytes(more)) + more;
    return kept;
  }

  private static HookStatus base(HookPhase phase, String ns, String pod, String source,
      String container, List<String> command, OnError onError, String timeout) {
    HookStatus s = new HookStatus();
    s.hookPhase = phase.value();
    s.namespace = ns;
    s.pod = pod;
    s.source = source;
    s.container = container;
    s.command = new ArrayList<>(command);
    s.onError = onError.name();
    s.timeout = timeout;
    s.attempts = 0;
    return s;
  }

  static boolean isContinue(HookStatus h) {
    return OnError.Continue.name().equals(h.onError);
  }

  static String describe(HookStatus h) {
    return h.hookPhase + " hook " + h.namespace + "/" + h.pod + " (" + h.source
        + (h.container == null ? "" : ", container " + h.container) + ")";
  }

  /** What the recorded entries amount to. */
  static HookOutcome outcome(HookPhase phase, List<HookStatus> entries) {
    List<String> failed = new ArrayList<>();
    List<String> continued = new ArrayList<>();
    int succeeded = 0;
    for (HookStatus h : entries) {
      if (UNSUCCESSFUL.contains(h.state)) {
        String line = describe(h) + " " + h.state + ": " + h.message;
        (isContinue(h) ? continued : failed).add(line);
      } else if (SUCCEEDED.equals(h.state)) {
        succeeded++;
      }
    }
    if (!failed.isEmpty()) {
      String more = failed.size() > 1 ? " (and " + (failed.size() - 1) + " more)" : "";
      return new HookOutcome(false, failed.get(0) + " (on-error Fail)" + more, failed, continued);
    }
    String message = entries.isEmpty()
        ? "no " + phase.value() + " hooks"
        : succeeded + " of " + entries.size() + " " + phase.value() + " hooks succeeded"
            + (continued.isEmpty() ? "" : ", " + continued.size() + " failed with on-error Continue");
    return new HookOutcome(true, message, failed, continued);
  }
}
