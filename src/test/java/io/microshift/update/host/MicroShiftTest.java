package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MicroShift} over faked {@link Systemd} and {@link Packages} boundaries: the stop and the installed version. */
class MicroShiftTest {
  @TempDir Path root;

  /** A {@link Systemd} whose units report the scripted ActiveStates, in order, then {@code inactive}. */
  static final class ScriptedSystemd implements Systemd {
    final List<String> asked = new ArrayList<>();
    final Deque<String> etcdScope = new ArrayDeque<>();

    @Override public boolean isActive(String unit) { return false; }

    @Override
    public String activeState(String unit) {
      asked.add(unit);
      return unit.equals(MicroShift.ETCD_SCOPE) && !etcdScope.isEmpty() ? etcdScope.poll() : "inactive";
    }

    @Override public void start(String unit) { asked.add("start " + unit); }
    @Override public void stop(String unit) { asked.add("stop " + unit); }
    @Override public void restart(String unit) { asked.add("restart " + unit); }
    @Override public void reboot() { asked.add("reboot"); }
  }

  /** {@link Packages} with one installed microshift version. */
  record InstalledVersion(String version) implements Packages {
    @Override public Optional<String> installedVersion(String name) {
      return name.equals("microshift") ? Optional.ofNullable(version) : Optional.empty();
    }
    @Override public void resolveAndDownload(UpdateRequest.Target target) { throw new AssertionError(); }
    @Override public void install(UpdateRequest.Target target) { throw new AssertionError(); }
    @Override public boolean rebootNeeded() { throw new AssertionError(); }
  }

  private final ScriptedSystemd systemd = new ScriptedSystemd();
  private Instant now = Instant.parse("2026-01-31T12:00:00Z");

  private HostContext ctx(String installed) {
    HostPaths paths = new HostPaths(root);
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now; }
    };
    CommandRunner none = argv -> {
      throw new AssertionError("no tool is run past its boundary: " + argv);
    };
    HostContext ctx = new HostContext(paths, none, () -> Optional.empty(), p -> 0L, clock,
        io.microshift.update.marker.CrashHook.NONE, 0, new AgentLog(System.out), d -> now = now.plus(d));
    return ctx.tools(ctx.tools().withSystemd(systemd).withPackages(new InstalledVersion(installed)))
        .stopTimeout(Duration.ofSeconds(5));
  }

  @Test
  void stopWaitsForTheEtcdScopeToStop() {
    systemd.etcdScope.addAll(List.of("deactivating", "deactivating"));
    HostContext ctx = ctx(null);
    ctx.microshift().stop(ctx);
    assertEquals(List.of("stop microshift.service",
        MicroShift.SERVICE, MicroShift.ETCD_SCOPE, MicroShift.SERVICE, MicroShift.ETCD_SCOPE,
        MicroShift.SERVICE, MicroShift.ETCD_SCOPE), systemd.asked);
  }

  @Test
  void anEtcdScopeThatNeverStopsNamesTheUnitToCheck() {
    for (int i = 0; i < 100; i++) {
      systemd.etcdScope.add("active");
    }
    HostContext ctx = ctx(null);
    HostException e = assertThrows(HostException.class, () -> ctx.microshift().stop(ctx));
    assertTrue(e.getMessage().startsWith("microshift-etcd.scope (active) is still running 5s after systemctl stop"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("check systemctl status microshift-etcd.scope"), e.getMessage());
  }

  @Test
  void theInstalledPackageVersionMustBeAVersion() {
    assertEquals(Optional.of("4.18.5"), ctx("4.18.5").microshift().installedPackageVersion());
    assertEquals(Optional.empty(), ctx("(none)").microshift().installedPackageVersion());
    assertEquals(Optional.empty(), ctx(null).microshift().installedPackageVersion());
  }

  /**
   * The version file as MicroShift's own reader takes it (pkg/admin/prerun/version.go,
   * parseVersionFile: json.Unmarshal, else the plain X.Y.Z of older data): a duplicate key is
   * taken, the last one winning; trailing tokens are not JSON, and not a plain version either.
   */
  @Test
  void theVersionFileIsReadAsMicroShiftReadsIt() throws Exception {
    HostContext ctx = ctx(null);
    Path f = ctx.paths().microshiftVersionFile();
    java.nio.file.Files.createDirectories(f.getParent());
    java.nio.file.Files.writeString(f, "{\"version\":\"4.18.1\",\"deployment_id\":\"rhel-a.0\",\"boot_id\":\"b1\"}\n");
    assertEquals(Optional.of(new MicroShift.VersionFile("4.18.1", "rhel-a.0", "b1")), ctx.microshift().versionFile());
    java.nio.file.Files.writeString(f, "{\"version\":\"4.18.1\",\"version\":\"4.19.0\"}");
    assertEquals(Optional.of(new MicroShift.VersionFile("4.19.0", null, null)), ctx.microshift().versionFile());
    java.nio.file.Files.writeString(f, "{\"version\":\"4.18.1\"} {}");
    assertEquals(Optional.empty(), ctx.microshift().versionFile());
    java.nio.file.Files.writeString(f, "4.17.3\n");
    assertEquals(Optional.of(new MicroShift.VersionFile("4.17.3", null, null)), ctx.microshift().versionFile());
  }
}
