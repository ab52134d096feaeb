package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The installed MicroShift: its version file, its service, its own backup/restore verbs. */
public final class MicroShift {
  public static final String SERVICE = "microshift.service";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Contents of /var/lib/microshift/version; deploymentId and bootId are null in old plain files. */
  public record VersionFile(String version, String deploymentId, String bootId) {}

  private final CommandRunner runner;
  private final HostPaths paths;

  public MicroShift(CommandRunner runner, HostPaths paths) {
    this.runner = runner;
    this.paths = paths;
  }

  /** Reads the version file: JSON {version, deployment_id, boot_id} or a plain X.Y.Z (older data). */
  public Optional<VersionFile> versionFile() {
    Path f = paths.microshiftVersionFile();
    try {
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) > 4096) {
        return Optional.empty();
      }
      String s = Files.readString(f).strip();
      if (s.startsWith("{")) {
        JsonNode n = JSON.readTree(s);
        String v = n.path("version").asText("");
        return Markers.VERSION.matcher(v).matches()
            ? Optional.of(new VersionFile(v, text(n, "deployment_id"), text(n, "boot_id")))
            : Optional.empty();
      }
      return Markers.VERSION.matcher(s).matches() ? Optional.of(new VersionFile(s, null, null)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.isTextual() || v.asText().isEmpty() ? null : v.asText();
  }

  /** The installed microshift package's version (rpm hosts; after a reboot, before MicroShift runs). */
  public Optional<String> installedPackageVersion() {
    CommandRunner.Result r = runner.run(List.of("rpm", "-q", "--queryformat", "%{VERSION}", "microshift"));
    String v = r.stdout().strip();
    return r.ok() && Markers.VERSION.matcher(v).matches() ? Optional.of(v) : Optional.empty();
  }

  public boolean isActive() {
    return runner.run(List.of("systemctl", "is-active", "--quiet", SERVICE)).ok();
  }

  public void stop() {
    runner.check(List.of("systemctl", "stop", SERVICE));
    if (isActive()) {
      throw new HostException(SERVICE + " is still active after systemctl stop");
    }
  }

  public void start() {
    runner.check(List.of("systemctl", "start", SERVICE));
  }

  /** MicroShift 4.14+ has {@code microshift backup DIR} and {@code microshift restore DIR}. */
  public boolean hasBackupVerbs() {
    return runner.run(List.of("microshift", "backup", "--help")).ok()
        && runner.run(List.of("microshift", "restore", "--help")).ok();
  }

  public void backup(Path target) {
    runner.check(List.of("microshift", "backup", target.toString()));
  }

  public void restore(Path source) {
    runner.check(List.of("microshift", "restore", source.toString()));
  }
}
