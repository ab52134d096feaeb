package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.BackupStatus;
import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.hooks.TestPlans;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.port.HostHandoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state machine as a table: (phase and status, what the marker files say) -> (phase after,
 * reason, requeue, Events, requests written). No API server: one {@link PlanStateMachine#advance}
 * on an in-memory plan, with the host's reading scripted and the recorder's save recorded.
 */
class PlanStateMachineTableTest {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  static final String UID = "0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60";
  static final Duration POLL = HostStates.POLL;

  /** One row: the plan before, what the host said, and what the reconcile must decide. */
  record Row(String name, Phase phase, Consumer<UpdatePlanStatus> status, HostHandoff.HostReading reading,
      Phase next, Reason reason, Duration requeue, List<String> events, List<String> requests) {
    @Override
    public String toString() {
      return name;
    }
  }

  static HostHandoff.HostReading answer(HostState state, long sequence) {
    return new HostHandoff.HostReading(Optional.of(new HostHandoff.HostAnswer(state, sequence, "host says " + state,
        "boot-2", "deploy-2", 1, "backup", state == HostState.Restored ? "backup" : null, NOW.toString())),
        Optional.empty(), Optional.empty(), List.of());
  }

  static final HostHandoff.HostReading NOTHING = HostHandoff.HostReading.nothing();

  static Consumer<UpdatePlanStatus> handoff(UpdateRequest.Action action, long sequence) {
    return st -> {
      st.handoff = new HandoffStatus();
      st.handoff.action = action.name();
      st.handoff.sequence = sequence;
    };
  }

  static final Consumer<UpdatePlanStatus> PLAIN = st -> { };

  static Stream<Row> rows() {
    return Stream.of(
        new Row("a valid Pending plan starts", Phase.Pending, PLAIN, NOTHING,
            Phase.Preflight, Reason.Started, StepOutcome.SOON, List.of("Normal Started"), List.of()),
        new Row("Preparing writes its Prepare and waits", Phase.Preparing, handoff(UpdateRequest.Action.Prepare, 1), NOTHING,
            Phase.Preparing, Reason.WaitingForHostPrepare, POLL, List.of(), List.of("Prepare 1")),
        new Row("Preparing: the host is still preparing", Phase.Preparing, handoff(UpdateRequest.Action.Prepare, 1),
            answer(HostState.Preparing, 1),
            Phase.Preparing, Reason.WaitingForHostPrepare, POLL, List.of(), List.of("Prepare 1")),
        new Row("Preparing: the host prepared", Phase.Preparing, handoff(UpdateRequest.Action.Prepare, 1),
            answer(HostState.Prepared, 1),
            Phase.BackingUp, Reason.HostPrepared, StepOutcome.SOON, List.of("Normal HostPrepared"), List.of("Prepare 1")),
        new Row("Preparing: the host could not prepare", Phase.Preparing, handoff(UpdateRequest.Action.Prepare, 1),
            answer(HostState.Failed, 1),
            Phase.Failed, Reason.HostPrepareFailed, null, List.of("Warning HostPrepareFailed"), List.of("Prepare 1")),
        new Row("AwaitingReboot after the Prepare writes a new Apply", Phase.AwaitingReboot,
            handoff(UpdateRequest.Action.Prepare, 1), answer(HostState.Prepared, 1),
            Phase.AwaitingReboot, Reason.RequestWritten, POLL, List.of(), List.of("Apply 2")),
        new Row("AwaitingReboot: the host acts on the Apply", Phase.AwaitingReboot,
            handoff(UpdateRequest.Action.Apply, 2), answer(HostState.Staging, 2),
            Phase.Applying, Reason.HostAccepted, StepOutcome.SOON, List.of("Normal HostAccepted"), List.of("Apply 2")),
        new Row("AwaitingReboot: the host refused the Apply", Phase.AwaitingReboot,
            handoff(UpdateRequest.Action.Apply, 2), answer(HostState.Failed, 2),
            Phase.Failed, Reason.HostUpdateFailed, null, List.of("Warning HostUpdateFailed"), List.of("Apply 2")),
        new Row("Applying: staged", Phase.Applying, handoff(UpdateRequest.Action.Apply, 2), answer(HostState.Staged, 2),
            Phase.Applying, Reason.HostStaged, POLL, List.of(), List.of()),
        new Row("Applying: the target booted", Phase.Applying, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Booted, 2),
            Phase.Verifying, Reason.HostBooted, StepOutcome.SOON, List.of("Normal HostBooted"), List.of()),
        new Row("Applying: greenboot rolled back", Phase.Applying, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.RolledBack, 2),
            Phase.RollingBack, Reason.GreenbootRollback, StepOutcome.SOON, List.of("Warning GreenbootRollback"), List.of()),
        new Row("Applying: nothing yet", Phase.Applying, handoff(UpdateRequest.Action.Apply, 2), NOTHING,
            Phase.Applying, Reason.WaitingForHost, POLL, List.of(), List.of()),
        new Row("Verifying: booted, waiting for greenboot", Phase.Verifying, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Booted, 2),
            Phase.Verifying, Reason.WaitingForGreenboot, POLL, List.of(), List.of("Verification boot-2")),
        new Row("Verifying: unhealthy", Phase.Verifying, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Unhealthy, 2),
            Phase.Verifying, Reason.HealthCheckFailed, POLL, List.of(), List.of()),
        new Row("Verifying: committed", Phase.Verifying, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Committed, 2),
            Phase.Succeeded, Reason.UpdateCommitted, null, List.of("Normal UpdateCommitted"), List.of()),
        new Row("RollingBack: waiting for the restore", Phase.RollingBack, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.RolledBack, 2),
            Phase.RollingBack, Reason.WaitingForRestore, POLL, List.of(), List.of()),
        new Row("RollingBack: restored", Phase.RollingBack, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Restored, 2),
            Phase.RolledBack, Reason.RolledBack, null, List.of("Warning RolledBack"), List.of()),
        new Row("a refused host-status.json: the phase waits", Phase.Applying, handoff(UpdateRequest.Action.Apply, 2),
            HostHandoff.HostReading.refused("host-status.json refused:\n  state: \"Exploded\" is not a host state"),
            Phase.Applying, Reason.StepError, PlanStateMachine.ERROR_BACKOFF, List.of(), List.of()),
        new Row("status behind the host (restored etcd) catches up", Phase.Pausing, PLAIN, answer(HostState.Staging, 2),
            Phase.Applying, Reason.HostStaging, POLL, List.of("Normal ResumedFromHostStatus"), List.of()),
        new Row("an ended plan reads and does nothing", Phase.Succeeded, handoff(UpdateRequest.Action.Apply, 2),
            answer(HostState.Failed, 2),
            Phase.Succeeded, null, null, List.of(), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void oneReconcileDecidesWhatTheTableSays(Row row) {
    Machine m = new Machine(row.reading());
    UpdatePlan plan = plan(row.phase());
    row.status().accept(plan.getStatus());

    Duration requeue = m.machine.advance(plan);

    assertEquals(row.next(), plan.getStatus().phase, plan.getStatus().message);
    if (row.reason() != null) {
      assertEquals(row.reason().name(), Conditions.find(plan.getStatus(), Conditions.PROGRESSING).orElseThrow().getReason(),
          plan.getStatus().message);
    }
    assertEquals(row.requeue(), requeue);
    assertEquals(row.events(), m.events.all.stream().map(e -> e.substring(0, e.indexOf(':'))).toList());
    assertEquals(row.requests(), m.host.written);
    assertEquals(row.phase().isTerminal() ? 0 : 1, m.host.reads, "the marker files are read once per reconcile");
  }

  /** The wait for the restore tells what the rollback did, as the GreenbootRollback and RolledBack messages do. */
  @Test
  void theRestoreWaitTellsTheRollbackStory() {
    HostHandoff.HostReading reading = answer(HostState.RolledBack, 2);
    Machine m = new Machine(reading);
    UpdatePlan plan = plan(Phase.RollingBack);
    handoff(UpdateRequest.Action.Apply, 2).accept(plan.getStatus());

    m.machine.advance(plan);

    assertEquals(Phase.RollingBack, plan.getStatus().phase);
    assertEquals(RollbackStory.of(plan, reading.answer().orElseThrow()), plan.getStatus().message);
    assertTrue(plan.getStatus().message.contains("the host agent is restoring MicroShift's data from backup backup"),
        plan.getStatus().message);
  }

  @Test
  void aRefusedMarkerIsAStepErrorConditionThatSaysWhy() {
    Machine m = new Machine(HostHandoff.HostReading.refused("host-status.json refused:\n  owner 1000, not root"));
    UpdatePlan plan = plan(Phase.Verifying);
    m.machine.advance(plan);
    var c = Conditions.find(plan.getStatus(), Conditions.STEP_ERROR).orElseThrow();
    assertEquals(Reason.MarkerRefused.name(), c.getReason());
    assertTrue(c.getMessage().contains("owner 1000, not root"), c.getMessage());
    assertEquals(1, m.saves.size(), "one save at the end of the reconcile");
  }

  @Test
  void theHandOffIsSavedBeforeItsRequestIsWritten() {
    Machine m = new Machine(NOTHING);
    UpdatePlan plan = plan(Phase.Preparing);
    m.machine.advance(plan);
    assertEquals(List.of("Prepare 1"), m.host.written);
    assertEquals("saved handoff Prepare 1 before any request", m.saves.get(0));
  }

  /** A plan of this test's uid in {@code phase}, with the status a genuine plan there has. */
  static UpdatePlan plan(Phase phase) {
    UpdatePlan plan = UpdatePlanReconcilerTest.ostreePlan("table", "4.17.3");
    plan.setMetadata(new ObjectMetaBuilder().withName("table").withUid(UID).withGeneration(1L).build());
    UpdatePlanStatus st = new UpdatePlanStatus();
    st.phase = phase;
    st.phaseTransitionTime = NOW.toString();
    if (phase != Phase.Pending) {
      st.acceptedSpec = plan.getSpec();
      st.acceptedGeneration = 1L;
      st.fromVersion = "4.17.1";
      st.toVersion = "4.17.3";
      st.backup = new BackupStatus();
      st.backup.id = BackupIds.forPlan(plan);
    }
    plan.setStatus(st);
    return plan;
  }

  /** The state machine on fakes: a scripted host, recorded workloads, events and saves. */
  static final class Machine {
    final ScriptedHost host;
    final TestPlans.Events events = new TestPlans.Events();
    final List<String> saves = new ArrayList<>();
    final PlanStateMachine machine;

    Machine(HostHandoff.HostReading reading) {
      host = new ScriptedHost(reading);
      RecordingWorkloads work = new RecordingWorkloads();
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      StatusWriter writer = p -> {
        HandoffStatus h = p.getStatus().handoff;
        saves.add(h != null && host.written.isEmpty() ? "saved handoff " + h.action + " " + h.sequence
            + " before any request" : "saved " + p.getStatus().phase);
        return p;
      };
      PlanRecorder recorder = new PlanRecorder(writer, new Conditions(clock), events,
          new OperatorMetrics(new SimpleMeterRegistry()), clock);
      machine = PlanMachines.create(new Ports(work, work, host), List::of, null, recorder, clock);
    }
  }

  /** The host side, scripted: {@link #read} returns the reading given; writes are recorded. */
  static final class ScriptedHost implements HostHandoff {
    private final HostReading reading;
    final List<String> written = new ArrayList<>();
    int reads;
    private long sequence;

    ScriptedHost(HostReading reading) {
      this.reading = reading;
      this.sequence = reading.answer().map(HostAnswer::sequence).orElse(0L);
    }

    @Override
    public HostReading read(UpdatePlan plan) {
      reads++;
      return reading;
    }

    @Override
    public long nextSequence() {
      return ++sequence;
    }

    @Override
    public void writeRequest(UpdatePlan plan, long seq, UpdateRequest.Action action) {
      written.add(action + " " + seq);
    }

    @Override
    public void writeVerification(UpdatePlan plan, String bootId, boolean passed, String message) {
      written.add("Verification " + bootId);
    }

    @Override
    public Optional<String> lastHostBackupId() {
      return Optional.empty();
    }
  }
}
