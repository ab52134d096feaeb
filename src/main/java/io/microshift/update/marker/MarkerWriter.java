package io.microshift.update.marker;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The marker records as the files' text, with Jackson's streaming generator alone: byte for byte
 * what {@link MarkerCodec#MAPPER} wrote (the records' {@code @JsonPropertyOrder}, null fields
 * left out, {@link DefaultPrettyPrinter}'s indentation; MarkerBindingTest holds the two equal),
 * without the ObjectMapper's set-up and record introspection on the agent's boot path.
 */
final class MarkerWriter {
  private MarkerWriter() {}

  /** {@code value}'s JSON text, then a newline. */
  static String write(Object value) {
    StringWriter out = new StringWriter(4096);
    try (JsonGenerator g = MarkerTree.FACTORY.createGenerator(out)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
      if (value instanceof UpdateRequest r) {
        request(g, r);
      } else if (value instanceof HostStatus s) {
        hostStatus(g, s);
      } else if (value instanceof UpdateHistory h) {
        history(g, h);
      } else {
        throw new IllegalArgumentException("not a marker record: " + value.getClass().getName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.append('\n').toString();
  }

  private static void request(JsonGenerator g, UpdateRequest r) throws IOException {
    g.writeStartObject();
    string(g, "apiVersion", r.apiVersion());
    if (r.plan() != null) {
      g.writeObjectFieldStart("plan");
      string(g, "name", r.plan().name());
      string(g, "uid", r.plan().uid());
      g.writeNumberField("generation", r.plan().generation());
      g.writeEndObject();
    }
    g.writeNumberField("sequence", r.sequence());
    named(g, "action", r.action());
    string(g, "type", r.type() == null ? null : r.type().jsonName());
    if (r.from() != null) {
      g.writeObjectFieldStart("from");
      string(g, "version", r.from().version());
      g.writeEndObject();
    }
    if (r.target() != null) {
      target(g, r.target());
    }
    g.writeBooleanField("allowDowngrade", r.allowDowngrade());
    g.writeBooleanField("allowUnsupportedPath", r.allowUnsupportedPath());
    if (r.backup() != null) {
      UpdateRequest.Backup b = r.backup();
      g.writeObjectFieldStart("backup");
      string(g, "id", b.id());
      string(g, "etcdSnapshotPath", b.etcdSnapshotPath());
      number(g, "etcdSnapshotBytes", b.etcdSnapshotBytes());
      string(g, "etcdSnapshotSha256", b.etcdSnapshotSha256());
      number(g, "etcdRevision", b.etcdRevision());
      string(g, "dataPath", b.dataPath());
      g.writeEndObject();
    }
    g.writeNumberField("healthCheckTimeoutSeconds", r.healthCheckTimeoutSeconds());
    g.writeNumberField("backupRetention", r.backupRetention());
    if (r.verification() != null) {
      UpdateRequest.Verification v = r.verification();
      g.writeObjectFieldStart("verification");
      g.writeNumberField("sequence", v.sequence());
      string(g, "bootId", v.bootId());
      named(g, "result", v.result());
      string(g, "message", v.message());
      string(g, "time", v.time());
      g.writeEndObject();
    }
    g.writeBooleanField("bypassUpdateDriver", r.bypassUpdateDriver());
    bool(g, "dryRun", r.dryRun());
    g.writeEndObject();
  }

  private static void target(JsonGenerator g, UpdateRequest.Target t) throws IOException {
    g.writeObjectFieldStart("target");
    string(g, "version", t.version());
    string(g, "ostreeRef", t.ostreeRef());
    string(g, "ostreeCommit", t.ostreeCommit());
    strings(g, "packages", t.packages());
    strings(g, "repositories", t.repositories());
    named(g, "reboot", t.reboot());
    strings(g, "requiredImages", t.requiredImages());
    string(g, "image", t.image());
    bool(g, "allowImageTag", t.allowImageTag());
    g.writeEndObject();
  }

  private static void hostStatus(JsonGenerator g, HostStatus s) throws IOException {
    g.writeStartObject();
    string(g, "apiVersion", s.apiVersion());
    if (s.request() != null) {
      g.writeObjectFieldStart("request");
      string(g, "uid", s.request().uid());
      g.writeNumberField("sequence", s.request().sequence());
      g.writeEndObject();
    }
    named(g, "state", s.state());
    string(g, "message", s.message());
    string(g, "type", s.type() == null ? null : s.type().jsonName());
    string(g, "fromVersion", s.fromVersion());
    string(g, "targetVersion", s.targetVersion());
    string(g, "bootIdBefore", s.bootIdBefore());
    string(g, "bootIdAfter", s.bootIdAfter());
    string(g, "deploymentBefore", s.deploymentBefore());
    string(g, "deploymentAfter", s.deploymentAfter());
    string(g, "targetDeployment", s.targetDeployment());
    g.writeNumberField("greenbootAttempts", s.greenbootAttempts());
    string(g, "backupId", s.backupId());
    if (s.dataCopy() != null) {
      HostStatus.DataCopy c = s.dataCopy();
      g.writeObjectFieldStart("dataCopy");
      string(g, "backupId", c.backupId());
      string(g, "path", c.path());
      g.writeNumberField("bytes", c.bytes());
      named(g, "method", c.method());
      string(g, "bootId", c.bootId());
      string(g, "time", c.time());
      g.writeEndObject();
    }
    string(g, "restoredBackupId", s.restoredBackupId());
    string(g, "failedDataPath", s.failedDataPath());
    if (s.prepared() != null) {
      prepared(g, s.prepared());
    }
    if (s.etcdSnapshot() != null) {
      HostStatus.EtcdSnapshot e = s.etcdSnapshot();
      g.writeObjectFieldStart("etcdSnapshot");
      string(g, "backupId", e.backupId());
      g.writeNumberField("bytes", e.bytes());
      string(g, "sha256", e.sha256());
      g.writeNumberField("revision", e.revision());
      string(g, "time", e.time());
      g.writeEndObject();
    }
    string(g, "updatedAt", s.updatedAt());
    if (s.history() != null) {
      g.writeArrayFieldStart("history");
      for (HostStatus.HistoryEntry h : s.history()) {
        if (h == null) {
          g.writeNull();
          continue;
        }
        g.writeStartObject();
        string(g, "time", h.time());
        named(g, "state", h.state());
        string(g, "message", h.message());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void prepared(JsonGenerator g, HostStatus.Prepared p) throws IOException {
    g.writeObjectFieldStart("prepared");
    g.writeBooleanField("dryRun", p.dryRun());
    g.writeNumberField("freeBytes", p.freeBytes());
    g.writeNumberField("requiredBytes", p.requiredBytes());
    if (p.etcd() != null) {
      HostStatus.Etcd e = p.etcd();
      g.writeObjectFieldStart("etcd");
      g.writeBooleanField("healthy", e.healthy());
      string(g, "version", e.version());
      g.writeNumberField("dbSizeBytes", e.dbSizeBytes());
      g.writeNumberField("revision", e.revision());
      strings(g, "alarms", e.alarms());
      g.writeEndObject();
    }
    string(g, "bootedDeployment", p.bootedDeployment());
    string(g, "stagedDeployment", p.stagedDeployment());
    g.writeBooleanField("finalizationLocked", p.finalizationLocked());
    string(g, "updateDriver", p.updateDriver());
    strings(g, "packages", p.packages());
    string(g, "time", p.time());
    g.writeEndObject();
  }

  private static void history(JsonGenerator g, UpdateHistory h) throws IOException {
    g.writeStartObject();
    string(g, "apiVersion", h.apiVersion());
    if (h.updates() != null) {
      g.writeArrayFieldStart("updates");
      for (UpdateHistory.Update u : h.updates()) {
        if (u == null) {
          g.writeNull();
        } else {
          update(g, u);
        }
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void update(JsonGenerator g, UpdateHistory.Update u) throws IOException {
    g.writeStartObject();
    string(g, "planName", u.planName());
    string(g, "planUid", u.planUid());
    g.writeNumberField("sequence", u.sequence());
    string(g, "type", u.type() == null ? null : u.type().jsonName());
    string(g, "fromVersion", u.fromVersion());
    string(g, "targetVersion", u.targetVersion());
    named(g, "outcome", u.outcome());
    named(g, "hostState", u.hostState());
    string(g, "startedAt", u.startedAt());
    string(g, "finishedAt", u.finishedAt());
    string(g, "backupId", u.backupId());
    string(g, "restoredBackupId", u.restoredBackupId());
    string(g, "etcdSnapshotTime", u.etcdSnapshotTime());
    string(g, "bootIdBefore", u.bootIdBefore());
    string(g, "bootIdAfter", u.bootIdAfter());
    string(g, "deploymentBefore", u.deploymentBefore());
    string(g, "deploymentAfter", u.deploymentAfter());
    string(g, "targetDeployment", u.targetDeployment());
    g.writeNumberField("greenbootAttempts", u.greenbootAttempts());
    string(g, "message", u.message());
    g.writeEndObject();
  }

  /** A field that is left out when null, as the mapper's NON_NULL inclusion did. */
  private static void string(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  private static void named(JsonGenerator g, String field, Enum<?> value) throws IOException {
    string(g, field, value == null ? null : value.name());
  }

  private static void number(JsonGenerator g, String field, Long value) throws IOException {
    if (value != null) {
      g.writeNumberField(field, value.longValue());
    }
  }

  private static void bool(JsonGenerator g, String field, Boolean value) throws IOException {
    if (value != null) {
      g.writeBooleanField(field, value);
    }
  }

  private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
    if (values == null) {
      return;
    }
    g.writeArrayFieldStart(field);
    for (String v : values) {
      if (v == null) {
        g.writeNull();
      } else {
        g.writeString(v);
      }
    }
    g.writeEndArray();
  }
}
