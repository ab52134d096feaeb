package io.microshift.update.marker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The marker records from a tree their validator passed: the one reader of each record, field by
 * field, for every verb of the agent and for the operator. It binds as {@link MarkerCodec#MAPPER}'s
 * data binding did (the records' Jackson annotations still say so, and MarkerBindingTest holds the
 * two equal): a missing or null field is null (0 or false for a primitive), an enum by its
 * name ({@code type} by its JSON name), an array as an {@link ArrayList}; a null where a primitive
 * goes is refused, as FAIL_ON_NULL_FOR_PRIMITIVES did. Without Jackson's bean and record
 * introspection, which was a third of the agent's boot verbs' start-up (docs/host.md, "Start-up").
 */
final class MarkerBinding {
  private MarkerBinding() {}

  /** A null where a primitive goes (the validators let an optional field be null). */
  static final class NullPrimitive extends RuntimeException {
    NullPrimitive(String field, String type) {
      // jackson-databind's PropertyValueBuffer._findMissing, word for word
      super("Cannot map `null` into type " + type
          + " (set DeserializationConfig.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES to 'false' to allow)"
          + " (field " + field + ")");
    }
  }

  static UpdateRequest request(ObjectNode o) {
    return new UpdateRequest(string(o, "apiVersion"),
        object(o, "plan", p -> new UpdateRequest.Plan(string(p, "name"), string(p, "uid"), longValue(p, "generation"))),
        longValue(o, "sequence"),
        named(o, "action", UpdateRequest.Action.class),
        updateType(o, "type"),
        object(o, "from", f -> new UpdateRequest.From(string(f, "version"))),
        object(o, "target", MarkerBinding::target),
        bool(o, "allowDowngrade"),
        object(o, "backup", b -> new UpdateRequest.Backup(string(b, "id"), string(b, "etcdSnapshotPath"),
            boxedLong(b, "etcdSnapshotBytes"), string(b, "etcdSnapshotSha256"), boxedLong(b, "etcdRevision"),
            string(b, "dataPath"))),
        intValue(o, "healthCheckTimeoutSeconds"),
        intValue(o, "backupRetention"),
        object(o, "verification", v -> new UpdateRequest.Verification(longValue(v, "sequence"), string(v, "bootId"),
            named(v, "result", UpdateRequest.VerificationResult.class), string(v, "message"), string(v, "time"))),
        bool(o, "allowUnsupportedPath"),
        bool(o, "bypassUpdateDriver"),
        boxedBool(o, "dryRun"));
  }

  private static UpdateRequest.Target target(ObjectNode t) {
    return new UpdateRequest.Target(string(t, "version"), string(t, "ostreeRef"), string(t, "ostreeCommit"),
        strings(t, "packages"), strings(t, "repositories"), named(t, "reboot", UpdateRequest.Reboot.class),
        strings(t, "requiredImages"), string(t, "image"), boxedBool(t, "allowImageTag"));
  }

  static HostStatus hostStatus(ObjectNode o) {
    return new HostStatus(string(o, "apiVersion"),
        object(o, "request", r -> new HostStatus.RequestRef(string(r, "uid"), longValue(r, "sequence"))),
        named(o, "state", HostState.class),
        string(o, "message"),
        updateType(o, "type"),
        string(o, "fromVersion"),
        string(o, "targetVersion"),
        string(o, "bootIdBefore"),
        string(o, "bootIdAfter"),
        string(o, "deploymentBefore"),
        string(o, "deploymentAfter"),
        string(o, "targetDeployment"),
        intValue(o, "greenbootAttempts"),
        string(o, "backupId"),
        object(o, "dataCopy", c -> new HostStatus.DataCopy(string(c, "backupId"), string(c, "path"),
            longValue(c, "bytes"), named(c, "method", HostStatus.CopyMethod.class), string(c, "bootId"),
            string(c, "time"))),
        string(o, "restoredBackupId"),
        string(o, "failedDataPath"),
        string(o, "updatedAt"),
        objects(o, "history", h -> new HostStatus.HistoryEntry(string(h, "time"), named(h, "state", HostState.class),
            string(h, "message"))),
        object(o, "prepared", MarkerBinding::prepared),
        object(o, "etcdSnapshot", s -> new HostStatus.EtcdSnapshot(string(s, "backupId"), longValue(s, "bytes"),
            string(s, "sha256"), longValue(s, "revision"), string(s, "time"))));
  }

  private static HostStatus.Prepared prepared(ObjectNode p) {
    return new HostStatus.Prepared(bool(p, "dryRun"), longValue(p, "freeBytes"), longValue(p, "requiredBytes"),
        object(p, "etcd", e -> new HostStatus.Etcd(bool(e, "healthy"), string(e, "version"),
            longValue(e, "dbSizeBytes"), longValue(e, "revision"), strings(e, "alarms"))),
        string(p, "bootedDeployment"), string(p, "stagedDeployment"), bool(p, "finalizationLocked"),
        string(p, "updateDriver"), strings(p, "packages"), string(p, "time"));
  }

  static UpdateHistory history(ObjectNode o) {
    return new UpdateHistory(string(o, "apiVersion"), objects(o, "updates", MarkerBinding::update));
  }

  private static UpdateHistory.Update update(ObjectNode u) {
    return new UpdateHistory.Update(string(u, "planName"), string(u, "planUid"), longValue(u, "sequence"),
        updateType(u, "type"), string(u, "fromVersion"), string(u, "targetVersion"),
        named(u, "outcome", UpdateHistory.Outcome.class), named(u, "hostState", HostState.class),
        string(u, "startedAt"), string(u, "finishedAt"), string(u, "backupId"), string(u, "restoredBackupId"),
        string(u, "etcdSnapshotTime"), string(u, "bootIdBefore"), string(u, "bootIdAfter"),
        string(u, "deploymentBefore"), string(u, "deploymentAfter"), string(u, "targetDeployment"),
        intValue(u, "greenbootAttempts"), string(u, "message"));
  }

  /** The field's value; null when it is missing or JSON null. */
  private static JsonNode present(ObjectNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v;
  }

  /** A primitive's value: 0 or false when missing, refused when JSON null. */
  private static JsonNode primitive(ObjectNode o, String field, String type) {
    JsonNode v = o.get(field);
    if (v != null && v.isNull()) {
      throw new NullPrimitive(field, type);
    }
    return v;
  }

  private static String string(ObjectNode o, String field) {
    JsonNode v = present(o, field);
    return v == null ? null : v.asText();
  }

  private static long longValue(ObjectNode o, String field) {
    JsonNode v = primitive(o, field, "`long`");
    return v == null ? 0L : v.asLong();
  }

  private static Long boxedLong(ObjectNode o, String field) {
    JsonNode v = present(o, field);
    return v == null ? null : v.asLong();
  }

  private static int intValue(ObjectNode o, String field) {
    JsonNode v = primitive(o, field, "`int`");
    return v == null ? 0 : v.asInt();
  }

  private static boolean bool(ObjectNode o, String field) {
    JsonNode v = primitive(o, field, "`boolean`");
    return v != null && v.asBoolean();
  }

  private static Boolean boxedBool(ObjectNode o, String field) {
    JsonNode v = present(o, field);
    return v == null ? null : v.asBoolean();
  }

  /** An enum by its name (by class, not a {@code valueOf} reference: no call site to link at start). */
  private static <E extends Enum<E>> E named(ObjectNode o, String field, Class<E> type) {
    JsonNode v = present(o, field);
    return v == null ? null : Enum.valueOf(type, v.asText());
  }

  /** {@code type}: by its JSON name ({@link UpdateRequest.UpdateType#jsonName}). */
  private static UpdateRequest.UpdateType updateType(ObjectNode o, String field) {
    JsonNode v = present(o, field);
    if (v == null) {
      return null;
    }
    for (UpdateRequest.UpdateType t : UpdateRequest.UpdateType.values()) {
      if (t.jsonName().equals(v.asText())) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown type " + Markers.printable(v.asText(), 80));
  }

  private static <T> T object(ObjectNode o, String field, Function<ObjectNode, T> read) {
    JsonNode v = present(o, field);
    return v == null ? null : read.apply((ObjectNode) v);
  }

  private static List<String> strings(ObjectNode o, String field) {
    JsonNode v = present(o, field);
    if (v == null) {
      return null;
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      out.add(item.isNull() ? null : item.asText());
    }
    return out;
  }

  private static <T> List<T> objects(ObjectNode o, String field, Function<ObjectNode, T> read) {
    JsonNode v = present(o, field);
    if (v == null) {
      return null;
    }
    List<T> out = new ArrayList<>(v.size());
    for (JsonNode item : v) {
      out.add(item.isNull() ? null : read.apply((ObjectNode) item));
    }
    return out;
  }
}
