package io.microshift.update.host;

import io.microshift.update.backup.BackupStore;
import io.microshift.update.etcd.EtcdBackupService;
import io.microshift.update.etcd.EtcdClientConfig;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Everything a verb needs from the host, injectable for tests. */
public final class HostContext {
  /** Sleeps between polls; tests advance a fake clock instead. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final HostPaths paths;
  private final CommandRunner runner;
  private final BootedDeployment booted;
  private final DiskSpace disk;
  private final Clock clock;
  private final CrashHook crash;
  private final int markerOwnerUid;
  private final AgentLog log;
  private final Sleeper sleeper;
  private Duration stopTimeout = MicroShift.STOP_TIMEOUT;
  private EtcdClientConfig etcd;
  private HostTools tools;

  public HostContext(HostPaths paths, CommandRunner runner, BootedDeployment booted, DiskSpace disk,
      Clock clock, CrashHook crash, int markerOwnerUid, AgentLog log, Sleeper sleeper) {
    this.paths = paths;
    this.runner = runner;
    this.booted = booted;
    this.disk = disk;
    this.clock = clock;
    this.crash = crash;
    this.markerOwnerUid = markerOwnerUid;
    this.log = log;
    this.sleeper = sleeper;
  }

  public HostPaths paths() { return paths; }
  public CommandRunner runner() { return runner; }
  public BootedDeployment booted() { return booted; }
  public DiskSpace disk() { return disk; }
  public Clock clock() { return clock; }
  public CrashHook crash() { return crash; }
  public int markerOwnerUid() { return markerOwnerUid; }
  public AgentLog log() { return log; }
  public Sleeper sleeper() { return sleeper; }
  /** How long apply and restore wait for microshift.service and microshift-etcd.scope to stop. */
  public Duration stopTimeout() { return stopTimeout; }

  public HostContext stopTimeout(Duration d) {
    stopTimeout = d;
    return this;
  }

  /**
   * How the agent reaches MicroShift's etcd: by default as MicroShift's kube-apiserver does, with
   * the client certificate under /var/lib/microshift/certs/etcd-signer/ on this host's root.
   */
  public EtcdClientConfig etcd() {
    return etcd != null ? etcd : HostEtcd.microshiftDefaults(paths);
  }

  public HostContext etcd(EtcdClientConfig config) {
    etcd = config;
    return this;
  }

  /** MicroShift's etcd through jetcd: preflight, the snapshot into a backup set, retention. */
  public EtcdBackupService etcdBackups() {
    return new EtcdBackupService(etcd(), backups(), dir -> disk.usableBytes(dir));
  }

  /** The host's tools (rpm-ostree, bootc, dnf and rpm, systemctl, microshift), each behind its boundary. */
  public HostTools tools() {
    if (tools == null) {
      tools = HostTools.of(runner, paths); // on first use: the verbs that run no tool load none
    }
    return tools;
  }

  public HostContext tools(HostTools t) {
    tools = t;
    return this;
  }

  public MicroShift microshift() { return new MicroShift(tools(), paths); }
  public Ostree ostree() { return tools().ostree(); }
  public Image image() { return tools().image(); }
  public Packages packages() { return tools().packages(); }
  public Systemd systemd() { return tools().systemd(); }
  public BackupStore backups() { return new BackupStore(paths.stateDir()); }
  public StatusRecorder recorder() { return new StatusRecorder(this); }

  public String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The current boot id, from /proc/sys/kernel/random/boot_id. */
  public String bootId() {
    try {
      String id = Files.readString(paths.bootIdFile()).strip();
      if (!Markers.UUID.matcher(id).matches()) {
        throw new HostException("unexpected boot id '" + id + "' in " + paths.bootIdFile());
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the boot id", e);
    }
  }

  /** ostree-based host (RHEL for Edge): /run/ostree-booted exists. */
  public boolean isOstreeHost() {
    return Files.exists(paths.ostreeBootedFlag());
  }

  public void reached(String crashPoint) {
    crash.reached(crashPoint);
  }
}
