package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;

import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A simulated host under a temp root: a real ostree sysroot (two commits, the older one
 * deployed and "booted"), MicroShift's data dir and version file, a complete backup set from the
 * operator, a boot id, and the fake boundaries of {@link FakeHostCommands}, which throw at a
 * command they do not know.
 */
final class TestHost {
  static final String PLAN_UID = "0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60";
  static final String BACKUP_ID = "upd-4-17-3-1";
  static final String REF_TARGET = "rhel/9/x86_64/edge";
  static final String FROM = "4.17.1";
  static final String TARGET = "4.17.3";
  /** Image mode: the repository of the MicroShift bootc images, and the digests of FROM and TARGET. */
  static final String IMAGE_REPO = "registry.example.com/edge/microshift-bootc";
  static final String DIGEST_FROM = "sha256:" + "a1".repeat(32);
  static final String DIGEST_TARGET = "sha256:" + "b2".repeat(32);
  static final String IMAGE_FROM = IMAGE_REPO + "@" + DIGEST_FROM;
  static final String IMAGE_TARGET = IMAGE_REPO + "@" + DIGEST_TARGET;

  /** The uid the tests run as: marker files must be owned by it. */
  static final int UID = currentUid();

  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  final Path root;
  final Path sysroot;
  final OstreeSysroot ostreeSysroot;
  final boolean ostree;
  final HostPaths paths;
  final FakeHostCommands runner;
  final Path bootedFile;
  /** Boot ids, the booted deployment, shutdowns and power cuts: the simulated device's too. */
  final HostBoots boots;
  boolean microshiftActive = true;
  boolean rebootRequested = false;
  String installedPackageVersion;
  String commitFrom;
  String commitTarget;
  /** An image-mode host ({@link #imageMode}): the booted deployment is a bootc image. */
  boolean image;
  long usableBytes = Long.MAX_VALUE / 4;
  Instant now = Instant.parse("2026-01-31T12:00:00Z");
  /** Runs whenever the agent waits (its sleeper): what the operator does meanwhile. */
  Runnable whileWaiting = () -> {};
  /** MicroShift's etcd for Prepare and the agent's snapshot (null: MicroShift's defaults under the root). */
  io.microshift.update.etcd.EtcdClientConfig etcd;

  TestHost(Path root, boolean ostree) {
    this.root = root;
    this.ostree = ostree;
    this.paths = new HostPaths(root);
    this.sysroot = root.resolve("sysroot");
    this.ostreeSysroot = new OstreeSysroot(sysroot);
    this.bootedFile = root.resolve("run/test-booted-deployment");
    this.runner = new FakeHostCommands(new Services(), paths, FakeHostCommands.OnUnexpected.THROW);
    this.boots = new HostBoots(paths, bootedFile, ostree ? ostreeSysroot : null, runner);
    try {
      Files.createDirectories(paths.stateDir());
      Files.setPosixFilePermissions(paths.stateDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
      writeDataDir();
      writeBackupSet();
      if (ostree) {
        Files.writeString(paths.ostreeBootedFlag(), "");
        buildSysroot();
      } else {
        installedPackageVersion = FROM;
        writeOsRelease("9.4"); // MicroShift 4.17 runs on RHEL 9.4 (RhelCompatibility)
        runner.useDnf(FakeDnf.microshiftHost(FROM, List.of(TARGET, "4.18.0")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes this ostree host an image-mode host: FROM's and TARGET's commits are published as the
   * bootc images IMAGE_FROM and IMAGE_TARGET (TARGET also as tag TARGET), and the booted
   * deployment (FROM's commit) is IMAGE_FROM. request() then asks for type image.
   */
  TestHost imageMode() {
    runner.bootc().publish(IMAGE_REPO, FROM, DIGEST_FROM, commitFrom);
    runner.bootc().publish(IMAGE_REPO, TARGET, DIGEST_TARGET, commitTarget);
    image = true;
    return this;
  }

  /** The host's /etc/os-release as RHEL {@code versionId}. */
  void writeOsRelease(String versionId) {
    try {
      Files.createDirectories(paths.osRelease().getParent());
      Files.writeString(paths.osRelease(), "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\""
          + versionId + "\"\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  HostContext ctx(CrashHook crash) {
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now; }
    };
    AgentLog log = new AgentLog(System.out);
    return new HostContext(paths, new LoggedRunner(runner, log), new FileBootedDeployment(bootedFile), p -> usableBytes, clock, crash,
        UID, log, d -> {
          now = now.plus(d);
          whileWaiting.run();
        }).etcd(etcd);
  }

  HostContext ctx() {
    return ctx(CrashHook.NONE);
  }

  // ---------- the ostree sysroot ----------

  private void buildSysroot() throws IOException {
    ostreeSysroot.init();
    commitFrom = ostreeSysroot.commit(root, "rhel/9/x86_64/edge-4.17.1", FROM);
    commitTarget = ostreeSysroot.commit(root, REF_TARGET, TARGET);
    if (!ostreeSysroot.deploy(commitFrom).ok()) {
      throw new IllegalStateException("ostree admin deploy " + commitFrom + " failed");
    }
    boots.booted(commitFrom);
  }

  private final class Services implements FakeHostCommands.Services {
    @Override public boolean microshiftActive() { return microshiftActive; }

    @Override public void stopMicroShift() { microshiftActive = false; }

    @Override public void startMicroShift() { microshiftActive = true; }

    @Override public void rebootRequested() { rebootRequested = true; }

    @Override public String installedPackageVersion() { return installedPackageVersion; }

    @Override public void installPackages(List<String> packages) {
      installedPackageVersion = FakeHostCommands.microshiftVersion(packages);
    }

    @Override public OstreeSysroot sysroot() { return ostree ? ostreeSysroot : null; }

    @Override public String bootedChecksum() { return TestHost.this.bootedChecksum(); }
  }

  /** ostree marks deployments immutable; lift that so the temp dir can be deleted. */
  static void unlockSysroot(Path root) {
    new OstreeSysroot(root.resolve("sysroot")).unlock();
  }

  String bootedChecksum() {
    return boots.bootedChecksum();
  }

  // ---------- boots ----------

  String bootId() {
    return boots.bootId();
  }

  /** A boot after {@code systemctl reboot}: ostree boots the default (first) deployment. */
  void rebootIntoDefault() {
    boots.shutdown(); // a locked staged deployment is not finalized: the booted one boots
    boot(ostree ? boots.defaultDeployment() : null);
  }

  /** Greenboot's fallback: the previous deployment boots. */
  void rebootIntoPrevious() {
    boot(commitFrom);
  }

  /** A power cut: a staged deployment is not finalized, so the booted one boots again. */
  void powerCut() {
    boots.powerCut();
    boot(ostree ? bootedChecksum() : null);
  }

  private void boot(String checksum) {
    boots.boot(checksum);
    rebootRequested = false;
    microshiftActive = false; // the boot unit runs before microshift.service
    now = now.plusSeconds(120);
  }

  /** Writes {@code req}, applies it, reboots into the target, runs the boot unit and starts MicroShift there. */
  void updateAndBootTarget(UpdateRequest req) {
    writeRequest(req);
    org.junit.jupiter.api.Assertions.assertEquals(0, new ApplyCommand(ctx()).run(), "apply");
    rebootIntoDefault();
    org.junit.jupiter.api.Assertions.assertEquals(0, new BootCommand(ctx()).run(), "boot");
    startMicroShift(TARGET);
  }

  /** microshift.service starts; the running version migrates the data dir. */
  void startMicroShift(String runningVersion) {
    microshiftActive = true;
    try {
      Path v = paths.microshiftVersionFile();
      // Major.Minor.Patch only, as MicroShift writes it (SimMicroShift.writeVersionFile)
      Files.writeString(v, "{\"version\":\"" + io.microshift.update.marker.Versions.dataVersion(runningVersion).orElseThrow()
          + "\",\"deployment_id\":\"rhel-"
          + (ostree ? bootedChecksum() : "none") + ".0\",\"boot_id\":\"" + bootId() + "\"}\n");
      if (!runningVersion.equals(currentDataVersion)) {
        Files.writeString(paths.microshiftData().resolve("etcd/member/snap/db"), "migrated by " + runningVersion,
            java.nio.file.StandardOpenOption.APPEND);
        currentDataVersion = runningVersion;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String currentDataVersion = FROM;

  // ---------- data ----------

  private void writeDataDir() throws IOException {
    Path data = paths.microshiftData();
    Files.createDirectories(data.resolve("etcd/member/snap"));
    Files.createDirectories(data.resolve("etcd/member/wal"));
    Files.createDirectories(data.resolve("resources/kubeadmin"));
    // what MicroShift's data dir holds, and what `microshift restore` requires of a backup
    Files.createDirectories(data.resolve("certs/kube-apiserver"));
    Files.writeString(data.resolve("certs/kube-apiserver/ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    Files.createDirectories(data.resolve("kubelet-plugins/volume/exec"));
    byte[] db = new byte[300_000];
    new Random(7).nextBytes(db);
    Files.write(data.resolve("etcd/member/snap/db"), db);
    Files.write(data.resolve("etcd/member/wal/0000000000000000-0000000000000000.wal"), new byte[64_000]);
    Files.writeString(data.resolve("resources/kubeadmin/kubeconfig"), "apiVersion: v1\nkind: Config\n");
    Files.setPosixFilePermissions(data.resolve("resources/kubeadmin/kubeconfig"), PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(data.resolve("resources/kubeconfig-link"), Path.of("kubeadmin/kubeconfig"));
    Files.writeString(paths.microshiftVersionFile(), "{\"version\":\"" + FROM
        + "\",\"deployment_id\":\"rhel-0.0\",\"boot_id\":\"" + bootId() + "\"}\n");
  }

  private void writeBackupSet() throws IOException {
    Path set = paths.stateDir().resolve("backups").resolve(BACKUP_ID);
    Files.createDirectories(set);
    byte[] snap = "etcd snapshot bytes".getBytes();
    Files.write(set.resolve("etcd.snapshot"), snap);
    Files.writeString(set.resolve("etcd.snapshot.sha256"), sha256(snap) + "  etcd.snapshot\n");
    Files.writeString(set.resolve("manifest.json"), "{}\n");
  }

  long snapshotBytes() {
    return "etcd snapshot bytes".getBytes().length;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Relative path → type, mode and content digest of every entry of a tree (symlinks not followed). */
  static Map<String, String> digest(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = dir.relativize(p).toString();
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, "dir " + mode);
        } else {
          out.put(rel, "file " + mode + " " + sha256(Files.readAllBytes(p)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  // ---------- markers ----------

  /** The update to TARGET; on rpm hosts with {@code reboot: Always} (the reboot path, as on ostree). */
  UpdateRequest request() {
    return request(UpdateRequest.Reboot.Always);
  }

  /** rpm hosts: the update to TARGET with the given reboot policy (IfNeeded: restart where enough). */
  UpdateRequest request(UpdateRequest.Reboot reboot) {
    UpdateRequest.Target target = image ? UpdateRequest.Target.image(TARGET, IMAGE_TARGET, false, null)
        : ostree
        ? new UpdateRequest.Target(TARGET, REF_TARGET, commitTarget, null)
        : new UpdateRequest.Target(TARGET, null, null, List.of("microshift-" + TARGET, "microshift-networking-" + TARGET,
            "microshift-selinux-" + TARGET), null, reboot);
    return new UpdateRequest(Markers.API_VERSION, new UpdateRequest.Plan("update-to-4-17-3", PLAN_UID, 1), 1,
        UpdateRequest.Action.Apply, image ? UpdateRequest.UpdateType.IMAGE
            : ostree ? UpdateRequest.UpdateType.OSTREE : UpdateRequest.UpdateType.RPM,
        new UpdateRequest.From(FROM), target, false,
        new UpdateRequest.Backup(BACKUP_ID, Markers.etcdSnapshotPath(BACKUP_ID), snapshotBytes(),
            sha256("etcd snapshot bytes".getBytes()), 4242L, Markers.dataPath(BACKUP_ID)),
        600, 2, null);
  }

  void writeRequest(UpdateRequest r) {
    MarkerFiles.writeRequest(paths.stateDir(), r);
  }

  /** The operator reports its verification of the current boot. */
  void verify(UpdateRequest r, UpdateRequest.VerificationResult result) {
    writeRequest(r.withVerification(new UpdateRequest.Verification(r.sequence(), bootId(), result,
        result == UpdateRequest.VerificationResult.Failed ? "deployment web did not become ready" : "workloads ready",
        now.toString())));
  }

  java.util.Optional<HostStatus> statusIfAny() {
    return MarkerFiles.readHostStatus(paths.stateDir(), UID);
  }

  HostStatus status() {
    return MarkerFiles.readHostStatus(paths.stateDir(), UID).orElseThrow();
  }
}
