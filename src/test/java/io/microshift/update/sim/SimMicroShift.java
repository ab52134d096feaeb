package io.microshift.update.sim;

import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.host.HostPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * microshift.service on the simulated device: at start its pre-run backup (ostree), its etcd (a
 * real etcd on {@code /var/lib/microshift/etcd}), the API ({@link SimCluster}) with the objects
 * saved in the data dir, the version file and ConfigMap, the kubelet; at stop the kubelet, the
 * API's objects into the data dir, etcd. The flag file {@code run/sim/microshift.active} tells
 * the greenboot JVMs' {@code systemctl is-active}.
 */
final class SimMicroShift {
  private final SimulatedDevice.Options opts;
  private final SimHost host;
  private final HostPaths paths;
  private final EtcdServerFixture etcd;
  private final SimCluster cluster;
  private final SimKubelet kubelet;
  private final Consumer<String> log;
  /** The device's lock: MicroShift does not start or stop while the operator does. */
  private final Object lock;
  private volatile boolean active;

  SimMicroShift(SimulatedDevice.Options opts, SimHost host, EtcdServerFixture etcd, SimCluster cluster,
      SimKubelet kubelet, Consumer<String> log, Object lock) {
    this.opts = opts;
    this.host = host;
    this.paths = host.paths();
    this.etcd = etcd;
    this.cluster = cluster;
    this.kubelet = kubelet;
    this.log = log;
    this.lock = lock;
  }

  /** MicroShift's etcd on the host's data dir; the etcd of the API server's own release on a real control plane. */
  static EtcdServerFixture startEtcd(SimulatedDevice.Options opts, HostPaths paths) {
    EtcdServerFixture.Builder b = EtcdServerFixture.builder();
    if (opts.controlPlane != null) {
      b = b.binary(opts.controlPlane.binary("etcd"));
    }
    return b.name("microshift").dataDir(paths.microshiftData().resolve("etcd")).start();
  }

  boolean active() {
    return active;
  }

  /** The first start, at provisioning: etcd is running already; the CRD, the version, the app. */
  void provisioned() throws IOException {
    active(true);
    cluster.installCrd();
    cluster.publishVersion(host.reportedVersion());
    writeVersionFile();
  }

  void etcdPut(String key, String value) {
    etcd.etcdctl("put", key, value).requireSuccess();
  }

  /** The value of {@code key}, or null. */
  String etcdGet(String key) {
    String out = etcd.etcdctl("get", key, "--print-value-only").requireSuccess().output().strip();
    return out.isEmpty() ? null : out;
  }

  /** systemctl stop microshift.service (or shutdown): API state into the data dir, etcd stopped. */
  void stop() {
    synchronized (lock) {
      if (!active) {
        return;
      }
      kubelet.stop();
      cluster.stop(apiObjectsFile());
      etcd.stop();
      active(false);
      log.accept("MicroShift stopped (etcd stopped, API objects saved in /var/lib/microshift)");
    }
  }

  /** A power cut: what the API acknowledged is kept (etcd is durable), then etcd is killed. */
  void powerCut() {
    synchronized (lock) {
      kubelet.stop();
      if (active) {
        cluster.stop(apiObjectsFile());
      }
      etcd.kill();
      active(false);
    }
  }

  /**
   * MicroShift starts: on ostree its pre-run backup (which can fail it), etcd on the data dir, API
   * objects from it (at boot), version published.
   */
  void start(boolean atBoot) {
    synchronized (lock) {
      if (active) {
        return;
      }
      try {
        if (opts.ostree && !preRunBackup()) {
          return;
        }
        if (atBoot) {
          cluster.loadSaved(apiObjectsFile());
        }
        etcd.restart();
        cluster.startServing();
        writeVersionFile();
        host.commands().microshiftCheckFails(opts.broken.contains(host.bootedVersion()) ? "MicroShift "
            + host.bootedVersion() + " core pods not ready (openshift-ovn-kubernetes/ovnkube-master CrashLoopBackOff)"
            : null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      cluster.publishVersion(host.reportedVersion());
      active(true);
      kubelet.start();
      log.accept("MicroShift " + host.bootedVersion() + " started");
    }
  }

  /**
   * json.Marshal of versionFile (pkg/admin/prerun/version.go, updateVersionFile): the version is
   * Major.Minor.Patch only (versionMetadata.MarshalJSON), a pre-release build's too, and
   * deployment_id is omitted when empty (omitempty), as on an rpm host.
   */
  private void writeVersionFile() throws IOException {
    String version = io.microshift.update.marker.Versions.dataVersion(host.bootedVersion()).orElseThrow();
    Files.writeString(paths.microshiftVersionFile(), "{\"version\":\"" + version + "\""
        + (opts.ostree ? ",\"deployment_id\":\"rhel-" + host.bootedChecksum() + ".0\"" : "")
        + ",\"boot_id\":\"" + microshiftBootId() + "\"}\n");
  }

  /** The boot id as MicroShift writes it: without dashes (pkg/admin/prerun/system.go, getCurrentBootID). */
  private String microshiftBootId() {
    return host.bootId().replace("-", "");
  }

  private Path apiObjectsFile() {
    return paths.microshiftData().resolve("sim-api/objects.json");
  }

  private void active(boolean on) {
    active = on;
    try {
      Path flag = host.simDir().resolve("microshift.active");
      if (on) {
        Files.writeString(flag, "");
      } else {
        Files.deleteIfExists(flag);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** MicroShift's pre-run backup ({@link MicroShiftPreRunBackup}); false when it failed MicroShift's start. */
  private boolean preRunBackup() {
    Set<String> deployments = new HashSet<>();
    host.sysroot().deployments().forEach(d -> deployments.add("rhel-" + d.checksum() + ".0"));
    int minor = Integer.parseInt(host.bootedVersion().split("\\.")[1]);
    Optional<String> failed = new MicroShiftPreRunBackup(paths, host.disk(), log::accept).run(minor,
        microshiftBootId(), deployments);
    failed.ifPresent(why -> log.accept("MicroShift " + host.bootedVersion() + " failed to start: pre-run data management: "
        + why));
    return failed.isEmpty();
  }
}
