package io.microshift.update.marker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every rule for history.json; returns all problems, empty when valid. */
public final class UpdateHistoryValidator {
  private UpdateHistoryValidator() {}

  static final Set<String> UPDATE_FIELDS = Set.of("planName", "planUid", "sequence", "type", "fromVersion",
      "targetVersion", "outcome", "hostState", "startedAt", "finishedAt", "backupId", "restoredBackupId",
      "etcdSnapshotTime", "bootIdBefore", "bootIdAfter", "deploymentBefore", "deploymentAfter",
      "targetDeployment", "greenbootAttempts", "message");
  static final List<String> OUTCOMES = Arrays.stream(UpdateHistory.Outcome.values()).map(Enum::name).toList();
  /** Only terminal host states end an update. */
  static final List<String> TERMINAL_STATES = Arrays.stream(HostState.values())
      .filter(HostState::isTerminal).map(Enum::name).toList();

  public static List<String> validate(ObjectNode root) {
    List<String> problems = new ArrayList<>();
    JsonChecks c = new JsonChecks(problems);
    c.onlyFields(root, "", Set.of("apiVersion", "updates"));
    c.apiVersion(root);
    Set<String> keys = new HashSet<>();
    c.objects(root, "", "updates", true, Markers.MAX_UPDATES, UPDATE_FIELDS, (o, p) -> {
      c.string(o, p, "planName", false, Markers.NAME, 253);
      String uid = c.string(o, p, "planUid", true, Markers.UUID, 36);
      Long seq = c.integer(o, p, "sequence", true, 1, Long.MAX_VALUE);
      if (uid != null && seq != null && !keys.add(uid + "/" + seq)) {
        c.problem(p, "a second record of plan uid " + uid + " sequence " + seq);
      }
      c.oneOf(o, p, "type", false, UpdateRequest.UpdateType.jsonNames());
      c.string(o, p, "fromVersion", false, Markers.VERSION, 100);
      c.string(o, p, "targetVersion", false, Markers.VERSION, 100);
      c.oneOf(o, p, "outcome", true, OUTCOMES);
      c.oneOf(o, p, "hostState", true, TERMINAL_STATES);
      c.time(o, p, "startedAt", false);
      c.time(o, p, "finishedAt", true);
      c.string(o, p, "backupId", false, Markers.BACKUP_ID, 63);
      c.string(o, p, "restoredBackupId", false, Markers.BACKUP_ID, 63);
      c.time(o, p, "etcdSnapshotTime", false);
      c.string(o, p, "bootIdBefore", false, Markers.UUID, 36);
      c.string(o, p, "bootIdAfter", false, Markers.UUID, 36);
      c.string(o, p, "deploymentBefore", false, Markers.CHECKSUM, 64);
      c.string(o, p, "deploymentAfter", false, Markers.CHECKSUM, 64);
      c.string(o, p, "targetDeployment", false, Markers.CHECKSUM, 64);
      c.integer(o, p, "greenbootAttempts", true, 0, 1000);
      String m = c.message(o, p, "message", false);
      if (m != null && m.codePointCount(0, m.length()) > UpdateHistory.MAX_MESSAGE) {
        c.problem(p + ".message", "longer than " + UpdateHistory.MAX_MESSAGE + " characters");
      }
    });
    return problems;
  }
}
