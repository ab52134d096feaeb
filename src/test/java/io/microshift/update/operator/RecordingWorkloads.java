package io.microshift.update.operator;

import io.microshift.update.hooks.HookPhase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.port.WorkloadHooks;
import io.microshift.update.operator.port.WorkloadPausing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records what the state machine asked of hooks and pausing, in order, so tests assert
 * the sequence of side effects (the real implementations have their own tests).
 */
final class RecordingWorkloads implements WorkloadHooks, WorkloadPausing {
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  volatile boolean paused;
  volatile String failStage;
  volatile List<String> blockingHookProblems = List.of();

  @Override
  public Preview preview(UpdatePlan plan, HookPhase stage) {
    return new Preview(List.of("ns/pod " + stage.value()), List.of(), blockingHookProblems);
  }

  @Override
  public Outcome run(UpdatePlan plan, HookPhase stage, StatusWriter writer, EventRecorder events) {
    calls.add("hooks:" + stage.value());
    return stage.value().equals(failStage)
        ? new Outcome("hook in ns/pod exited 1", List.of())
        : new Outcome(null, List.of());
  }

  @Override
  public List<String> select(UpdatePlan plan) {
    return List.of("Deployment/apps/web");
  }

  @Override
  public String pause(UpdatePlan plan, StatusWriter writer, EventRecorder events) {
    if (!paused) {
      calls.add("pause");
    }
    paused = true;
    return running.get();
  }

  /** What {@link #pause} reports still running (null: every paused workload's pods are gone). */
  volatile java.util.function.Supplier<String> running = () -> null;

  @Override
  public String notReady(UpdatePlan plan) {
    return notReady;
  }

  /** What {@link #notReady} reports (null: every resumed workload is ready). */
  volatile String notReady;

  @Override
  public void resume(UpdatePlan plan, StatusWriter writer, EventRecorder events) {
    if (paused) {
      calls.add("resume");
    }
    paused = false;
  }

  List<String> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }
}
