package io.microshift.update.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.operator.StatusWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 5: hook data that reaches status.hooks, Events and previews is bounded, whatever
 * the pods carry. The mock API server has no size limit, so {@link EtcdSizedWriter} refuses a
 * plan larger than etcd's default request limit, as a real API server would.
 */
class HookBoundsTest {
  static final String PRE = "pre-update.hook.updates.microshift.io/";
  /** etcd's default --max-request-bytes: a larger object cannot be stored. */
  static final int ETCD_REQUEST_LIMIT = 1536 * 1024;
  static final KubernetesSerialization JSON = new KubernetesSerialization();

  final TestPlans.Events events = new TestPlans.Events();

  @Test
  void fiveThousandPodsWithOneMebibyteCommandsFailThePhaseWithABoundedStatus() {
    // one String shared by every pod: 1 MiB of valid JSON argv, 5000 times
    String huge = "[\"sh\", \"-c\", \"" + "x".repeat(1024 * 1024) + "\"]";
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      pods.add(Pods.running("app", String.format("big-%04d", i), Map.of(PRE + "command", huge), "main"));
    }
    EtcdSizedWriter writer = new EtcdSizedWriter();
    CountingExec exec = new CountingExec(0);
    UpdatePlan plan = plan(null);

    HookOutcome outcome = runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));

    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().startsWith("pre-update hook app/big-0000 (pre-update.hook.updates.microshift.io"
        + ", container main) Invalid: malformed hook annotations: " + PRE + "command: 1048592 characters, more than the "
        + "4096 bytes it may have"), outcome.message());
    assertEquals(0, exec.calls.get(), "no hook runs");
    assertEquals(HookLimits.MAX_PROBLEMS_RECORDED, plan.getStatus().hooks.size());
    assertTrue(plan.getStatus().hooks.get(19).message.endsWith("; 4980 more hooks of this phase that cannot run are not listed"),
        plan.getStatus().hooks.get(19).message);
    assertTrue(writer.largest < 64 * 1024, "status of " + writer.largest + " bytes");
    assertTrue(events.all.size() <= HookLimits.MAX_PROBLEMS_RECORDED + 1, events.all.size() + " events: " + events.all.stream().map(e -> e.substring(0, 60)).toList());
    assertEquals(1, events.withReason("HooksNotRecorded").size());
    events.all.forEach(e -> assertTrue(e.length() <= 1024, e));
  }

  @Test
  void moreValidHooksThanStatusCanRecordAreRefusedAndNoneRuns() {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      pods.add(Pods.running("app", String.format("db-%04d", i), Map.of(PRE + "command", "[\"/usr/bin/pg_dump\"]"), "main"));
    }
    EtcdSizedWriter writer = new EtcdSizedWriter();
    CountingExec exec = new CountingExec(0);
    UpdatePlan plan = plan(null);

    HookOutcome outcome = runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));

    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().contains("Invalid: not run: the 5000 pre-update hooks of this plan would need "), outcome.message());
    assertTrue(outcome.message().contains("more than the 384 KiB one phase may hold; no pre-update hook ran"), outcome.message());
    assertEquals(0, exec.calls.get());
    assertEquals(HookLimits.MAX_PROBLEMS_RECORDED, plan.getStatus().hooks.size());
    assertTrue(writer.largest < 64 * 1024, "status of " + writer.largest + " bytes");
    assertEquals(1, events.withReason("HooksRefused").size());

    // a restarted operator works from the record: still refused, still nothing run
    HookOutcome again = runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));
    assertFalse(again.succeeded());
    assertEquals(0, exec.calls.get());
  }

  @Test
  void outputTailsShareWhatThePhaseMayHoldAndTheCutIsMarked() {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      pods.add(Pods.running("app", String.format("noisy-%03d", i), Map.of(PRE + "command", "[\"/bin/dump\"]"), "main"));
    }
    EtcdSizedWriter writer = new EtcdSizedWriter();
    CountingExec exec = new CountingExec(PodExec.TAIL_BYTES);
    UpdatePlan plan = plan(null);

    HookOutcome outcome = runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals(300, exec.calls.get());
    int hooksBytes = JSON.asJson(plan.getStatus().hooks).getBytes(StandardCharsets.UTF_8).length;
    assertTrue(hooksBytes <= HookLimits.PHASE_STATUS_BYTES, "status.hooks of " + hooksBytes + " bytes");
    HookStatus first = plan.getStatus().hooks.get(0);
    assertTrue(first.stdoutTail.startsWith("[cut]\n") && first.stdoutTail.endsWith("END"), first.stdoutTail);
    assertTrue(first.stdoutTail.length() > 100, "still some output kept: " + first.stdoutTail.length());
  }

  @Test
  void aFewHooksKeepTheirWholeTwoKibTails() {
    List<Pod> pods = List.of(Pods.running("app", "db-0", Map.of(PRE + "command", "[\"/bin/dump\"]"), "main"));
    CountingExec exec = new CountingExec(PodExec.TAIL_BYTES);
    UpdatePlan plan = plan(null);

    assertTrue(runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(new EtcdSizedWriter(), events)).succeeded());

    assertEquals(PodExec.TAIL_BYTES, plan.getStatus().hooks.get(0).stdoutTail.length());
  }

  @Test
  void statusWritesAreBatchedAndEachExecIsRecordedRunningBeforeItStarts() {
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pods.add(Pods.running("app", String.format("db-%02d", i), Map.of(PRE + "command", "[\"/bin/dump\"]"), "main"));
    }
    EtcdSizedWriter writer = new EtcdSizedWriter();
    List<String> notWrittenAhead = new ArrayList<>();
    CountingExec exec = new CountingExec(0) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        HookStatus saved = writer.lastSaved().getStatus().hooks.stream()
            .filter(h -> h.pod.equals(pod)).findFirst().orElseThrow();
        if (!"Running".equals(saved.state) || saved.attempts != 1) {
          synchronized (notWrittenAhead) {
            notWrittenAhead.add(pod + " " + saved.state);
          }
        }
        sleep(20 + (pod.hashCode() & 15));
        return super.exec(ns, pod, container, argv, timeout);
      }
    };
    HookPolicy policy = new HookPolicy();
    policy.parallelism = 8;
    UpdatePlan plan = plan(policy);

    assertTrue(runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events)).succeeded());

    assertEquals(List.of(), notWrittenAhead, "every attempt is saved before its exec");
    assertTrue(writer.lastSaved().getStatus().hooks.stream().allMatch(h -> "Succeeded".equals(h.state)),
        "every outcome is saved before run returns");
    // one write per hook at most (the attempt of the next rides with the outcome of the last),
    // and one to record them: before, two per hook
    assertTrue(writer.saves.get() <= 41, writer.saves.get() + " status writes for 40 hooks");
  }

  @Test
  void hooksOfALowerOrderFinishBeforeAHigherOrderStarts() {
    List<Pod> pods = new ArrayList<>();
    // namespace and name order would interleave them; the order annotation decides
    for (int i = 0; i < 12; i++) {
      String order = String.valueOf((i % 3) * 5); // 0, 5, 10
      pods.add(Pods.running("app", String.format("p-%02d", i),
          Map.of(PRE + "command", "[\"/bin/dump\"]", PRE + "order", order), "main"));
    }
    List<String> log = new ArrayList<>();
    CountingExec exec = new CountingExec(0) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        int order = (Integer.parseInt(pod.substring(2)) % 3) * 5;
        synchronized (log) {
          log.add("start " + order);
        }
        sleep(30);
        synchronized (log) {
          log.add("end " + order);
        }
        return super.exec(ns, pod, container, argv, timeout);
      }
    };
    UpdatePlan plan = plan(null);

    assertTrue(runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(new EtcdSizedWriter(), events)).succeeded());

    assertEquals(12, exec.calls.get());
    int highestEnded = -1;
    int concurrentMax = 0;
    int concurrent = 0;
    for (String line : log) {
      int order = Integer.parseInt(line.split(" ")[1]);
      if (line.startsWith("start")) {
        assertTrue(order >= highestEnded, "order " + order + " started after order " + highestEnded + " ended: " + log);
        concurrentMax = Math.max(concurrentMax, ++concurrent);
      } else {
        highestEnded = Math.max(highestEnded, order);
        concurrent--;
      }
    }
    // four of each order: they ran in parallel within their order
    assertEquals(HookRunner.DEFAULT_PARALLELISM, concurrentMax, log.toString());
    assertEquals(List.of(0, 0, 0, 0, 5, 5, 5, 5, 10, 10, 10, 10), log.stream().filter(l -> l.startsWith("start"))
        .map(l -> Integer.parseInt(l.split(" ")[1])).toList());
    assertEquals(5, plan.getStatus().hooks.stream().filter(h -> h.pod.equals("p-01")).findFirst().orElseThrow().order);
  }

  @Test
  void aFailOfALowerOrderStartsNoHigherOrder() {
    List<Pod> pods = List.of(
        Pods.running("app", "a-first", Map.of(PRE + "command", "[\"/bin/false\"]", PRE + "order", "1"), "main"),
        Pods.running("app", "b-later", Map.of(PRE + "command", "[\"/bin/dump\"]", PRE + "order", "2"), "main"));
    CountingExec exec = new CountingExec(0) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        calls.incrementAndGet();
        return new ExecResult(pod.equals("a-first") ? 1 : 0, false, null, "", "");
      }
    };
    UpdatePlan plan = plan(null);

    assertFalse(runner(pods, exec).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(new EtcdSizedWriter(), events)).succeeded());

    assertEquals(1, exec.calls.get());
    assertEquals("Pending", plan.getStatus().hooks.stream().filter(h -> h.pod.equals("b-later")).findFirst()
        .orElseThrow().state);
  }

  private HookRunner runner(List<Pod> pods, PodExec exec) {
    HookDiscovery discovery = new HookDiscovery(null, "microshift-update") {
      @Override
      public Discovery discover(HookPhase phase, HookPolicy policy) {
        return classify(pods, phase, policy);
      }
    };
    return new HookRunner(discovery, exec, Clock.systemUTC(), Duration.ofMillis(100), Duration.ofMillis(50));
  }

  static UpdatePlan plan(HookPolicy hooks) {
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = UpdateType.OSTREE;
    spec.target = new UpdateTarget("4.17.3");
    spec.hooks = hooks;
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName("p1").withResourceVersion("1").build());
    plan.setSpec(spec);
    plan.setStatus(new UpdatePlanStatus());
    plan.getStatus().acceptedSpec = spec;
    return plan;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Refuses a plan larger than etcd stores, as the API server would; keeps what it stored. */
  static final class EtcdSizedWriter implements StatusWriter {
    final AtomicInteger saves = new AtomicInteger();
    volatile int largest;
    private volatile String last;

    @Override
    public UpdatePlan save(UpdatePlan plan) {
      String json = JSON.asJson(plan);
      int size = json.getBytes(StandardCharsets.UTF_8).length;
      if (size > ETCD_REQUEST_LIMIT) {
        throw new KubernetesClientException("etcdserver: request is too large (" + size + " bytes)");
      }
      saves.incrementAndGet();
      largest = Math.max(largest, size);
      last = json;
      return plan;
    }

    UpdatePlan lastSaved() {
      assertNotNull(last, "nothing saved yet");
      return JSON.unmarshal(last, UpdatePlan.class);
    }
  }

  /** Answers exit 0 with {@code outputBytes} of stdout and stderr each (ending in END). */
  static class CountingExec extends PodExec {
    final AtomicInteger calls = new AtomicInteger();
    private final int outputBytes;

    CountingExec(int outputBytes) {
      super(null);
      this.outputBytes = outputBytes;
    }

    @Override
    public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
      calls.incrementAndGet();
      String out = outputBytes == 0 ? "" : "o".repeat(outputBytes - 3) + "END";
      return new ExecResult(0, false, null, out, out);
    }
  }
}
