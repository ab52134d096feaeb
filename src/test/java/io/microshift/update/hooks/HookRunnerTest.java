package io.microshift.update.hooks;

import static io.microshift.update.hooks.Pods.annotations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.operator.OperatorCheckpoint;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.EventRecorder;
import io.microshift.update.operator.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class HookRunnerTest {
  static final String PRE = "pre-update.hook.updates.microshift.io/";

  KubernetesMockServer server;
  KubernetesClient client;
  final TestPlans.Events events = new TestPlans.Events();

  HookRunner runner() {
    return runner(new PodExec(client));
  }

  HookRunner runner(PodExec exec) {
    return new HookRunner(new HookDiscovery(client, "microshift-update"), exec, Clock.systemUTC(),
        Duration.ofMillis(300), Duration.ofMillis(100));
  }

  HookOutcome run(UpdatePlan plan, HookPhase phase) {
    return runner().run(plan, phase, new OperatorCheckpoint(TestPlans.writer(client), events));
  }

  void hookedPod(String ns, String name, String container, List<String> argv, String... more) {
    List<String> kv = new ArrayList<>(List.of(PRE + "command", json(argv)));
    kv.addAll(List.of(more));
    Pods.create(client, Pods.running(ns, name, annotations(kv.toArray(String[]::new)), container));
  }

  static String json(List<String> argv) {
    return "[" + String.join(",", argv.stream().map(a -> "\"" + a + "\"").toList()) + "]";
  }

  static HookPolicy oneAtATime() {
    HookPolicy policy = new HookPolicy();
    policy.parallelism = 1;
    return policy;
  }

  static HookStatus entry(UpdatePlan plan, String pod) {
    return plan.getStatus().hooks.stream().filter(h -> h.pod.equals(pod)).findFirst().orElseThrow();
  }

  @Test
  void successRunsEveryHookOnceInAStableOrderAndRecordsItInStatus() throws Exception {
    hookedPod("shop", "web-1", "web", List.of("/bin/sync"));
    hookedPod("app", "db-0", "postgres", List.of("pg_dump", "-f", "/backup/db.sql"));
    Pods.expectExec(server, "shop", "web-1", "web", List.of("/bin/sync"), Pods.exit(0));
    Pods.expectExec(server, "app", "db-0", "postgres", List.of("pg_dump", "-f", "/backup/db.sql"),
        new OutputStreamMessage("dump complete"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", oneAtATime(), null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals("2 of 2 pre-update hooks succeeded", outcome.message());
    assertEquals(List.of(Pods.execPath("app", "db-0", "postgres", List.of("pg_dump", "-f", "/backup/db.sql")),
        Pods.execPath("shop", "web-1", "web", List.of("/bin/sync"))), Pods.execRequests(server));
    UpdatePlan stored = TestPlans.reload(client, "p1");
    assertEquals(List.of("db-0", "web-1"), stored.getStatus().hooks.stream().map(h -> h.pod).toList());
    HookStatus db = entry(stored, "db-0");
    assertEquals("pre-update", db.hookPhase);
    assertEquals("Succeeded", db.state);
    assertEquals(0, db.exitCode);
    assertEquals(1, db.attempts);
    assertEquals("dump complete", db.stdoutTail);
    assertEquals(List.of("pg_dump", "-f", "/backup/db.sql"), db.command);
    assertEquals("pre-update.hook.updates.microshift.io", db.source);
    assertEquals("Fail", db.onError);
    assertEquals("5m", db.timeout);
    assertNotNull(db.startedAt);
    assertNotNull(db.finishedAt);
    // one plan Event for the phase (issue 16 item 4), not one per hook or per status write
    assertEquals(List.of("Normal HooksSucceeded: 2 pre-update hooks succeeded: app/db-0, shop/web-1"), events.all);
  }

  @Test
  void nonZeroExitWithFailFailsThePhaseAndStartsNoFurtherHook() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    hookedPod("app", "b-0", "db", List.of("dump"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), new ErrorStreamMessage("disk full"), Pods.exit(3));
    Pods.expectExec(server, "app", "b-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", oneAtATime(), null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertFalse(outcome.succeeded());
    assertEquals("pre-update hook app/a-0 (pre-update.hook.updates.microshift.io, container db) Failed: exit code 3 (on-error Fail)",
        outcome.message());
    assertEquals(1, Pods.execRequests(server).size(), "b-0 must not run after a Fail hook failed");
    UpdatePlan stored = TestPlans.reload(client, "p1");
    HookStatus a = entry(stored, "a-0");
    assertEquals("Failed", a.state);
    assertEquals(3, a.exitCode);
    assertEquals("disk full", a.stderrTail);
    HookStatus b = entry(stored, "b-0");
    assertEquals("Pending", b.state);
    assertEquals(0, b.attempts);
    assertEquals(List.of("Warning HookFailed: pre-update hook app/a-0 (pre-update.hook.updates.microshift.io, container db): exit code 3 (on-error Fail)"),
        events.all);
  }

  @Test
  void nonZeroExitWithContinueIsReportedAndTheOthersRun() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"), PRE + "on-error", "Continue");
    hookedPod("app", "b-0", "db", List.of("dump"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(1));
    Pods.expectExec(server, "app", "b-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals("1 of 2 pre-update hooks succeeded, 1 failed with on-error Continue", outcome.message());
    assertEquals(List.of("pre-update hook app/a-0 (pre-update.hook.updates.microshift.io, container db) Failed: exit code 1"),
        outcome.continued());
    assertEquals(2, Pods.execRequests(server).size());
    UpdatePlan stored = TestPlans.reload(client, "p1");
    assertEquals("Failed", entry(stored, "a-0").state);
    assertEquals(1, entry(stored, "a-0").exitCode);
    assertEquals("Succeeded", entry(stored, "b-0").state);
  }

  @Test
  void aHookThatOutlivesItsTimeoutIsTimedOut() {
    hookedPod("app", "a-0", "db", List.of("sleep", "600"), PRE + "timeout", "1s");
    Pods.expectSlowExec(server, "app", "a-0", "db", List.of("sleep", "600"), 3_000, new OutputStreamMessage("zzz"));
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    long start = System.nanoTime();
    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertFalse(outcome.succeeded());
    assertTrue(millis < 2_800, "the runner waited " + millis + " ms for a 1s hook");
    HookStatus a = entry(TestPlans.reload(client, "p1"), "a-0");
    assertEquals("TimedOut", a.state);
    assertEquals(null, a.exitCode);
    assertEquals("zzz", a.stdoutTail);
    assertEquals("no exit within 1s; the exec stream was closed", a.message);
    assertEquals(1, events.withReason("HookTimedOut").size());
  }

  @Test
  void aMalformedFailHookFailsThePhaseBeforeAnyHookRuns() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    Pods.create(client, Pods.running("app", "b-0", annotations(PRE + "command", "[\"dump\"", PRE + "container", "db"), "db"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().startsWith("pre-update hook app/b-0 (pre-update.hook.updates.microshift.io, container db) Invalid: "
        + "malformed hook annotations: " + PRE + "command: invalid JSON"), outcome.message());
    assertEquals(List.of(), Pods.execRequests(server), "nothing runs when a Fail hook is malformed");
    UpdatePlan stored = TestPlans.reload(client, "p1");
    assertEquals("Invalid", entry(stored, "b-0").state);
    assertEquals("Pending", entry(stored, "a-0").state);
    assertEquals(1, events.withReason("HookInvalid").size());
    assertTrue(events.withReason("HookInvalid").get(0).contains("app/b-0"));
  }

  @Test
  void aMalformedContinueHookIsRecordedAndTheOthersRun() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    Pods.create(client, Pods.running("app", "b-0", annotations(
        PRE + "command", "[\"dump\"]", PRE + "container", "nope", PRE + "on-error", "Continue"), "db"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals(1, outcome.continued().size());
    assertTrue(outcome.continued().get(0).contains("unknown container \"nope\""), outcome.continued().get(0));
    assertEquals(1, Pods.execRequests(server).size());
    assertEquals("Invalid", entry(TestPlans.reload(client, "p1"), "b-0").state);
  }

  @Test
  void veleroAliasHookRunsInTheFirstContainerWithVelerosDefaults() throws Exception {
    Pods.create(client, Pods.running("app", "db-0", annotations(
        "pre.hook.backup.velero.io/command", "[\"/bin/bash\", \"-c\", \"pg_dump > /backup/db.sql\"]"), "postgres", "exporter"));
    List<String> argv = List.of("/bin/bash", "-c", "pg_dump > /backup/db.sql");
    Pods.expectExec(server, "app", "db-0", "postgres", argv, Pods.exit(0));
    HookPolicy policy = new HookPolicy();
    policy.onError = HookPolicy.OnError.Continue;
    policy.defaultTimeout = "10m";
    UpdatePlan plan = TestPlans.create(client, "p1", policy, null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals(List.of(Pods.execPath("app", "db-0", "postgres", argv)), Pods.execRequests(server));
    HookStatus h = entry(TestPlans.reload(client, "p1"), "db-0");
    assertEquals("pre.hook.backup.velero.io", h.source);
    assertEquals("Fail", h.onError);
    assertEquals("30s", h.timeout);
    assertEquals("Succeeded", h.state);
  }

  @Test
  void hooksRunAtMostOncePerPhaseEvenWhenCalledAgain() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);
    assertTrue(run(plan, HookPhase.PRE_UPDATE).succeeded());
    hookedPod("app", "late-0", "db", List.of("dump"));

    // a restarted operator reads the plan from the server and calls the step again
    HookOutcome again = run(TestPlans.reload(client, "p1"), HookPhase.PRE_UPDATE);

    assertTrue(again.succeeded());
    assertEquals(1, Pods.execRequests(server).size(), "the hook ran once and the late pod was not hooked");
    assertEquals(1, TestPlans.reload(client, "p1").getStatus().hooks.size());
  }

  @Test
  void aHookCutOffByARestartIsReportedAsInterruptedAndNotRunAgain() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(0));
    UpdatePlan plan = crashedWhileRunning(null);

    HookOutcome outcome = run(TestPlans.reload(client, "p1"), HookPhase.PRE_UPDATE);

    assertFalse(outcome.succeeded());
    assertEquals(List.of(), Pods.execRequests(server));
    HookStatus a = entry(TestPlans.reload(client, "p1"), "a-0");
    assertEquals("Interrupted", a.state);
    assertEquals(1, a.attempts);
    assertTrue(a.message.contains("not run again because hooks.idempotent is false"), a.message);
    assertEquals(1, events.withReason("HookInterrupted").size());
    assertNotNull(plan);
  }

  @Test
  void aHookCutOffByARestartRunsAgainWhenThePlanSaysHooksAreIdempotent() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    Pods.expectExec(server, "app", "a-0", "db", List.of("dump"), Pods.exit(0));
    HookPolicy policy = new HookPolicy();
    policy.idempotent = true;
    crashedWhileRunning(policy);

    HookOutcome outcome = run(TestPlans.reload(client, "p1"), HookPhase.PRE_UPDATE);

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals(1, Pods.execRequests(server).size());
    HookStatus a = entry(TestPlans.reload(client, "p1"), "a-0");
    assertEquals("Succeeded", a.state);
    assertEquals(2, a.attempts);
  }

  /** The state a crash leaves: the attempt recorded as Running, the exec never finished. */
  private UpdatePlan crashedWhileRunning(HookPolicy policy) throws Exception {
    UpdatePlan plan = TestPlans.create(client, "p1", policy, null);
    PodExec crashing = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        throw new IllegalStateException("operator killed");
      }
    };
    try {
      runner(crashing).run(plan, HookPhase.PRE_UPDATE, new OperatorCheckpoint(TestPlans.writer(client), events));
    } catch (IllegalStateException expected) {
      // the process died here
    }
    assertEquals("Running", entry(TestPlans.reload(client, "p1"), "a-0").state);
    Pods.execRequests(server);
    return plan;
  }

  @Test
  void parallelismIsBoundedByThePlanAndDefaultsToFour() {
    for (String pod : List.of("a-0", "b-0", "c-0", "d-0", "e-0", "f-0")) {
      hookedPod("app", pod, "db", List.of("dump"));
    }
    HookPolicy two = new HookPolicy();
    two.parallelism = 2;
    ConcurrencyProbe parallel = new ConcurrencyProbe(client);
    assertTrue(runner(parallel).run(TestPlans.create(client, "p2", two, null), HookPhase.PRE_UPDATE,
        new OperatorCheckpoint(TestPlans.writer(client), events)).succeeded());
    assertEquals(2, parallel.max.get(), "at most two at once, and two did run at once");

    ConcurrencyProbe byDefault = new ConcurrencyProbe(client);
    assertTrue(runner(byDefault).run(TestPlans.create(client, "p3", null, null), HookPhase.PRE_UPDATE,
        new OperatorCheckpoint(TestPlans.writer(client), events)).succeeded());
    assertEquals(HookRunner.DEFAULT_PARALLELISM, byDefault.max.get(), "four at once when the plan does not say");

    ConcurrencyProbe sequential = new ConcurrencyProbe(client);
    assertTrue(runner(sequential).run(TestPlans.create(client, "p1", oneAtATime(), null), HookPhase.PRE_UPDATE,
        new OperatorCheckpoint(TestPlans.writer(client), events)).succeeded());
    assertEquals(1, sequential.max.get());
    assertEquals(List.of("a-0", "b-0", "c-0", "d-0", "e-0", "f-0"), sequential.order);
  }

  /** Records how many execs overlap; each exec lasts long enough for a second one to start. */
  static final class ConcurrencyProbe extends PodExec {
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();
    final List<String> order = Collections.synchronizedList(new ArrayList<>());

    ConcurrencyProbe(KubernetesClient client) {
      super(client);
    }

    @Override
    public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
      order.add(pod);
      int now = current.incrementAndGet();
      max.accumulateAndGet(now, Math::max);
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      current.decrementAndGet();
      return new ExecResult(0, false, null, "", "");
    }
  }

  @Test
  void aHookWhosePodNeverBecomesReadyFailsAfterTheWait() throws Exception {
    Pods.create(client, new PodBuilder(Pods.running("app", "a-0", annotations(PRE + "command", "[\"dump\"]"), "db"))
        .editStatus().withPhase("Pending").withContainerStatuses().endStatus().build());
    UpdatePlan plan = TestPlans.create(client, "p1", null, null);

    HookOutcome outcome = run(plan, HookPhase.PRE_UPDATE);

    assertFalse(outcome.succeeded());
    HookStatus a = entry(TestPlans.reload(client, "p1"), "a-0");
    assertEquals("Failed", a.state);
    assertEquals("not run: the pod is not running (phase Pending) after waiting 300ms", a.message);
    assertEquals(List.of(), Pods.execRequests(server));
  }

  /**
   * Issue 16 item 4: the write that records an outcome also reserves the next hook, so a freed
   * slot starts it without waiting for another write; and still no hook starts before its entry
   * is saved Running.
   */
  @Test
  void theNextHookIsReservedInTheWriteBeforeSoAFreedSlotStartsItWithoutAWrite() {
    for (String pod : List.of("a-0", "b-0", "c-0", "d-0")) {
      hookedPod("app", pod, "db", List.of("dump"));
    }
    List<Map<String, String>> saved = Collections.synchronizedList(new ArrayList<>());
    StatusWriter writer = plan -> {
      TestPlans.writer(client).save(plan);
      Map<String, String> states = new TreeMap<>();
      // Running+ : started; Running- : reserved, no startedAt yet
      plan.getStatus().hooks.forEach(h -> states.put(h.pod, h.state
          + ("Running".equals(h.state) ? (h.startedAt == null ? "-" : "+") : "")));
      saved.add(states);
      return plan;
    };
    PodExec probe = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        synchronized (saved) {
          assertTrue(saved.get(saved.size() - 1).get(pod).startsWith("Running"),
              pod + " started before it was saved Running: " + saved);
        }
        return new ExecResult(0, false, null, "", "");
      }
    };

    HookOutcome outcome = runner(probe).run(TestPlans.create(client, "p1", oneAtATime(), null),
        HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));

    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals(Map.of("a-0", "Running-", "b-0", "Running-", "c-0", "Pending", "d-0", "Pending"), saved.get(1),
        "the first write after discovery reserves as many as the free slot and as many again");
    // b-0 was reserved with a-0 and starts when a-0 ends, before any write records a-0's outcome
    Map<String, String> firstWithA = saved.stream().filter(m -> "Succeeded".equals(m.get("a-0")))
        .findFirst().orElseThrow();
    assertTrue(List.of("Running+", "Succeeded").contains(firstWithA.get("b-0")), "b-0 started without a write: " + saved);
    for (Map<String, String> states : saved) {
      long reservedOnly = states.values().stream().filter("Running-"::equals).count();
      assertTrue(reservedOnly <= 2, "at most 2 x parallelism reserved and not started: " + saved);
    }
    assertEquals(Map.of("a-0", "Succeeded", "b-0", "Succeeded", "c-0", "Succeeded", "d-0", "Succeeded"),
        saved.get(saved.size() - 1), "every outcome is saved before run returns");
  }

  /**
   * Issue 16 item 4: the status writes run beside the execs. While a write is under way, a freed
   * slot starts the next reservation that an earlier write made durable (here the second write
   * waits until d-0 has started, which a write on the hooks' own thread would never see).
   */
  @Test
  void aSlowWriteDoesNotHoldBackTheHooksAlreadyReserved() {
    List<String> pods = List.of("a-0", "b-0", "c-0", "d-0", "e-0", "f-0");
    for (String pod : pods) {
      hookedPod("app", pod, "db", List.of("dump"));
    }
    java.util.concurrent.CountDownLatch dStarted = new java.util.concurrent.CountDownLatch(1);
    List<Boolean> waited = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger writes = new AtomicInteger();
    StatusWriter writer = plan -> {
      boolean reservedD = plan.getStatus().hooks.stream()
          .anyMatch(h -> h.pod.equals("d-0") && "Running".equals(h.state) && h.startedAt == null);
      boolean someDone = plan.getStatus().hooks.stream().anyMatch(h -> "Succeeded".equals(h.state));
      if (writes.incrementAndGet() > 1 && reservedD && someDone) { // a write under way while d-0 waits
        try {
          waited.add(dStarted.await(5, java.util.concurrent.TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return TestPlans.writer(client).save(plan);
    };
    PodExec slow = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        if (pod.equals("d-0")) {
          dStarted.countDown();
        }
        try {
          Thread.sleep(pod.equals("b-0") ? 400 : 50); // b-0 holds its slot: a-0's frees first
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new ExecResult(0, false, null, "", "");
      }
    };
    HookPolicy two = new HookPolicy();
    two.parallelism = 2;

    HookOutcome outcome = runner(slow).run(TestPlans.create(client, "p1", two, null),
        HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, events));

    assertTrue(outcome.succeeded(), outcome.message());
    assertFalse(waited.isEmpty(), "a write was under way while d-0 was reserved and not started");
    assertEquals(List.of(true), waited.subList(0, 1), "d-0 started while that write was under way");
    UpdatePlan stored = TestPlans.reload(client, "p1");
    for (String pod : pods) {
      assertEquals("Succeeded", entry(stored, pod).state, pod);
    }
  }

  /**
   * Writes wait to carry several outcomes, but not for long: a hook's outcome is saved within
   * {@link HookBatches#FLUSH} even while another hook goes on running.
   */
  @Test
  void anOutcomeIsSavedWithinTheFlushDelayWhileAnotherHookRuns() {
    hookedPod("app", "a-0", "db", List.of("dump"));
    hookedPod("app", "b-0", "db", List.of("dump"));
    java.util.concurrent.CountDownLatch bEnds = new java.util.concurrent.CountDownLatch(1);
    List<String> aSavedWhileBRan = Collections.synchronizedList(new ArrayList<>());
    StatusWriter writer = plan -> {
      if ("Succeeded".equals(entry(plan, "a-0").state) && bEnds.getCount() == 1) {
        aSavedWhileBRan.add(entry(plan, "b-0").state);
        bEnds.countDown();
      }
      return TestPlans.writer(client).save(plan);
    };
    PodExec exec = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        if (pod.equals("b-0")) {
          try {
            bEnds.await(10 * HookBatches.FLUSH.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return new ExecResult(0, false, null, "", "");
      }
    };
    HookPolicy two = new HookPolicy();
    two.parallelism = 2;

    assertTrue(runner(exec).run(TestPlans.create(client, "p1", two, null), HookPhase.PRE_UPDATE,
        new OperatorCheckpoint(writer, events)).succeeded());
    assertEquals(List.of("Running"), aSavedWhileBRan, "a-0's outcome was saved while b-0 still ran");
  }

  /**
   * A crash while the first hook runs leaves the next one reserved (saved Running, not started):
   * the restart reports it Interrupted without claiming that it ran.
   */
  @Test
  void aReservedHookFoundAfterARestartIsReportedAsMaybeNotStarted() throws Exception {
    hookedPod("app", "a-0", "db", List.of("dump"));
    hookedPod("app", "b-0", "db", List.of("dump"));
    UpdatePlan plan = TestPlans.create(client, "p1", oneAtATime(), null);
    PodExec crashing = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        throw new IllegalStateException("operator killed");
      }
    };
    try {
      runner(crashing).run(plan, HookPhase.PRE_UPDATE, TestPlans.checkpoint(client, events));
    } catch (IllegalStateException expected) {
      // the process died here
    }
    UpdatePlan crashed = TestPlans.reload(client, "p1");
    assertEquals("Running", entry(crashed, "b-0").state, "b-0 was reserved in the write before a-0 started");
    assertEquals(null, entry(crashed, "b-0").startedAt);

    HookOutcome outcome = run(crashed, HookPhase.PRE_UPDATE);

    assertFalse(outcome.succeeded());
    assertEquals(List.of(), Pods.execRequests(server));
    HookStatus a = entry(TestPlans.reload(client, "p1"), "a-0");
    HookStatus b = entry(TestPlans.reload(client, "p1"), "b-0");
    // a-0 started, b-0 did not, but no write recorded a-0's start: neither is claimed to have run
    assertEquals("Interrupted", a.state);
    assertEquals(b.message, a.message);
    assertEquals("Interrupted", b.state);
    assertEquals("the operator restarted after attempt 1 was recorded as starting next; whether it started,"
        + " and its result, are unknown, and it is not run again because hooks.idempotent is false", b.message);
  }

  /**
   * A failure that arrives together with the end of a write which carried reservations: those
   * reservations go back to Pending too, not left Running in the saved status. The recorder holds
   * the failure's Warning until that write has ended, so both are taken in one pass.
   */
  @Test
  void aFailureTakenWithTheEndOfAWriteReleasesTheReservationsItCarried() {
    for (String pod : List.of("a-0", "b-0", "c-0", "d-0")) {
      hookedPod("app", pod, "db", List.of("dump"));
    }
    java.util.concurrent.CountDownLatch aEnded = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch carryingCSaved = new java.util.concurrent.CountDownLatch(1);
    StatusWriter writer = plan -> {
      HookStatus c = entry(plan, "c-0");
      boolean carriesC = "Running".equals(c.state) && carryingCSaved.getCount() == 1;
      if (carriesC) {
        await(aEnded);
      }
      TestPlans.writer(client).save(plan);
      if (carriesC) {
        carryingCSaved.countDown();
      }
      return plan;
    };
    TestPlans.Events recorded = new TestPlans.Events();
    EventRecorder holdingTheFailure = new EventRecorder() {
      @Override
      public void normal(UpdatePlan plan, String reason, String message) {
        recorded.normal(plan, reason, message);
      }

      @Override
      public void warning(UpdatePlan plan, String reason, String message) {
        await(carryingCSaved);
        sleep(200); // the writer queues the write's end just after save returns
        recorded.warning(plan, reason, message);
      }

      @Override
      public void normalOn(UpdatePlan plan, io.fabric8.kubernetes.api.model.ObjectReference o, String reason, String message) {
        recorded.normalOn(plan, o, reason, message);
      }

      @Override
      public void warningOn(UpdatePlan plan, io.fabric8.kubernetes.api.model.ObjectReference o, String reason, String message) {
        recorded.warningOn(plan, o, reason, message);
      }
    };
    PodExec failingLate = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        sleep(2 * HookBatches.FLUSH.toMillis()); // the write at the flush carries c-0's reservation
        aEnded.countDown();
        return new ExecResult(1, false, null, "", "");
      }
    };

    HookOutcome outcome = runner(failingLate).run(TestPlans.create(client, "p1", oneAtATime(), null),
        HookPhase.PRE_UPDATE, new OperatorCheckpoint(writer, holdingTheFailure));

    assertFalse(outcome.succeeded());
    assertEquals(0, carryingCSaved.getCount(), "a write carried c-0's reservation");
    UpdatePlan stored = TestPlans.reload(client, "p1");
    assertEquals("Failed", entry(stored, "a-0").state);
    for (String pod : List.of("b-0", "c-0", "d-0")) {
      assertEquals("Pending", entry(stored, pod).state, pod);
      assertEquals(0, entry(stored, pod).attempts, pod);
    }
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, java.util.concurrent.TimeUnit.SECONDS), "latch not released");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After a Fail hook failed, the reserved hooks never start: they are saved Pending again. */
  @Test
  void aFailureReleasesTheReservedHooks() {
    for (String pod : List.of("a-0", "b-0", "c-0")) {
      hookedPod("app", pod, "db", List.of("dump"));
    }
    PodExec failing = new PodExec(client) {
      @Override
      public ExecResult exec(String ns, String pod, String container, List<String> argv, Duration timeout) {
        return new ExecResult(1, false, null, "", "");
      }
    };

    HookOutcome outcome = runner(failing).run(TestPlans.create(client, "p1", oneAtATime(), null),
        HookPhase.PRE_UPDATE, TestPlans.checkpoint(client, events));

    assertFalse(outcome.succeeded());
    UpdatePlan stored = TestPlans.reload(client, "p1");
    assertEquals("Failed", entry(stored, "a-0").state);
    assertEquals("Pending", entry(stored, "b-0").state);
    assertEquals(0, entry(stored, "b-0").attempts);
    assertEquals("Pending", entry(stored, "c-0").state);
  }
}
