package io.microshift.update.host;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.microshift.update.backup.AtomicFiles;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.marker.HostStatusValidator;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.marker.MarkerTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the last restore of /var/lib/microshift put back, and whether it finished:
 * {@code /var/lib/microshift-update/restore.json}, written only by the agent, atomically.
 * A restore is identified by the path its failed data dir was moved aside to, which is unique
 * (a random suffix, never only a clock second), so a second restore is never taken for the first.
 * "Done" is this record saying so, never a guess from which dirs exist.
 *
 * <p>Read and written with Jackson's streaming parser and generator alone, as the marker files
 * are ({@link MarkerTree}): the restore runs on the rollback boot, inside greenboot's budget, and
 * an ObjectMapper's set-up took some 175 ms of the restore verb's 0.4 s of fixed cost there
 * (hack/bench restore).
 */
record RestoreRecord(String aside, String backupId, boolean done) {
  private static final JsonFactory JSON = new JsonFactory();
  static final String FILE = "restore.json";

  static Path file(HostPaths paths) {
    return paths.stateDir().resolve(FILE);
  }

  /** The record, or empty when there is none or it cannot be trusted (then a restore runs again, which is safe). */
  static Optional<RestoreRecord> read(HostContext ctx) {
    try {
      Optional<byte[]> bytes = new MarkerReader(ctx.markerOwnerUid()).readBytes(file(ctx.paths()));
      if (bytes.isEmpty()) {
        return Optional.empty();
      }
      JsonNode n = MarkerTree.read(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.get())).toString());
      String aside = n.path("aside").asText("");
      String backupId = n.path("backupId").asText("");
      String state = n.path("state").asText("");
      if (!HostStatusValidator.FAILED_DATA_PATH.matcher(aside).matches()
          || !BackupStore.ID.matcher(backupId).matches() || !(state.equals("InProgress") || state.equals("Done"))) {
        ctx.log().error("ignoring " + ctx.paths().hostPath(file(ctx.paths())) + ": not a restore record of this agent");
        return Optional.empty();
      }
      return Optional.of(new RestoreRecord(aside, backupId, state.equals("Done")));
    } catch (MarkerProblems | IOException e) {
      ctx.log().error("ignoring " + ctx.paths().hostPath(file(ctx.paths())) + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  void write(HostPaths paths) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator g = JSON.createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("aside", aside);
        g.writeStringField("backupId", backupId);
        g.writeStringField("state", done ? "Done" : "InProgress");
        g.writeEndObject();
      }
      out.write('\n');
      AtomicFiles.write(file(paths), out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file(paths), e);
    }
  }

  boolean isDoneFor(String aside, String backupId) {
    return done && this.aside.equals(aside) && this.backupId.equals(backupId);
  }
}
