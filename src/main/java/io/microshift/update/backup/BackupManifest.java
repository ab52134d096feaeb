package io.microshift.update.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code manifest.json} of a backup set, written last by the operator once the etcd snapshot is
 * verified and in place (see docs/backups.md). Its presence makes the set complete.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
    String apiVersion,
    String id,
    Plan plan,
    String createdAt,
    Etcd etcd) {

  public static final String API_VERSION = "updates.microshift.io/backup/v1";
  /** A manifest is a few hundred bytes; anything much larger is not one. */
  static final int MAX_BYTES = 64 * 1024;
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The UpdatePlan the set was taken for. */
  public record Plan(String name, String uid) {}

  /**
   * The etcd snapshot: its file name in the set, size and sha256 of the file; the store revision
   * and etcd version reported by the member just before the snapshot stream began (the snapshot
   * holds at least that revision); the member's db size, id and raft index at that moment.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Etcd(
      String file,
      long sizeBytes,
      String sha256,
      long revision,
      String etcdVersion,
      long dbSizeBytes,
      String memberId,
      long raftIndex) {}

  public BackupManifest {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(etcd, "etcd");
  }

  public static BackupManifest of(String id, Plan plan, Instant createdAt, Etcd etcd) {
    return new BackupManifest(API_VERSION, id, plan, createdAt.toString(), etcd);
  }

  /**
   * Builds the JSON serialiser for manifests now (the first use of a Jackson mapper costs a few
   * hundred ms of class loading in a cold JVM); the snapshotter runs this while etcd streams.
   */
  public static void warmUp() {
    of("warm-up", new Plan("warm-up", "warm-up"), Instant.EPOCH,
        new Etcd(BackupStore.ETCD_SNAPSHOT, 1, "0".repeat(64), 0, "", 0, "0", 0)).toJson();
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the manifest of " + id, e);
    }
  }

  /** Writes {@code manifest.json} of set {@code id} atomically and durably. */
  public void write(BackupStore store) throws IOException {
    AtomicFiles.write(store.manifest(id), toJson());
  }

  /**
   * Reads and validates a set's manifest; refuses symlinks, oversize files, unknown versions and
   * fields, and a manifest whose id is not the set's.
   */
  public static BackupManifest read(BackupStore store, String backupId) throws IOException {
    Path file = store.manifest(backupId);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + " is not a regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    }
    if (bytes.length > MAX_BYTES) {
      throw new IOException(file + " is larger than " + MAX_BYTES + " bytes: not a manifest");
    }
    BackupManifest m;
    try {
      m = JSON.readValue(bytes, BackupManifest.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a valid backup manifest: " + e.getMessage(), e);
    }
    m.validate(backupId, file);
    return m;
  }

  private void validate(String backupId, Path file) throws IOException {
    if (!API_VERSION.equals(apiVersion)) {
      throw new IOException(file + " has apiVersion '" + apiVersion + "', expected " + API_VERSION);
    }
    if (!backupId.equals(id)) {
      throw new IOException(file + " names backup '" + id + "' but lives in set " + backupId);
    }
    try {
      Instant.parse(createdAt);
    } catch (DateTimeParseException e) {
      throw new IOException(file + " has an invalid createdAt '" + createdAt + "'", e);
    }
    if (!BackupStore.ETCD_SNAPSHOT.equals(etcd.file()) || etcd.sha256() == null
        || !SHA256.matcher(etcd.sha256()).matches() || etcd.sizeBytes() <= 0) {
      throw new IOException(file + " has an invalid etcd section: " + etcd);
    }
  }

  @Override
  public String toString() {
    return new String(toJson(), StandardCharsets.UTF_8);
  }
}
