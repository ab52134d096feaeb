package io.microshift.update.sim;

import io.microshift.update.backup.FileTrees;
import io.microshift.update.host.FakeBashGreenboot;
import io.microshift.update.host.FakeDnf;
import io.microshift.update.host.FakeHostCommands;
import io.microshift.update.host.HostBoots;
import io.microshift.update.host.HostCli;
import io.microshift.update.host.HostPaths;
import io.microshift.update.host.OstreeSysroot;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateHistory;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.version.MicroShiftVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The simulated device's host: a temp root with a real ostree sysroot (one commit per MicroShift
 * version) or an rpm host, its boots ({@link HostBoots}, shared with the host tests), the marker
 * dir, the real host agent ({@link HostCli}, in this JVM, with {@link FakeHostCommands} as
 * systemctl, rpm-ostree, dnf and rpm), its systemd units (the boot unit, the apply path unit) and
 * the agent as the greenboot scripts start it (its own JVM).
 */
final class SimHost implements AutoCloseable {
  static final String BROKEN_JAR_ERROR = "Error: Invalid or corrupt jarfile /usr/share/microshift-update/microshift-update.jar";

  /** What the host's systemctl reaches beyond the host: microshift.service and the reboot. */
  interface Units {
    boolean microshiftActive();

    void stopMicroShift();

    void startMicroShift();

    /** {@code systemctl reboot} was called (the host's flag is set already). */
    void rebootRequested();
  }

  private final SimulatedDevice.Options opts;
  private final Consumer<String> log;
  private final Units units;
  private final Path root;
  private final HostPaths paths;
  private final Path simDir;
  private final int uid;
  private final OstreeSysroot sysroot;
  private final Map<String, String> commitByVersion = new LinkedHashMap<>();
  private final FakeHostCommands commands;
  /** The bash greenboot's units on an ostree or image device, else null. */
  private FakeBashGreenboot bashGreenboot;
  private final HostBoots boots;
  private final SimDisk disk;
  private final ReentrantLock hostLock = new ReentrantLock();
  private final List<String> agentCrashes = Collections.synchronizedList(new ArrayList<>());
  private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
  private final PrintStream agentOut;
  private final Thread pathUnit;

  private volatile boolean rebootRequested;
  private volatile String installedRpmVersion;
  private volatile boolean agentBroken;
  private volatile boolean closed;
  private volatile String etcdEndpoint;
  private int bootCount;
  private String lastRequestSeen = "";

  SimHost(SimulatedDevice.Options opts, Consumer<String> log, Units units) throws IOException {
    this.opts = opts;
    this.log = log;
    this.units = units;
    this.root = Files.createTempDirectory("msu-device-");
    this.paths = new HostPaths(root);
    this.simDir = root.resolve("run/sim");
    this.uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    this.agentOut = new PrintStream(new TeeStream(agentLog, simDir.resolve("agent.log")), true, StandardCharsets.UTF_8);
    this.commands = new FakeHostCommands(new Services(), paths, FakeHostCommands.OnUnexpected.EXIT_127);
    this.disk = new SimDisk(root.resolve("var"));
    this.sysroot = opts.ostree ? new OstreeSysroot(root.resolve("sysroot")) : null;
    this.boots = new HostBoots(paths, root.resolve("run/sim/booted-deployment"), sysroot, commands);
    Files.createDirectories(simDir);
    Files.createDirectories(paths.stateDir());
    Files.setPosixFilePermissions(paths.stateDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(paths.microshiftData().resolve("resources/kubeadmin"));
    // MicroShift's data dir holds these; `microshift restore` refuses a backup without them
    Files.createDirectories(paths.microshiftData().resolve("certs/kube-apiserver"));
    Files.writeString(paths.microshiftData().resolve("certs/kube-apiserver/ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    Files.createDirectories(paths.microshiftData().resolve("kubelet-plugins/volume/exec"));
    Files.writeString(paths.microshiftData().resolve("resources/kubeadmin/kubeconfig"), "apiVersion: v1\nkind: Config\n");
    Files.createDirectories(appDataDir());
    commands.microshiftHasBackupVerbs(opts.microshiftBackupVerbs);
    commands.etcdScopeLingers(opts.etcdScopeLingers);
    commands.etcdScopeStuck(opts.etcdScopeStuck);
    commands.layered(opts.layered);
    if (opts.updateDriver != null) {
      commands.updateDriver(opts.updateDriver, opts.updateDriver + ".service");
    }
    if (opts.ostree) {
      Files.writeString(paths.ostreeBootedFlag(), "");
      sysroot.init();
      commitByVersion.put(opts.version, buildCommit(opts.version));
      sysroot.pulledFrom(SimulatedDevice.OSTREE_REMOTE, SimulatedDevice.OSTREE_REF_PREFIX + opts.version,
          commitByVersion.get(opts.version));
      for (String v : opts.versions) {
        commitByVersion.put(v, buildCommit(v));
        sysroot.pulledFrom(SimulatedDevice.OSTREE_REMOTE, SimulatedDevice.OSTREE_REF_PREFIX + v, commitByVersion.get(v));
      }
      if (opts.image) {
        for (Map.Entry<String, String> e : commitByVersion.entrySet()) {
          commands.bootc().publish(SimulatedDevice.IMAGE_REPO, e.getKey(), SimulatedDevice.imageDigestOf(e.getKey()),
              e.getValue());
        }
      }
      // provisioned from the remote, as a RHEL for Edge image is: the origin is remote:ref
      if (!commands.deploy(sysroot, commitByVersion.get(opts.version),
          SimulatedDevice.OSTREE_REMOTE + ":" + SimulatedDevice.OSTREE_REF_PREFIX + opts.version).ok()) {
        throw new IllegalStateException("cannot deploy " + opts.version);
      }
      boots.booted(boots.defaultDeployment());
    } else {
      installedRpmVersion = MicroShiftVersion.parse(opts.version).rpmVersion();
      Files.createDirectories(paths.osRelease().getParent());
      Files.writeString(paths.osRelease(), "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\""
          + opts.rhel + "\"\n");
      commands.useDnf(FakeDnf.microshiftHost(opts.version, opts.versions));
      // microshift-greenboot's required.d check, which the agent runs after a restart
      Path check = paths.host("/etc/greenboot/check/required.d/40_microshift_running_check.sh");
      Files.createDirectories(check.getParent());
      Files.writeString(check, "#!/bin/bash\n# stands for microshift-greenboot's check; FakeHostCommands runs it\n");
    }
    if (opts.ostree && !opts.greenbootRs) {
      // the bash greenboot's units: every staging arms grub's boot counter (host/GreenbootBootCounter)
      bashGreenboot = commands.bashGreenboot(opts.maxBootAttempts);
      bashGreenboot.checksEachBoot(opts.greenbootVerdictLooks);
    }
    if (opts.greenbootRs) {
      // greenboot-rs's unit, which the bash greenboot does not ship (greenboot-rs.spec %files):
      // how the agent tells the two apart on the device (host/GreenbootRs)
      Path unit = paths.host("/usr/lib/systemd/system/greenboot-set-rollback-trigger.service");
      Files.createDirectories(unit.getParent());
      Files.writeString(unit, "[Unit]\nDescription=Set the greenboot rollback trigger\nConditionPathExists=/run/ostree-booted\n");
    }
    writeAgentWrapper();
    this.pathUnit = new Thread(this::pathUnitLoop, "sim-path-unit");
    pathUnit.setDaemon(true);
  }

  /** The apply path unit starts watching request.json. */
  void startPathUnit() {
    pathUnit.start();
  }

  /** From now on the in-process agent reaches MicroShift's etcd at {@code endpoint} (the greenboot JVMs do not). */
  void etcdEndpoint(String endpoint) {
    etcdEndpoint = endpoint;
  }

  Path root() {
    return root;
  }

  HostPaths paths() {
    return paths;
  }

  /** The device's run dir: the greenboot JVMs' stub scripts, the agent's log, the flags. */
  Path simDir() {
    return simDir;
  }

  int uid() {
    return uid;
  }

  OstreeSysroot sysroot() {
    return sysroot;
  }

  /** The bash greenboot's units (ostree and image devices under the bash greenboot), else null. */
  FakeBashGreenboot bashGreenboot() {
    return bashGreenboot;
  }

  FakeHostCommands commands() {
    return commands;
  }

  HostBoots boots() {
    return boots;
  }

  SimDisk disk() {
    return disk;
  }

  PrintStream agentOut() {
    return agentOut;
  }

  /** The application's data dir on the host (a hostPath volume of shop/web). */
  Path appDataDir() {
    return paths.host("/var/lib/shop-data");
  }

  // ------------------------------------------------------------------ state

  Optional<HostStatus> hostStatus() {
    return MarkerFiles.readHostStatus(paths.stateDir(), uid);
  }

  Optional<UpdateHistory> history() {
    return MarkerFiles.readHistory(paths.stateDir(), uid);
  }

  Optional<UpdateRequest> request() {
    return MarkerFiles.readRequest(paths.stateDir(), uid);
  }

  /** The MicroShift release (4.18.0-rc.2) of the booted deployment (ostree) or the installed rpm. */
  String bootedVersion() {
    if (!opts.ostree) {
      return MicroShiftVersion.fromRpmVersion(installedRpmVersion).orElseThrow().toString();
    }
    return versionOf(bootedChecksum());
  }

  /**
   * The version the booted MicroShift reports (kube-public/microshift-version, {@code microshift
   * version}): an official build's is its rpm Version, 4.18.0~rc.2 for a pre-release, since
   * openshift/microshift packaging/rpm/microshift.spec {@code %build} passes
   * {@code MICROSHIFT_VERSION=%{version}} to the Makefile.
   */
  String reportedVersion() {
    return MicroShiftVersion.parse(bootedVersion()).rpmVersion();
  }

  /** The MicroShift version of a deployment (its base commit on a layered host). */
  String versionOf(String checksum) {
    String base = commands.baseOf(checksum);
    return commitByVersion.entrySet().stream().filter(e -> e.getValue().equals(base)).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new IllegalStateException("unknown deployment " + checksum));
  }

  String bootedChecksum() {
    return boots.bootedChecksum();
  }

  String commitOf(String version) {
    return commitByVersion.get(version);
  }

  String bootId() {
    return boots.bootId();
  }

  String installedRpmVersion() {
    return installedRpmVersion;
  }

  boolean rebootRequested() {
    return rebootRequested;
  }

  int bootCount() {
    return bootCount;
  }

  String agentLog() {
    synchronized (agentLog) {
      return agentLog.toString(StandardCharsets.UTF_8);
    }
  }

  List<String> agentCrashes() {
    synchronized (agentCrashes) {
      return List.copyOf(agentCrashes);
    }
  }

  // ------------------------------------------------------------------ boots

  /** Runs {@code work} holding the host (no agent verb runs meanwhile); returns what it returned. */
  boolean exclusive(java.util.function.BooleanSupplier work) {
    hostLock.lock();
    try {
      return work.getAsBoolean();
    } finally {
      hostLock.unlock();
    }
  }

  /** A shutdown; true when it dropped a staged deployment whose finalization was locked. */
  boolean shutdown() {
    return opts.ostree && boots.shutdown();
  }

  /** A boot that does not reach user space: grub counted it, with its own boot id. */
  void bootWithoutUserSpace() {
    boots.newBootId();
    bootCount++;
  }

  /** A new boot: a new boot id, no reboot pending. */
  void newBoot() {
    boots.newBootId();
    rebootRequested = false;
    bootCount++;
  }

  /** A power cut: an unfinished staged deployment is lost; a new boot id. */
  void powerCut() {
    if (opts.ostree) {
      boots.powerCut();
      rebootRequested = false;
    }
    boots.newBootId();
    bootCount++;
  }

  /** microshift-update-apply.service runs at every boot: the path unit sees request.json as new. */
  void applyUnitRunsAgain() {
    lastRequestSeen = "";
  }

  // ------------------------------------------------------------------ the host agent

  private List<String> agentArgs(String... verb) {
    List<String> args = new ArrayList<>(List.of("--root", root.toString()));
    if (opts.ostree) {
      args.addAll(List.of("--booted-deployment-file", boots.bootedFile().toString()));
    }
    args.addAll(List.of("--marker-owner", Integer.toString(uid)));
    if (etcdEndpoint != null) {
      args.addAll(List.of("--etcd-endpoints", etcdEndpoint)); // MicroShift's etcd, reached by the agent on the host
    }
    if (opts.etcdScopeStuck) {
      args.addAll(List.of("--stop-timeout", "5")); // not the default 2 minutes of waiting in real time
    }
    args.addAll(List.of(verb));
    return args;
  }

  /** Runs a host agent verb in this JVM (as its systemd unit would); a crash hook's throw ends it. */
  int agent(String... verb) {
    hostLock.lock();
    try {
      agentOut.println("$ microshift-update " + String.join(" ", verb));
      if (agentBroken) {
        agentOut.println(BROKEN_JAR_ERROR);
        return 1;
      }
      return HostCli.run(agentArgs(verb).toArray(String[]::new), agentOut, agentOut, commands, opts.crash, disk);
    } catch (RuntimeException | Error e) {
      agentCrashes.add(e.getMessage());
      agentOut.println("agent stopped: " + e);
      log.accept("host agent " + verb[0] + " stopped: " + e.getMessage());
      return -1;
    } finally {
      hostLock.unlock();
    }
  }

  /** microshift-update-apply.path: runs apply when request.json changes. */
  private void pathUnitLoop() {
    while (!closed) {
      try {
        Path req = MarkerFiles.requestFile(paths.stateDir());
        if (opts.pathUnit && !rebootRequested && Files.exists(req)) {
          FileTime t = Files.getLastModifiedTime(req);
          String seen = t.toMillis() + ":" + Files.size(req) + ":" + Files.getAttribute(req, "unix:ino");
          if (!seen.equals(lastRequestSeen)) {
            lastRequestSeen = seen;
            agent("apply");
          }
        }
      } catch (IOException | RuntimeException e) {
        // request.json replaced while we looked: next round
      }
      Sleeps.sleep(200);
    }
  }

  /** The boot unit; false when its crash stopped the boot ({@link SimulatedDevice.Options#bootCrashIsPowerCut()}). */
  boolean bootUnit() {
    Path unit = opts.repo.resolve("src/host/systemd/microshift-update-boot.service");
    if (!UnitConditions.met(unit, paths)) {
      log.accept("microshift-update-boot.service: skipped, its conditions are not met (no update in flight): no JVM");
      return true;
    }
    int crashes = agentCrashes().size();
    agent("boot");
    if (opts.bootCrashIsPowerCut && agentCrashes().size() > crashes) {
      log.accept("the power went out during the boot unit: MicroShift and the operator do not start");
      return false;
    }
    return true;
  }

  /**
   * From now on the agent's jar is broken (every verb, in-process or as the greenboot scripts' JVM,
   * fails as {@code java -jar} does on a corrupt jar). With no update in flight nothing may fail.
   */
  void breakAgentJar() {
    agentBroken = true;
    try {
      write(simDir.resolve("bin/microshift-update"), "#!/bin/bash\necho '" + BROKEN_JAR_ERROR + "' >&2\nexit 1\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The agent as greenboot runs it: its own JVM, with systemctl and rpm answered from the device's state. */
  private void writeAgentWrapper() throws IOException {
    Path bin = simDir.resolve("bin");
    Files.createDirectories(bin);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    StringBuilder args = new StringBuilder();
    for (String a : agentArgs()) {
      args.append(" '").append(a).append("'");
    }
    write(bin.resolve("microshift-update"), "#!/bin/bash\nexec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
        + " -Xshare:auto -cp '" + System.getProperty("java.class.path") + "' " + (opts.greenbootCrashAt == null
            ? "io.microshift.update.cli.Main" : CrashingAgentMain.class.getName() + " '" + opts.greenbootCrashAt + "' '"
            + simDir.resolve("greenboot-crashed") + "'") + args + " \"$@\"\n");
    write(bin.resolve("systemctl"), "#!/bin/bash\necho \"systemctl $*\" >> '" + simDir.resolve("stub-calls.log") + "'\n"
        + "if [[ \"$*\" == 'is-active --quiet microshift.service' ]]; then\n"
        + "  [[ -e '" + simDir.resolve("microshift.active") + "' ]]; exit $?\nfi\n"
        + "echo \"simulated device: unexpected systemctl $*\" >&2\nexit 127\n");
    write(bin.resolve("rpm"), "#!/bin/bash\necho \"rpm $*\" >> '" + simDir.resolve("stub-calls.log") + "'\n"
        + "if [[ \"$*\" == '-q --queryformat %{VERSION} microshift' ]]; then\n"
        + "  f='" + simDir.resolve("rpm-microshift-version") + "'\n"
        + "  if [[ -e \"$f\" ]]; then cat \"$f\"; exit 0; fi\n  echo 'package microshift is not installed'; exit 1\nfi\n"
        + "echo \"simulated device: unexpected rpm $*\" >&2\nexit 127\n");
    write(bin.resolve("rpm-ostree"), "#!/bin/bash\necho \"rpm-ostree $*\" >> '" + simDir.resolve("stub-calls.log") + "'\n"
        + "echo \"simulated device: unexpected rpm-ostree $*\" >&2\nexit 127\n");
    if (!opts.ostree) {
      Files.writeString(simDir.resolve("rpm-microshift-version"), installedRpmVersion);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The commit of MicroShift {@code version}, with the operator image embedded unless the options say not. */
  private String buildCommit(String version) {
    String commit = sysroot.commit(simDir, SimulatedDevice.OSTREE_REF_PREFIX + version, version);
    if (opts.operatorImage == null || opts.lackingOperatorImage.contains(version)) {
      return commit;
    }
    String digest = opts.operatorImage.substring(opts.operatorImage.indexOf('@') + 1);
    return sysroot.commitWithImages(simDir, SimulatedDevice.OSTREE_REF_PREFIX + version, commit, "[{\"id\":\""
        + "e1".repeat(32) + "\",\"digest\":\"" + digest + "\",\"names\":[\"" + opts.operatorImage + "\"]}]");
  }

  /** systemctl, rpm and dnf of {@link FakeHostCommands} act on this host and its units. */
  private final class Services implements FakeHostCommands.Services {
    @Override public boolean microshiftActive() { return units.microshiftActive(); }

    @Override public void stopMicroShift() { units.stopMicroShift(); }

    @Override public void startMicroShift() { units.startMicroShift(); }

    @Override public void rebootRequested() {
      rebootRequested = true;
      units.rebootRequested();
    }

    @Override public String installedPackageVersion() { return installedRpmVersion; }

    @Override public void installPackages(List<String> packages) {
      String v = FakeHostCommands.microshiftVersion(packages);
      installedRpmVersion = v;
      try {
        Files.writeString(simDir.resolve("rpm-microshift-version"), v);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      log.accept("dnf installed " + String.join(" ", packages));
    }

    @Override public OstreeSysroot sysroot() { return sysroot; }

    @Override public String bootedChecksum() { return SimHost.this.bootedChecksum(); }
  }

  /** The path unit starts no new round. */
  void closing() {
    closed = true;
  }

  /** Waits for the path unit's last round to end. */
  void awaitPathUnitStopped() {
    try {
      pathUnit.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes the host's root (the sysroot's immutable deployments unlocked first). */
  @Override
  public void close() {
    if (sysroot != null) {
      sysroot.unlock();
    }
    FileTrees.delete(root);
  }
}
