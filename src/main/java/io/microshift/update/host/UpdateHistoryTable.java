package io.microshift.update.host;

import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateHistory;
import java.io.PrintStream;
import java.util.List;

/**
 * The last updates of history.json as {@code status} prints them: one line each, newest first,
 * then the message of each on its own indented line (printable ASCII, cut at 100 characters).
 */
final class UpdateHistoryTable {
  private static final String ROW = "  %-20s  %-10s  %-24s  %-21s  %s%n";
  private final PrintStream out;

  UpdateHistoryTable(PrintStream out) {
    this.out = out;
  }

  void print(UpdateHistory history, int n) {
    List<UpdateHistory.Update> newest = history.newest(n);
    int total = history.updates().size();
    if (newest.isEmpty()) {
      out.println("history:      no update has ended on this host");
      return;
    }
    out.printf("history:      the last %d of %d updates (newest first; %s keeps %d)%n", newest.size(), total,
        Markers.STATE_DIR + "/" + Markers.HISTORY_FILE, Markers.MAX_UPDATES);
    out.printf(ROW, "FINISHED", "OUTCOME", "PLAN", "VERSIONS", "BACKUP");
    for (UpdateHistory.Update u : newest) {
      out.printf(ROW, u.finishedAt().length() > 20 ? u.finishedAt().substring(0, 19) + "Z" : u.finishedAt(),
          u.outcome(), cut(u.planName() != null ? u.planName() : "uid " + u.planUid(), 24),
          cut(orUnknown(u.fromVersion()) + " -> " + orUnknown(u.targetVersion()), 21),
          u.backupId() == null ? "-" : u.backupId());
      if (u.message() != null) {
        out.println("    " + Markers.printable(u.message().replace('\n', ' '), 100));
      }
    }
  }

  private static String orUnknown(String v) {
    return v == null ? "?" : v;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
