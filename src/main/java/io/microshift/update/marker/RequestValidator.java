package io.microshift.update.marker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.microshift.update.version.MicroShiftPackage;
import io.microshift.update.version.MicroShiftVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every rule for request.json; returns all problems, empty when valid. */
public final class RequestValidator {
  private RequestValidator() {}

  static final Set<String> TOP = Set.of("apiVersion", "plan", "sequence", "action", "type", "from",
      "target", "allowDowngrade", "allowUnsupportedPath", "backup", "healthCheckTimeoutSeconds", "backupRetention",
      "verification", "bypassUpdateDriver", "dryRun");

  public static List<String> validate(ObjectNode root) {
    List<String> problems = new ArrayList<>();
    JsonChecks c = new JsonChecks(problems);
    c.onlyFields(root, "", TOP);
    c.apiVersion(root);
    ObjectNode plan = c.object(root, "", "plan", true, Set.of("name", "uid", "generation"));
    if (plan != null) {
      c.string(plan, "plan", "name", true, Markers.NAME, 253);
      c.string(plan, "plan", "uid", true, Markers.UUID, 36);
      c.integer(plan, "plan", "generation", true, 1, Long.MAX_VALUE);
    }
    Long sequence = c.integer(root, "", "sequence", true, 1, Long.MAX_VALUE);
    c.oneOf(root, "", "action", true, List.of("Prepare", "Apply", "Cancel"));
    String type = c.oneOf(root, "", "type", true, UpdateRequest.UpdateType.jsonNames());
    ObjectNode from = c.object(root, "", "from", true, Set.of("version"));
    String fromVersion = from == null ? null : c.string(from, "from", "version", true, Markers.VERSION, 100);
    Boolean allowDowngrade = c.bool(root, "", "allowDowngrade", true);
    Boolean allowUnsupportedPath = c.bool(root, "", "allowUnsupportedPath", false);
    c.bool(root, "", "bypassUpdateDriver", false);
    c.bool(root, "", "dryRun", false);
    ObjectNode target = c.object(root, "", "target", true,
        Set.of("version", "ostreeRef", "ostreeCommit", "packages", "repositories", "reboot", "requiredImages",
            "image", "allowImageTag"));
    if (target != null) {
      String version = c.string(target, "target", "version", true, Markers.VERSION, 100);
      String ref = c.string(target, "target", "ostreeRef", false, Markers.OSTREE_REF, 255);
      String commit = c.string(target, "target", "ostreeCommit", false, Markers.CHECKSUM, 64);
      List<String> packages = c.strings(target, "target", "packages", false, Markers.MAX_PACKAGES,
          Markers.PACKAGE, 200);
      if (packages != null) {
        for (int i = 0; i < target.get("packages").size(); i++) {
          String p = target.get("packages").get(i).asText();
          if (packages.contains(p) && p.toLowerCase(java.util.Locale.ROOT).endsWith(".rpm")) {
            c.problem("target.packages[" + i + "]", "'" + JsonChecks.sanitize(p)
                + "' names an .rpm file, which dnf would install from a local path; give a package name");
          }
        }
      }
      c.strings(target, "target", "repositories", false, Markers.MAX_REPOSITORIES, Markers.REPOSITORY, 100);
      c.oneOf(target, "target", "reboot", false, List.of("Always", "IfNeeded"));
      c.strings(target, "target", "requiredImages", false, Markers.MAX_REQUIRED_IMAGES, Markers.IMAGE_BY_DIGEST, 300);
      if ("rpm".equals(type) && target.hasNonNull("requiredImages")) {
        c.problem("target.requiredImages", "only for type ostree or image (an rpm update does not change the image store)");
      }
      image(c, target, type);
      boolean hasRef = target.hasNonNull("ostreeRef");
      boolean hasCommit = target.hasNonNull("ostreeCommit");
      boolean hasPackages = target.hasNonNull("packages");
      if ("ostree".equals(type)) {
        if (!hasRef && !hasCommit) {
          c.problem("target", "type ostree needs ostreeRef or ostreeCommit");
        }
        if (hasPackages) {
          c.problem("target.packages", "not allowed for type ostree");
        }
        if (target.hasNonNull("repositories") || target.hasNonNull("reboot")) {
          c.problem("target", "repositories and reboot are only for type rpm");
        }
      } else if ("image".equals(type)) {
        if (hasRef || hasCommit || hasPackages || target.hasNonNull("repositories") || target.hasNonNull("reboot")) {
          c.problem("target", "type image takes image only: ostreeRef, ostreeCommit, packages, repositories and reboot"
              + " are for types ostree and rpm");
        }
      } else if ("rpm".equals(type)) {
        if (hasRef || hasCommit) {
          c.problem("target", "ostreeRef and ostreeCommit are not allowed for type rpm");
        }
        if (!hasPackages || target.get("packages").isEmpty()) {
          c.problem("target.packages", "type rpm needs at least one package");
        } else if (packages != null && version != null) {
          // a version that is none is refused below, where its path is checked (Versions.refusal)
          MicroShiftVersion.tryParse(version).filter(r -> !MicroShiftPackage.anyNames(packages, r))
              .ifPresent(r -> c.problem("target.packages", MicroShiftPackage.missing(r)));
        }
      }
      if (ref != null && ref.contains("..")) {
        c.problem("target.ostreeRef", "must not contain '..'");
      }
      if (fromVersion != null && version != null && allowDowngrade != null) {
        Versions.refusal(fromVersion, version, allowDowngrade, Boolean.TRUE.equals(allowUnsupportedPath))
            .ifPresent(why -> c.problem("target.version", why));
      }
    }
    ObjectNode backup = c.object(root, "", "backup", true, Set.of("id", "etcdSnapshotPath",
        "etcdSnapshotBytes", "etcdSnapshotSha256", "etcdRevision", "dataPath"));
    if (backup != null) {
      String id = c.string(backup, "backup", "id", true, Markers.BACKUP_ID, 63);
      String snap = c.string(backup, "backup", "etcdSnapshotPath", true, null, 200);
      String data = c.string(backup, "backup", "dataPath", true, null, 200);
      if (id != null && snap != null && !snap.equals(Markers.etcdSnapshotPath(id))) {
        c.problem("backup.etcdSnapshotPath", "must be " + Markers.etcdSnapshotPath(id));
      }
      if (id != null && data != null && !data.equals(Markers.dataPath(id))) {
        c.problem("backup.dataPath", "must be " + Markers.dataPath(id));
      }
      // the snapshot's facts: all three (an operator that took the snapshot) or none (the host takes it)
      boolean operatorSnapshot = backup.has("etcdSnapshotBytes") || backup.has("etcdSnapshotSha256")
          || backup.has("etcdRevision");
      c.integer(backup, "backup", "etcdSnapshotBytes", operatorSnapshot, 0, 1L << 40);
      c.string(backup, "backup", "etcdSnapshotSha256", operatorSnapshot, Markers.SHA256, 64);
      c.integer(backup, "backup", "etcdRevision", operatorSnapshot, 0, Long.MAX_VALUE);
    }
    c.integer(root, "", "healthCheckTimeoutSeconds", true, Markers.MIN_HEALTH_CHECK_TIMEOUT_SECONDS,
        Markers.MAX_HEALTH_CHECK_TIMEOUT_SECONDS);
    c.integer(root, "", "backupRetention", true, Markers.MIN_BACKUP_RETENTION,
        Markers.MAX_BACKUP_RETENTION);
    ObjectNode v = c.object(root, "", "verification", false,
        Set.of("sequence", "bootId", "result", "message", "time"));
    if (v != null) {
      Long vs = c.integer(v, "verification", "sequence", true, 1, Long.MAX_VALUE);
      if (vs != null && sequence != null && vs > sequence) {
        c.problem("verification.sequence", vs + " is newer than the request's sequence " + sequence);
      }
      c.string(v, "verification", "bootId", true, Markers.UUID, 36);
      c.oneOf(v, "verification", "result", true, List.of("Passed", "Failed", "Pending"));
      c.message(v, "verification", "message", false);
      c.time(v, "verification", "time", true);
    }
    return problems;
  }

  /**
   * target.image and target.allowImageTag: required for type image and refused for the others;
   * the image pinned by digest, or by tag only when allowImageTag is true; each matched by a
   * whitelist (Markers.TARGET_IMAGE_BY_DIGEST / _BY_TAG), since the image reaches bootc's argv.
   */
  private static void image(JsonChecks c, ObjectNode target, String type) {
    Boolean allowTag = c.bool(target, "target", "allowImageTag", false);
    String image = c.string(target, "target", "image", "image".equals(type), null, Markers.MAX_TARGET_IMAGE_CHARS);
    if (!"image".equals(type)) {
      if (target.hasNonNull("image") || target.hasNonNull("allowImageTag")) {
        c.problem("target.image", "image and allowImageTag are only for type image");
      }
      return;
    }
    if (image == null) {
      return;
    }
    boolean byDigest = Markers.TARGET_IMAGE_BY_DIGEST.matcher(image).matches();
    boolean byTag = Markers.TARGET_IMAGE_BY_TAG.matcher(image).matches();
    if (byTag && !Boolean.TRUE.equals(allowTag)) {
      c.problem("target.image", "'" + JsonChecks.sanitize(image) + "' names a tag but allowImageTag is not true;"
          + " the target must be pinned by digest (registry/repository@sha256:<64 hex>)");
    } else if (!byDigest && !byTag) {
      c.problem("target.image", "'" + JsonChecks.sanitize(image) + "' is not an image reference"
          + " (registry.example.com/repository@sha256:<64 hex>; no transport, spaces, options or shell characters)");
    }
  }
}
