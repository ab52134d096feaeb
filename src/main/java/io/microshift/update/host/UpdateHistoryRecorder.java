package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.SafeText;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Records an update that reached a terminal host state in history.json (docs/marker.md). Called
 * only by {@link StatusRecorder}, after the terminal host-status.json is written and before the
 * in-flight flag is cleared, so a power cut in between leaves the flag set and the next verb's
 * {@link StatusRecorder#settled} records it then. Idempotent: a record of the same plan uid and
 * sequence is replaced, an identical one is not written again.
 */
final class UpdateHistoryRecorder {
  private final HostContext ctx;

  UpdateHistoryRecorder(HostContext ctx) {
    this.ctx = ctx;
  }

  /** Records {@code terminal}; a history that cannot be written is logged, never fails the verb. */
  void record(HostStatus terminal) {
    if (terminal.state() == null || !terminal.state().isTerminal() || terminal.request() == null) {
      return;
    }
    UpdateHistory.Update u = updateOf(terminal, planName(terminal.request().uid()));
    UpdateHistory history = current();
    if (history.holds(u)) {
      return;
    }
    try {
      MarkerFiles.writeHistory(ctx.paths().stateDir(), history.with(u),
          point -> ctx.reached(CrashPoints.HISTORY_WRITE));
    } catch (UncheckedIOException | MarkerProblems e) {
      ctx.log().error("history.json not written (" + e.getMessage() + "); host-status.json holds the outcome");
    }
  }

  /** The history on disk; a refused one (hostile, or not the agent's) is logged and started afresh. */
  private UpdateHistory current() {
    try {
      return MarkerFiles.readHistory(ctx.paths().stateDir(), ctx.markerOwnerUid()).orElse(UpdateHistory.empty());
    } catch (MarkerProblems e) {
      ctx.log().error(e.getMessage().replace('\n', ' ') + "; it is replaced by a new history");
      return UpdateHistory.empty();
    }
  }

  /** The plan's name from the request the agent accepted, else request.json, when it is the same uid. */
  private String planName(String uid) {
    StatusRecorder recorder = ctx.recorder();
    return nameIn(recorder::acceptedRequest, uid).or(() -> nameIn(recorder::readRequest, uid)).orElse(null);
  }

  private static Optional<String> nameIn(Supplier<Optional<UpdateRequest>> request, String uid) {
    try {
      return request.get().filter(q -> q.plan() != null && uid.equals(q.plan().uid())).map(q -> q.plan().name());
    } catch (MarkerProblems e) {
      return Optional.empty(); // a refused request names no plan; the record keeps the uid
    }
  }

  static UpdateHistory.Update updateOf(HostStatus s, String planName) {
    String started = s.history() == null || s.history().isEmpty() ? null : s.history().get(0).time();
    return new UpdateHistory.Update(planName, s.request().uid(), s.request().sequence(), s.type(),
        s.fromVersion(), s.targetVersion(), outcome(s), s.state(), started, s.updatedAt(), s.backupId(),
        s.restoredBackupId(), s.etcdSnapshot() == null ? null : s.etcdSnapshot().time(), s.bootIdBefore(),
        s.bootIdAfter(), s.deploymentBefore(), s.deploymentAfter(), s.targetDeployment(),
        s.greenbootAttempts(), s.message() == null ? null : SafeText.replaceUnsafe(s.message(), UpdateHistory.MAX_MESSAGE));
  }

  /** Committed, Checked; Restored after greenboot's fallback (RolledBack in its history) or by hand; Cancelled or Failed. */
  static UpdateHistory.Outcome outcome(HostStatus s) {
    return switch (s.state()) {
      case Committed -> UpdateHistory.Outcome.Committed;
      case Checked -> UpdateHistory.Outcome.Checked;
      case Restored -> s.history() != null && s.history().stream().anyMatch(e -> e.state() == HostState.RolledBack)
          ? UpdateHistory.Outcome.RolledBack : UpdateHistory.Outcome.Restored;
      default -> s.message() != null && s.message().startsWith(ApplyCommand.CANCELLED + " by request")
          ? UpdateHistory.Outcome.Cancelled : UpdateHistory.Outcome.Failed;
    };
  }
}
