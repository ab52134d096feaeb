package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** history.json's rules: bounded, strict, every record one update. */
class UpdateHistoryFileTest {
  private static final String UID = "0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60";

  private static UpdateHistory.Update update(long sequence, String message) {
    return new UpdateHistory.Update("update-to-4-17-3", UID, sequence, UpdateRequest.UpdateType.OSTREE, "4.17.1",
        "4.17.3", UpdateHistory.Outcome.Committed, HostState.Committed, "2026-01-31T12:00:00Z",
        "2026-01-31T12:09:00Z", "update-to-4-17-3-0d7e1c52", null, "2026-01-31T12:01:30Z", null, null, null, null,
        null, 0, message);
  }

  @Test
  void keepsTheLastTwentyUpdatesAndReplacesARecordOfTheSameUpdate() {
    UpdateHistory h = UpdateHistory.empty();
    for (long seq = 1; seq <= 25; seq++) {
      h = h.with(update(seq, "done " + seq));
    }
    assertEquals(Markers.MAX_UPDATES, h.updates().size());
    assertEquals(6, h.updates().get(0).sequence(), "the oldest five are dropped");
    h = h.with(update(10, "again"));
    assertEquals(Markers.MAX_UPDATES, h.updates().size());
    assertEquals("again", h.updates().get(4).message());
    assertEquals(List.of(25L, 24L), h.newest(2).stream().map(UpdateHistory.Update::sequence).toList());
  }

  /** greenboot-green writes no record that is there already, component for component. */
  @Test
  void holdsARecordEqualInEveryComponentAndNoOtherOne() {
    UpdateHistory h = UpdateHistory.empty().with(update(7, "done"));
    assertTrue(h.holds(update(7, "done")), "an equal record, another instance");
    assertFalse(h.holds(update(7, "done again")), "the message differs");
    assertFalse(h.holds(update(8, "done")), "the sequence differs");
    assertFalse(UpdateHistory.empty().holds(update(7, "done")));
  }

  @Test
  void twentyRecordsOfTheLongestFieldsFitTheFileLimit() {
    String longest = "\uD83D\uDE00".repeat(UpdateHistory.MAX_MESSAGE / 2); // 4 UTF-8 bytes per code point
    String name = "a".repeat(253);
    UpdateHistory h = UpdateHistory.empty();
    for (long seq = Long.MAX_VALUE - 19; seq > 0 && h.updates().size() < Markers.MAX_UPDATES; seq++) {
      UpdateHistory.Update u = update(seq, longest);
      h = h.with(new UpdateHistory.Update(name, u.planUid(), u.sequence(), u.type(), "4444.4444.4444-" + "x".repeat(64),
          "4444.4444.4444-" + "y".repeat(64), UpdateHistory.Outcome.RolledBack, HostState.Restored,
          "2026-01-31T12:00:00.123456789Z", "2026-01-31T12:00:00.123456789Z", "b".repeat(63), "c".repeat(63),
          "2026-01-31T12:00:00.123456789Z", UID, UID, "0".repeat(64), "1".repeat(64), "2".repeat(64), 1000, longest));
    }
    byte[] json = MarkerJson.serialize(MarkerCodec.Kind.HISTORY, h);
    assertTrue(json.length < Markers.MAX_FILE_BYTES, json.length + " bytes");
  }

  private static List<String> problems(String json) {
    return MarkerJson.problems(MarkerCodec.Kind.HISTORY, json.getBytes(StandardCharsets.UTF_8));
  }

  private static String file(String... records) {
    return "{\"apiVersion\":\"" + Markers.API_VERSION + "\",\"updates\":[" + String.join(",", records) + "]}";
  }

  private static final String RECORD = "{\"planUid\":\"" + UID + "\",\"sequence\":3,\"outcome\":\"Committed\","
      + "\"hostState\":\"Committed\",\"finishedAt\":\"2026-01-31T12:09:00Z\",\"greenbootAttempts\":0}";

  @Test
  void everyUpdateTypeTheAgentRecordsIsAccepted() {
    for (UpdateRequest.UpdateType type : UpdateRequest.UpdateType.values()) {
      UpdateHistory.Update u = update(1, "done");
      UpdateHistory.Update typed = new UpdateHistory.Update(u.planName(), u.planUid(), u.sequence(), type, u.fromVersion(),
          u.targetVersion(), u.outcome(), u.hostState(), u.startedAt(), u.finishedAt(), u.backupId(), u.restoredBackupId(),
          u.etcdSnapshotTime(), u.bootIdBefore(), u.bootIdAfter(), u.deploymentBefore(), u.deploymentAfter(),
          u.targetDeployment(), u.greenbootAttempts(), u.message());
      byte[] json = MarkerJson.serialize(MarkerCodec.Kind.HISTORY, UpdateHistory.empty().with(typed));
      assertEquals(List.of(), MarkerJson.problems(MarkerCodec.Kind.HISTORY, json), type + ": " + new String(json, StandardCharsets.UTF_8));
    }
    assertTrue(problems(file(RECORD.replace("}", ",\"type\":\"tarball\"}"))).get(0).contains("type"));
  }

  @Test
  void refusesWhatTheAgentNeverWrites() {
    assertEquals(List.of(), problems(file(RECORD)));
    assertTrue(problems(file(RECORD.replace("}", ",\"extra\":1}"))).get(0).contains("unknown field"));
    assertTrue(problems(file(RECORD, RECORD)).get(0).contains("a second record of plan uid"));
    assertTrue(problems(file(RECORD.replace("\"hostState\":\"Committed\"", "\"hostState\":\"Booted\"")))
        .get(0).contains("hostState"), "only a terminal host state ends an update");
    assertTrue(problems(file(RECORD.replace("Committed\",\"host", "Exploded\",\"host"))).get(0).contains("outcome"));
    assertTrue(problems(file(RECORD.replace("}", ",\"message\":\"" + "m".repeat(301) + "\"}"))).get(0)
        .contains("longer than 300"));
    assertTrue(problems(file(RECORD.replace("12:09:00Z", "24:00:00Z"))).get(0).contains("finishedAt"));
    assertTrue(problems(file(IntStream.range(1, 22).mapToObj(i -> RECORD.replace("\"sequence\":3", "\"sequence\":" + i))
        .toArray(String[]::new))).get(0).contains("at most 20"));
    assertTrue(problems(file(RECORD).replace(Markers.API_VERSION, "updates.microshift.io/marker/v2")).get(0)
        .contains("reads marker v1 only"));
    assertThrows(MarkerProblems.class, () -> MarkerJson.parseHistory(file(RECORD).replace("\"sequence\":3", "\"sequence\":\"3\"")
        .getBytes(StandardCharsets.UTF_8), "history.json"));
  }
}
