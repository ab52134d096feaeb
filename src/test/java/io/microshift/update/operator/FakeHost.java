package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.port.HostHandoff;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** The host side of the marker protocol, in memory: the test plays the host agent. */
final class FakeHost implements HostHandoff {
  record Request(String planUid, long sequence, String action) {}

  record Verification(String planUid, String bootId, boolean passed) {}

  final List<Request> requests = new ArrayList<>();
  final List<Verification> verifications = new ArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  private volatile HostAnswer state;
  private volatile String stateUid;
  /** When set, host-status.json is refused with this problem, as MarkerHostHandoff refuses a hostile file. */
  volatile String refusedStatus;
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public long nextSequence() {
    return sequence.incrementAndGet();
  }

  @Override
  public synchronized void writeRequest(UpdatePlan plan, long seq, UpdateRequest.Action requested) {
    String action = requested.name();
    if (action.equals("Cancel") && lastRequest().map(l -> !l.planUid().equals(plan.getMetadata().getUid())).orElse(true)) {
      return; // as MarkerHostHandoff: nothing of ours to withdraw, never overwrite another plan's request
    }
    Request r = new Request(plan.getMetadata().getUid(), seq, action);
    if (requests.isEmpty() || !requests.get(requests.size() - 1).equals(r)) {
      requests.add(r);
      if (action.equals("Prepare")) {
        // the host prepares at once: checked and staged (a dry run: checked only)
        boolean dryRun = EffectiveSpec.of(plan).dryRun();
        reportNow(dryRun ? "Checked" : "Prepared", "boot-1", 0, dryRun ? "dry run: every host check passed"
            : "prepared: deployment staged with its finalization locked");
      }
    }
  }

  synchronized Optional<Request> lastRequest() {
    return requests.isEmpty() ? Optional.empty() : Optional.of(requests.get(requests.size() - 1));
  }

  /** The host agent reports {@code state} about the last request past the Prepare (which it answers itself). */
  void report(String hostState, String bootId, Integer attempts, String message) {
    org.awaitility.Awaitility.await().until(() -> lastRequest().filter(r -> !r.action().equals("Prepare")).isPresent());
    reportNow(hostState, bootId, attempts, message);
  }

  private synchronized void reportNow(String hostState, String bootId, Integer attempts, String message) {
    Request r = lastRequest().orElseThrow();
    stateUid = r.planUid();
    state = new HostAnswer(HostState.valueOf(hostState), r.sequence(), message, bootId, "deploy-" + bootId, attempts,
        "backup", hostState.equals("Restored") ? "backup" : null, "2026-11-25T00:00:00Z");
    listeners.forEach(Runnable::run); // as MarkerHostHandoff's file watch
  }

  @Override
  public HostReading read(UpdatePlan plan) {
    String refused = refusedStatus;
    if (refused != null) {
      return HostReading.refused(new io.microshift.update.marker.MarkerProblems(
          "/var/lib/microshift-update/host-status.json", List.of(refused)).getMessage());
    }
    Optional<HostAnswer> answer = state != null && plan.getMetadata().getUid().equals(stateUid)
        ? Optional.of(state) : Optional.empty();
    List<io.microshift.update.api.HostUpdateRecord> history = updates;
    return new HostReading(answer, Optional.empty(), Optional.empty(),
        answer.isPresent() ? history.subList(0, Math.min(MIRRORED_UPDATES, history.size())) : List.of());
  }

  @Override
  public AutoCloseable onChange(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public synchronized void writeVerification(UpdatePlan plan, String bootId, boolean passed, String message) {
    verifications.add(new Verification(plan.getMetadata().getUid(), bootId, passed));
  }

  /** What history.json holds, newest first (the test plays the host agent). */
  volatile List<io.microshift.update.api.HostUpdateRecord> updates = List.of();

  @Override
  public Optional<String> lastHostBackupId() {
    return Optional.empty();
  }
}
