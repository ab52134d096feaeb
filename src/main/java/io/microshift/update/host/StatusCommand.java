package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import java.io.PrintStream;
import java.util.Optional;

/**
 * {@code status [--history N]}: a short human summary of the request, the host status, the backups
 * and the last N updates of history.json (newest first).
 */
public final class StatusCommand {
  /** How many updates {@code status} lists without {@code --history}. */
  public static final int DEFAULT_HISTORY = 5;

  private final HostContext ctx;

  public StatusCommand(HostContext ctx) {
    this.ctx = ctx;
  }

  /** {@code text} as a count of updates to list, 0 to {@link Markers#MAX_UPDATES}; null when it is not one. */
  static Integer historyCount(String text) {
    if (!text.matches("[0-9]{1,3}")) {
      return null;
    }
    int n = Integer.parseInt(text);
    return n <= Markers.MAX_UPDATES ? n : null;
  }

  public int run(PrintStream out) {
    return run(out, DEFAULT_HISTORY);
  }

  public int run(PrintStream out, int historyCount) {
    int rc = 0;
    StatusRecorder recorder = ctx.recorder();
    try {
      Optional<UpdateRequest> r = recorder.readRequest();
      if (r.isEmpty()) {
        out.println("request:      none");
      } else {
        UpdateRequest q = r.get();
        out.printf("request:      %s %s %s -> %s (plan %s, sequence %d)%n", q.action(), q.type().jsonName(),
            q.from().version(), q.target().version(), q.plan().name(), q.sequence());
        if (q.verification() != null) {
          out.printf("verification: %s for boot %s%s%n", q.verification().result(), q.verification().bootId(),
              q.verification().message() == null ? "" : ": " + q.verification().message());
        }
      }
    } catch (MarkerProblems e) {
      out.println("request:      REFUSED: " + String.join("; ", e.problems()));
      rc = 1;
    }
    try {
      Optional<HostStatus> s = recorder.read();
      if (s.isEmpty()) {
        out.println("host status:  none (no update has run)");
      } else {
        HostStatus h = s.get();
        out.printf("host status:  %s: %s%n", h.state(), h.message() == null ? "" : h.message());
        out.printf("updated at:   %s%n", h.updatedAt());
        if (h.backupId() != null) {
          out.printf("backup:       %s%n", h.backupId());
        }
        if (h.greenbootAttempts() > 0) {
          out.printf("greenboot:    %d failed attempt(s)%n", h.greenbootAttempts());
        }
        if (h.failedDataPath() != null) {
          out.printf("failed data:  %s%n", h.failedDataPath());
        }
        int from = Math.max(0, h.history().size() - 5);
        for (HostStatus.HistoryEntry e : h.history().subList(from, h.history().size())) {
          out.printf("  %s %-10s %s%n", e.time(), e.state(), e.message() == null ? "" : e.message());
        }
      }
    } catch (MarkerProblems e) {
      out.println("host status:  REFUSED: " + String.join("; ", e.problems()));
      rc = 1;
    }
    if (GreenbootBootCounter.onThisHost(ctx)) {
      out.printf("boot counter: %s%n", new GreenbootBootCounter(ctx).describeNow());
    }
    for (BackupStore.BackupSet set : ctx.backups().list()) {
      out.printf("backup set:   %s%s%n", set.id(), set.complete() ? "" : " (incomplete)");
    }
    if (historyCount > 0) {
      try {
        new UpdateHistoryTable(out).print(MarkerFiles.readHistory(ctx.paths().stateDir(), ctx.markerOwnerUid())
            .orElse(UpdateHistory.empty()), historyCount);
      } catch (MarkerProblems e) {
        out.println("history:      REFUSED: " + String.join("; ", e.problems()));
        rc = 1;
      }
    }
    return rc;
  }
}
