package io.microshift.update.marker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Every rule for host-status.json; returns all problems, empty when valid. */
public final class HostStatusValidator {
  private HostStatusValidator() {}

  static final Set<String> TOP = Set.of("apiVersion", "request", "state", "message", "type",
      "fromVersion", "targetVersion", "bootIdBefore", "bootIdAfter", "deploymentBefore",
      "deploymentAfter", "targetDeployment", "greenbootAttempts", "backupId", "dataCopy",
      "restoredBackupId", "failedDataPath", "prepared", "etcdSnapshot", "updatedAt", "history");
  static final List<String> STATES = Arrays.stream(HostState.values()).map(Enum::name).toList();
  /** Where the agent moves a data dir aside before a restore. */
  public static final Pattern FAILED_DATA_PATH =
      Pattern.compile("^/var/lib/microshift\\.failed-[0-9]{8}T[0-9]{6}Z(-[0-9a-f]{8})?$");

  /** An etcd alarm name as EtcdPreflight reports it (NOSPACE, CORRUPT_OR_UNKNOWN). */
  static final Pattern ALARM = Pattern.compile("^[A-Z][A-Z_]{0,39}$");

  public static List<String> validate(ObjectNode root) {
    List<String> problems = new ArrayList<>();
    JsonChecks c = new JsonChecks(problems);
    c.onlyFields(root, "", TOP);
    c.apiVersion(root);
    ObjectNode req = c.object(root, "", "request", true, Set.of("uid", "sequence"));
    if (req != null) {
      c.string(req, "request", "uid", true, Markers.UUID, 36);
      c.integer(req, "request", "sequence", true, 1, Long.MAX_VALUE);
    }
    c.oneOf(root, "", "state", true, STATES);
    c.message(root, "", "message", false);
    c.oneOf(root, "", "type", false, UpdateRequest.UpdateType.jsonNames());
    c.string(root, "", "fromVersion", false, Markers.VERSION, 100);
    c.string(root, "", "targetVersion", false, Markers.VERSION, 100);
    c.string(root, "", "bootIdBefore", false, Markers.UUID, 36);
    c.string(root, "", "bootIdAfter", false, Markers.UUID, 36);
    c.string(root, "", "deploymentBefore", false, Markers.CHECKSUM, 64);
    c.string(root, "", "deploymentAfter", false, Markers.CHECKSUM, 64);
    c.string(root, "", "targetDeployment", false, Markers.CHECKSUM, 64);
    c.integer(root, "", "greenbootAttempts", true, 0, 1000);
    c.string(root, "", "backupId", false, Markers.BACKUP_ID, 63);
    c.string(root, "", "restoredBackupId", false, Markers.BACKUP_ID, 63);
    c.string(root, "", "failedDataPath", false, FAILED_DATA_PATH, 100);
    ObjectNode copy = c.object(root, "", "dataCopy", false,
        Set.of("backupId", "path", "bytes", "method", "bootId", "time"));
    if (copy != null) {
      String id = c.string(copy, "dataCopy", "backupId", true, Markers.BACKUP_ID, 63);
      String path = c.string(copy, "dataCopy", "path", true, null, 200);
      if (id != null && path != null && !path.equals(Markers.dataPath(id))) {
        c.problem("dataCopy.path", "must be " + Markers.dataPath(id));
      }
      c.integer(copy, "dataCopy", "bytes", true, 0, 1L << 44);
      c.oneOf(copy, "dataCopy", "method", true, List.of("cp", "microshift"));
      c.string(copy, "dataCopy", "bootId", true, Markers.UUID, 36);
      c.time(copy, "dataCopy", "time", true);
    }
    ObjectNode prep = c.object(root, "", "prepared", false, Set.of("dryRun", "freeBytes", "requiredBytes", "etcd",
        "bootedDeployment", "stagedDeployment", "finalizationLocked", "updateDriver", "packages", "time"));
    if (prep != null) {
      c.bool(prep, "prepared", "dryRun", true);
      c.integer(prep, "prepared", "freeBytes", true, -1, Long.MAX_VALUE);
      c.integer(prep, "prepared", "requiredBytes", true, -1, Long.MAX_VALUE);
      c.string(prep, "prepared", "bootedDeployment", false, Markers.CHECKSUM, 64);
      c.string(prep, "prepared", "stagedDeployment", false, Markers.CHECKSUM, 64);
      c.bool(prep, "prepared", "finalizationLocked", true);
      c.message(prep, "prepared", "updateDriver", false);
      c.strings(prep, "prepared", "packages", false, Markers.MAX_PACKAGES, Markers.PACKAGE, 200);
      c.time(prep, "prepared", "time", true);
      ObjectNode etcd = c.object(prep, "prepared", "etcd", false,
          Set.of("healthy", "version", "dbSizeBytes", "revision", "alarms"));
      if (etcd != null) {
        c.bool(etcd, "prepared.etcd", "healthy", true);
        c.string(etcd, "prepared.etcd", "version", false, Markers.VERSION, 100);
        c.integer(etcd, "prepared.etcd", "dbSizeBytes", true, -1, 1L << 44);
        c.integer(etcd, "prepared.etcd", "revision", true, -1, Long.MAX_VALUE);
        c.strings(etcd, "prepared.etcd", "alarms", true, 8, ALARM, 40);
      }
    }
    ObjectNode snap = c.object(root, "", "etcdSnapshot", false, Set.of("backupId", "bytes", "sha256", "revision", "time"));
    if (snap != null) {
      c.string(snap, "etcdSnapshot", "backupId", true, Markers.BACKUP_ID, 63);
      c.integer(snap, "etcdSnapshot", "bytes", true, 0, 1L << 44);
      c.string(snap, "etcdSnapshot", "sha256", true, Markers.SHA256, 64);
      c.integer(snap, "etcdSnapshot", "revision", true, 0, Long.MAX_VALUE);
      c.time(snap, "etcdSnapshot", "time", true);
    }
    c.time(root, "", "updatedAt", true);
    c.objects(root, "", "history", true, Markers.MAX_HISTORY, Set.of("time", "state", "message"), (o, p) -> {
      c.time(o, p, "time", true);
      c.oneOf(o, p, "state", true, STATES);
      c.message(o, p, "message", false);
    });
    return problems;
  }
}
