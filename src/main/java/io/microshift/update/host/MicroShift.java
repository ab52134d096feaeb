package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import io.microshift.update.marker.MarkerTree;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The installed MicroShift: its version file, its package, its service and its own backup/restore
 * verbs, over the {@link Systemd}, {@link Packages} and {@link MicroShiftAdmin} boundaries.
 */
public final class MicroShift {
  public static final String SERVICE = "microshift.service";
  /** The MicroShift rpm (openshift/microshift packaging/rpm/microshift.spec). */
  static final String PACKAGE = "microshift";
  /** The transient unit MicroShift runs its etcd in (systemd-run --scope). */
  public static final String ETCD_SCOPE = "microshift-etcd.scope";
  static final java.time.Duration STOP_TIMEOUT = java.time.Duration.ofSeconds(120);
  static final java.time.Duration STOP_POLL = java.time.Duration.ofMillis(500);
  /** Contents of /var/lib/microshift/version; deploymentId and bootId are null in old plain files. */
  public record VersionFile(String version, String deploymentId, String bootId) {}

  private final HostTools tools;
  private final HostPaths paths;

  public MicroShift(HostTools tools, HostPaths paths) {
    this.tools = tools;
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
        // Jackson's streaming parser alone (MarkerTree): no ObjectMapper to set up on the
        // rollback boot, which reads this file after its restore; under json.Unmarshal's rules,
        // as MicroShift reads it (pkg/admin/prerun/version.go, parseVersionFile)
        JsonNode n = MarkerTree.readLastKeyWins(s);
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
    return tools.packages().installedVersion(PACKAGE).filter(v -> Markers.VERSION.matcher(v).matches());
  }

  public boolean isActive() {
    return tools.systemd().isActive(SERVICE);
  }

  /**
   * Stops MicroShift and waits until both {@code microshift.service} and the transient
   * {@code microshift-etcd.scope} are inactive (or failed): the scope stops asynchronously after
   * the service, and {@code microshift backup}/{@code restore} refuse to run while either is in any
   * other state (openshift/microshift pkg/cmd/admin.go, {@code servicesShouldBeInactive}); a copy
   * taken while etcd still writes would not be consistent either.
   */
  public void stop(HostContext ctx) {
    tools.systemd().stop(SERVICE);
    awaitStopped(ctx);
  }

  /** Waits (bounded by {@link HostContext#stopTimeout()}) until no MicroShift unit is running; throws naming the one that is. */
  public void awaitStopped(HostContext ctx) {
    java.time.Instant deadline = ctx.clock().instant().plus(ctx.stopTimeout());
    while (true) {
      Optional<String> running = runningUnit();
      if (running.isEmpty()) {
        return;
      }
      if (!ctx.clock().instant().isBefore(deadline)) {
        throw new HostException(running.get() + " is still running " + ctx.stopTimeout().toSeconds()
            + "s after systemctl stop " + SERVICE + "; MicroShift's backup and restore refuse to run until both "
            + SERVICE + " and " + ETCD_SCOPE + " are inactive: check systemctl status " + ETCD_SCOPE);
      }
      try {
        ctx.sleeper().sleep(STOP_POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HostException("interrupted while waiting for MicroShift to stop");
      }
    }
  }

  /**
   * The first MicroShift unit whose ActiveState is neither {@code inactive} nor {@code failed}, as
   * "unit (state)", the same query as upstream's {@code servicesShouldBeInactive}.
   */
  public Optional<String> runningUnit() {
    for (String unit : List.of(SERVICE, ETCD_SCOPE)) {
      String state = tools.systemd().activeState(unit);
      if (!state.equals("inactive") && !state.equals("failed")) {
        return Optional.of(unit + " (" + (state.isEmpty() ? "unknown state" : state) + ")");
      }
    }
    return Optional.empty();
  }

  /** Restarts MicroShift (the rpm update that needs no reboot). */
  public void restart() {
    tools.systemd().restart(SERVICE);
  }

  public void start() {
    tools.systemd().start(SERVICE);
  }

  /** MicroShift 4.14+ has {@code microshift backup DIR} and {@code microshift restore DIR}. */
  public boolean hasBackupVerbs() {
    return tools.microshiftAdmin().hasBackupVerbs();
  }

  public void backup(Path target) {
    tools.microshiftAdmin().backup(target);
  }

  public void restore(Path source) {
    tools.microshiftAdmin().restore(source);
  }
}
