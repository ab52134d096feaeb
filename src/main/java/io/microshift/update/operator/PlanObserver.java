package io.microshift.update.operator;

import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.operator.port.HostHandoff;
import io.microshift.update.operator.port.HostHandoff.HostReading;
import java.util.List;
import java.util.Optional;

/**
 * The first part of a reconcile: reads the marker files once (through {@link HostHandoff#read})
 * and judges the plan's status, into an immutable {@link Observation}. It decides and writes
 * nothing.
 */
public final class PlanObserver {
  private final HostHandoff host;

  public PlanObserver(HostHandoff host) {
    this.host = host;
  }

  /**
   * @param unreadableStatus why the status as stored could not be read (it was replaced by a fresh
   *     one), or null
   */
  public Observation observe(UpdatePlan plan, String unreadableStatus) {
    UpdatePlanStatus st = plan.getStatus();
    // an ended plan acts on nothing the host says: its markers are not read
    HostReading reading = st.phase.isTerminal() ? HostReading.nothing() : host.read(plan);
    return new Observation(reading, trustVerdict(plan, unreadableStatus, reading), spec(plan));
  }

  private static EffectiveSpec spec(UpdatePlan plan) {
    boolean none = plan.getSpec() == null && (plan.getStatus() == null || plan.getStatus().acceptedSpec == null);
    return none ? null : EffectiveSpec.of(plan);
  }

  /**
   * A status the operator did not write (a plan restored from a backup with its old status, or a
   * forged one) is not acted on. Every plan this operator started left Pending with its spec frozen
   * in status.acceptedSpec (valid) and status.acceptedGeneration, and got past Pausing only with the
   * backup set named after its own uid; a plan the host agent acts on with an Apply (same uid) is
   * genuine. Its answer to a Prepare (written before any hook or pause) does not prove it.
   */
  static Optional<Observation.Distrust> trustVerdict(UpdatePlan plan, String unreadableStatus, HostReading reading) {
    UpdatePlanStatus st = plan.getStatus();
    if (unreadableStatus == null && (st.phase == Phase.Pending || st.phase.isTerminal())) {
      return Optional.empty();
    }
    Optional<String> why = unreadableStatus != null ? Optional.of("it cannot be read: " + unreadableStatus)
        : untrusted(plan);
    boolean hostActsOnIt = reading.answer().filter(a -> a.state() == null || !a.state().answersPrepare()).isPresent();
    return hostActsOnIt ? Optional.empty() : why.map(w -> new Observation.Distrust(w, unreadableStatus != null));
  }

  private static Optional<String> untrusted(UpdatePlan plan) {
    UpdatePlanStatus st = plan.getStatus();
    if (st.acceptedSpec == null || st.acceptedGeneration == null) {
      return Optional.of("status.acceptedSpec or status.acceptedGeneration is missing: the plan never left Pending");
    }
    List<String> problems = SpecValidator.problems(st.acceptedSpec);
    if (!problems.isEmpty()) {
      return Optional.of("status.acceptedSpec is invalid: " + problems.get(0));
    }
    boolean pastPausing = st.phase.isHandedOff() || st.phase == Phase.AwaitingReboot;
    if (pastPausing && (st.backup == null || !BackupIds.forPlan(plan).equals(st.backup.id))) {
      return Optional.of("status.backup is not this plan's backup set " + BackupIds.forPlan(plan));
    }
    return Optional.empty();
  }
}
