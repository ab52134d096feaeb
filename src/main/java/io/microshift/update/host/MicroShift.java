package io.microshift.update.host;

import io.microshift.update.version.MicroShiftVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

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
  /** MicroShift writes some 120 bytes; a larger file is not its own, and is not read whole. */
  static final int MAX_VERSION_FILE_BYTES = 64 * 1024;
  /** An rpm Version: letters, digits and {@code ._+~^} (rpm's rpmvercmp reads no other). */
  private static final Pattern RPM_VERSION = Pattern.compile("^[0-9A-Za-z._+~^]{1,128}$");

  private final HostTools tools;
  private final HostPaths paths;

  public MicroShift(HostTools tools, HostPaths paths) {
    this.tools = tools;
    this.paths = paths;
  }

  /**
   * Reads the data version file as MicroShift reads it ({@link VersionFileReader}): its version is
   * {@code Major.Minor.Patch} only, even on a pre-release build; empty when it is missing, larger
   * than any MicroShift writes, or MicroShift would refuse it.
   */
  public Optional<VersionFile> versionFile() {
    Path f = paths.microshiftVersionFile();
    try {
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) > MAX_VERSION_FILE_BYTES) {
        return Optional.empty();
      }
      // Go reads invalid UTF-8 in a JSON string as U+FFFD, as this decoding does
      return VersionFileReader.parse(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The installed microshift package's rpm Version as rpm prints it (4.17.3, 4.18.0~rc.2), for
   * messages; compare releases with {@link #hasInstalled}.
   */
  public Optional<String> installedPackageVersion() {
    return tools.packages().installedVersion(PACKAGE).filter(v -> RPM_VERSION.matcher(v).matches());
  }

  /**
   * Whether the installed microshift package is the release {@code version}, in whichever spelling
   * each side has it (an official pre-release's rpm is 4.18.0~rc.2 where a plan may say
   * 4.18.0-rc.2: {@link MicroShiftVersion#fromRpmVersion}).
   */
  public boolean hasInstalled(String version) {
    return installedPackageVersion().map(rpm -> isRelease(rpm, version)).orElse(false);
  }

  /** Whether the rpm Version {@code rpmVersion} is the release {@code version}, for a caller that read it already. */
  static boolean isRelease(String rpmVersion, String version) {
    return MicroShiftVersion.fromRpmVersion(rpmVersion).map(r -> r.isNamedBy(version)).orElse(false);
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
