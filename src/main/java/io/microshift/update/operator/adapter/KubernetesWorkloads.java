package io.microshift.update.operator.adapter;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.hooks.Discovery;
import io.microshift.update.hooks.HookDefinition;
import io.microshift.update.hooks.HookDiscovery;
import io.microshift.update.hooks.HookLimits;
import io.microshift.update.hooks.HookOutcome;
import io.microshift.update.hooks.HookPhase;
import io.microshift.update.hooks.HookProblem;
import io.microshift.update.hooks.HookRunner;
import io.microshift.update.operator.EffectiveSpec;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.operator.StatusWriter;
import io.microshift.update.operator.port.WorkloadHooks;
import io.microshift.update.operator.port.WorkloadPausing;
import io.microshift.update.pause.PauseOutcome;
import io.microshift.update.pause.ReadyResult;
import io.microshift.update.pause.ResumeOutcome;
import io.microshift.update.pause.WorkloadPauser;
import java.util.ArrayList;
import java.util.List;

/** The workload ports on the Kubernetes API: annotated hooks through exec, pausing by scaling. */
public final class KubernetesWorkloads implements WorkloadHooks, WorkloadPausing {
  private final HookDiscovery discovery;
  private final HookRunner runner;
  private final WorkloadPauser pauser;

  public KubernetesWorkloads(KubernetesClient client, String operatorNamespace) {
    this(new HookDiscovery(client, operatorNamespace), new HookRunner(client, operatorNamespace),
        new WorkloadPauser(client, operatorNamespace));
  }

  public KubernetesWorkloads(HookDiscovery discovery, HookRunner runner, WorkloadPauser pauser) {
    this.discovery = discovery;
    this.runner = runner;
    this.pauser = pauser;
  }

  @Override
  public Preview preview(UpdatePlan plan, HookPhase phase) {
    HookPolicy policy = EffectiveSpec.of(plan).raw().hooks;
    Discovery d = discovery.discover(phase, policy == null ? new HookPolicy() : policy);
    List<String> hooks = firstLines(d.hooks().stream().map(h -> phase.value() + ": " + describe(h)).toList());
    List<String> malformed = firstLines(d.problems().stream().map(HookProblem::describe).toList());
    List<String> blocking = firstLines(d.problems().stream()
        .filter(p -> p.onError() != HookPolicy.OnError.Continue)
        .map(p -> "malformed " + phase.value() + " hook with on-error Fail: " + p.describe())
        .toList());
    return new Preview(hooks, malformed, blocking);
  }

  @Override
  public Outcome run(UpdatePlan plan, HookPhase phase, StatusWriter writer, EventRecorder events) {
    HookOutcome o = runner.run(plan, phase, new OperatorCheckpoint(writer, events));
    return new Outcome(o.succeeded() ? null : o.message(), o.continued());
  }

  @Override
  public List<String> select(UpdatePlan plan) {
    return pauser.select(EffectiveSpec.of(plan).raw().workloads).stream().map(Object::toString).toList();
  }

  @Override
  public String pause(UpdatePlan plan, StatusWriter writer, EventRecorder events) {
    WorkloadPauser.PauseAndDrain p = pauser.pauseAndCheckDrain(plan, new OperatorCheckpoint(writer, events));
    PauseOutcome o = p.outcome();
    if (!o.succeeded()) {
      throw new IllegalStateException("could not pause every workload: " + String.join("; ", o.failures()));
    }
    return p.drain().drained() ? null : p.drain().message();
  }

  @Override
  public String notReady(UpdatePlan plan) {
    ReadyResult r = pauser.ready(plan);
    return r.ready() ? null : r.message();
  }

  @Override
  public void resume(UpdatePlan plan, StatusWriter writer, EventRecorder events) {
    ResumeOutcome o = pauser.resume(plan, new OperatorCheckpoint(writer, events));
    if (!o.complete()) {
      throw new IllegalStateException("could not resume every workload: " + String.join("; ", o.failures()));
    }
  }

  private static String describe(HookDefinition h) {
    return h.describe() + " " + h.command();
  }

  /**
   * The first {@link HookLimits#MAX_PREVIEW_LINES} lines, each at most {@link
   * HookLimits#MAX_MESSAGE_BYTES}, then one line saying how many more there are.
   */
  static List<String> firstLines(List<String> lines) {
    int max = HookLimits.MAX_PREVIEW_LINES;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.min(max, lines.size()); i++) {
      out.add(HookLimits.message(lines.get(i)));
    }
    if (lines.size() > max) {
      out.add("... and " + (lines.size() - max) + " more");
    }
    return out;
  }
}
