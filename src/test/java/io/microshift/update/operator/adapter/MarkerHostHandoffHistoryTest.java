package io.microshift.update.operator.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator reads the host's history.json read-only, newest first, and never trusts a hostile one. */
class MarkerHostHandoffHistoryTest {
  @TempDir Path dir;

  /** The uid this test runs as: the owner of the files it writes. */
  private int uid() throws Exception {
    return (Integer) Files.getAttribute(dir, "unix:uid");
  }

  private static UpdateHistory.Update update(long seq, UpdateHistory.Outcome outcome, HostState state) {
    return new UpdateHistory.Update("plan-" + seq, "0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60", seq,
        UpdateRequest.UpdateType.OSTREE, "4.17.1", "4.18.0", outcome, state, "2026-01-31T12:00:00Z",
        "2026-01-31T12:1" + seq + ":00Z", "b-" + seq, null, "2026-01-31T12:01:00Z", null, null, null, null, null, 0,
        "message " + seq);
  }

  @Test
  void mirrorsTheNewestRecordsFirstAndShowsNoneOfAHostileFile() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    MarkerFiles.writeHistory(dir, UpdateHistory.empty().with(update(1, UpdateHistory.Outcome.Committed, HostState.Committed))
        .with(update(2, UpdateHistory.Outcome.RolledBack, HostState.Restored)), CrashHook.NONE);
    MarkerHostHandoff host = new MarkerHostHandoff(dir, uid(), Clock.systemUTC());

    List<HostUpdateRecord> r = host.recentUpdates(5);
    assertEquals(List.of("RolledBack", "Committed"), r.stream().map(x -> x.outcome).toList());
    assertEquals("plan-2", r.get(0).plan);
    assertEquals("b-2", r.get(0).backupId);
    assertEquals("2026-01-31T12:01:00Z", r.get(0).etcdSnapshotTime);
    assertEquals(1, host.recentUpdates(1).size());

    // group-writable: anyone in the group could have written it; refused, the plan shows no history
    Files.setPosixFilePermissions(MarkerFiles.historyFile(dir), PosixFilePermissions.fromString("rw-rw-r--"));
    assertEquals(List.of(), host.recentUpdates(5));
  }
}
