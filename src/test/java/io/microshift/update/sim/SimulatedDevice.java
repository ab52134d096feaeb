package io.microshift.update.sim;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.host.FakeHostCommands;
import io.microshift.update.host.HostCli;
import io.microshift.update.host.HostPaths;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.OperatorRuntime;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A MicroShift device on this machine, for end-to-end tests, the demo and benchmarks. This class
 * is a facade: the API the tests use, and the order in which a reboot and a power cut go through
 * the parts, one class each:
 * <ul>
 *   <li>the cluster ({@link SimCluster}): the fabric8 mock API server (CRUD, plus exec answers for
 *       workload hooks) or a real control plane; its objects stand for MicroShift's API state and
 *       are saved into {@code /var/lib/microshift/sim-api/objects.json} whenever MicroShift stops
 *       and loaded from there at every boot, so restoring the data dir restores them;</li>
 *   <li>MicroShift ({@link SimMicroShift}) and its etcd: a real etcd whose data dir is
 *       {@code /var/lib/microshift/etcd} of the simulated host, stopped with MicroShift and started
 *       again at boot;</li>
 *   <li>the host ({@link SimHost}): a temp root with a real ostree sysroot (one deployment per
 *       MicroShift version) or an rpm host, its boots ({@link io.microshift.update.host.HostBoots},
 *       shared with the host tests), the real host agent ({@link HostCli}, in this JVM, with
 *       {@link FakeHostCommands} as systemctl, rpm-ostree, dnf and rpm) and its units;</li>
 *   <li>greenboot ({@link SimGreenboot}): the real greenboot scripts of {@code src/host/greenboot},
 *       run with bash against the agent started as its own JVM, the boot attempts, the fallback;</li>
 *   <li>the operator ({@link SimOperator}): {@link OperatorRuntime} with the real ports, restarted
 *       with a new client at every boot (the operator pod restarts with MicroShift);</li>
 *   <li>a tiny kubelet/Deployment controller ({@link SimKubelet}): the pods of each Deployment in
 *       {@link #APP_NAMESPACE} follow {@code spec.replicas} and are ready at once.</li>
 * </ul>
 * The update is driven step by step ({@link #reboot()}, {@link #greenbootRun()}) or by
 * {@link #autopilot(Duration)}, which plays systemd and greenboot until the update has settled.
 */
public final class SimulatedDevice implements AutoCloseable {
  public static final String OPERATOR_NAMESPACE = "microshift-update";
  public static final String APP_NAMESPACE = "shop";
  public static final String APP = "web";
  public static final String APP_CONTAINER = "app";
  public static final int APP_REPLICAS = 2;
  public static final List<String> BACKUP_HOOK = List.of("app-data", "backup");
  public static final List<String> RESTORE_HOOK = List.of("app-data", "restore");
  public static final List<String> CHECK_HOOK = List.of("app-data", "check");
  public static final String OSTREE_REF_PREFIX = "rhel/9/x86_64/microshift-";
  /** The remote the device's target commits were pulled from (refs also under remotes/). */
  public static final String OSTREE_REMOTE = "rhel-edge";

  /** How the device is built. */
  public static final class Options {
    boolean ostree = true;
    /** An image-mode host: every version's commit is also a bootc image in the fake registry. */
    boolean image;
    String version = "4.17.1";
    List<String> versions = new ArrayList<>(List.of("4.17.3", "4.18.0"));
    Set<String> broken = new HashSet<>();
    int maxBootAttempts = defaultMaxBootAttempts();
    PrintStream log = System.out;
    CrashHook crash = CrashHook.NONE;
    Path repo = Path.of("").toAbsolutePath();
    boolean pathUnit = true;
    Map<String, Integer> brokenRuns = new HashMap<>();
    Duration preUpdateHookDelay;
    String preUpdateHookTimeout;
    String greenbootCrashAt;
    boolean bootCrashIsPowerCut;
    boolean cutPowerAfterGreen;
    /** The bash greenboot is still checking each boot for this many looks at its health check (0: its verdict is in). */
    int greenbootVerdictLooks;
    boolean microshiftBackupVerbs = true;
    int etcdScopeLingers = 2;
    boolean etcdScopeStuck;
    boolean layered;
    String updateDriver;
    Set<String> neverBoots = new HashSet<>();
    boolean greenbootRs;
    String rhel = "9.4";
    String operatorImage;
    Set<String> lackingOperatorImage = new HashSet<>();
    ControlPlaneBinaries controlPlane;

    /** An ostree host (RHEL for Edge) running {@code version}; other versions are commits in its repo. */
    public static Options ostree(String version) {
      Options o = new Options();
      o.version = version;
      return o;
    }

    /**
     * An image-mode host (bootc) booting the image of MicroShift {@code version}; the other
     * versions are images in the fake registry ({@link SimulatedDevice#imageOf}), each a real
     * ostree commit underneath.
     */
    public static Options image(String version) {
      Options o = ostree(version);
      o.image = true;
      return o;
    }

    /** An rpm host with microshift {@code version} installed; dnf "installs" any version. */
    public static Options rpm(String version) {
      Options o = new Options();
      o.ostree = false;
      o.version = version;
      return o;
    }

    /** rpm hosts: the RHEL minor in /etc/os-release (default 9.4, which runs MicroShift 4.16 to 4.18). */
    public Options rhel(String versionId) {
      rhel = versionId;
      return this;
    }

    /** The versions the ostree repo has commits for (besides the booted one). */
    public Options versions(String... v) {
      versions = new ArrayList<>(List.of(v));
      return this;
    }

    /** MicroShift of these versions starts but never becomes healthy (its greenboot check fails). */
    public Options broken(String... v) {
      broken.addAll(List.of(v));
      return this;
    }

    /** MicroShift {@code version} fails its greenboot check on the first {@code runs} greenboot runs on it, then passes. */
    public Options brokenFor(String version, int runs) {
      brokenRuns.put(version, runs);
      return this;
    }

    /**
     * The pre-update hook of shop/web answers only after {@code answersAfter} (a hook that runs
     * for a while, or hangs when longer than its timeout); {@code timeout} is its timeout
     * annotation (null: the default).
     */
    public Options preUpdateHook(Duration answersAfter, String timeout) {
      preUpdateHookDelay = answersAfter;
      preUpdateHookTimeout = timeout;
      return this;
    }

    /**
     * The greenboot verbs (their own JVM) halt, as on a power cut, the first time one reaches
     * {@code crashPoint}; {@link SimulatedDevice#greenbootCrashed()} tells when it happened.
     */
    public Options greenbootCrashAt(String crashPoint) {
      greenbootCrashAt = crashPoint;
      return this;
    }

    /**
     * The power goes out once right after green.d, before greenboot tells grub the boot was good:
     * greenboot-rs's {@code set_boot_status(true)} (src/main.rs health_check runs green.d first),
     * the bash greenboot's greenboot-grub2-set-success.service (no order against green.d's
     * runner); on the last boot attempt grub then falls back to the previous deployment.
     */
    /**
     * The bash greenboot is still checking every boot when the agent first looks: its verdict
     * (healthy) lands after {@code looks} looks at greenboot-healthcheck.service, or right after a
     * staging (host/FakeBashGreenboot#verdictPendingFor).
     */
    public Options greenbootChecksEachBoot(int looks) {
      greenbootVerdictLooks = looks;
      return this;
    }

    public Options cutPowerAfterGreen() {
      cutPowerAfterGreen = true;
      return this;
    }

    /**
     * A crash hook's throw in {@code boot} is a power cut: that boot stops there (MicroShift and
     * the operator stay down); follow it with {@link SimulatedDevice#powerCut()}.
     */
    public Options bootCrashIsPowerCut() {
      bootCrashIsPowerCut = true;
      return this;
    }

    /**
     * Whether MicroShift has {@code microshift backup} and {@code restore} (4.14 and later: every
     * version the device runs; default true). Without them the agent copies with cp.
     */
    public Options microshiftBackupVerbs(boolean has) {
      microshiftBackupVerbs = has;
      return this;
    }

    /**
     * microshift-etcd.scope stops this many status queries after microshift.service (default 2:
     * the scope always stops asynchronously after the service), or never ({@link #etcdScopeStuck}).
     */
    public Options etcdScopeLingers(int queries) {
      etcdScopeLingers = queries;
      return this;
    }

    /** microshift-etcd.scope never stops after systemctl stop microshift.service. */
    public Options etcdScopeStuck() {
      etcdScopeStuck = true;
      return this;
    }

    /** A layered host: rpm-ostree layers packages on every deployment (checksum is local, base-checksum the repo's). */
    /**
     * The cluster is a real control plane ({@link RealDeviceApi}: kube-apiserver on MicroShift's
     * etcd, the controllers, the scheduler, kwok) instead of the mock API and the tiny kubelet.
     */
    public Options realControlPlane(ControlPlaneBinaries bins) {
      controlPlane = bins;
      return this;
    }

    public Options layered() {
      layered = true;
      return this;
    }

    /** An rpm-ostree update driver is registered (rebase and deploy need --bypass-driver). */
    public Options updateDriver(String name) {
      updateDriver = name;
      return this;
    }

    /**
     * The deployment of MicroShift {@code version} never reaches user space: no boot unit,
     * MicroShift or greenboot runs on it. Under the bash greenboot (a kernel that panics, or one
     * grub cannot load) grub's boot counter counts each attempt and after the last one boots the
     * previous deployment, where greenboot's fallback unit runs {@code rpm-ostree rollback}.
     * Under greenboot-rs (a kernel grub cannot load; greenboot-rs sets no counter before a failed
     * check) grub's {@code fallback=1}, which greenboot-rs set with its rollback trigger at the
     * shutdown, boots entry 1 at once, the target still the default; greenboot-rs's health check
     * then makes the fallback permanent ({@code detect_grub_fallback}).
     */
    public Options neverBoots(String version) {
      neverBoots.add(version);
      return this;
    }

    /** greenboot's default: the environment's GREENBOOT_MAX_BOOT_ATTEMPTS, else 3. */
    static int defaultMaxBootAttempts() {
      String v = System.getenv("GREENBOOT_MAX_BOOT_ATTEMPTS");
      try {
        return v == null || v.isBlank() ? 3 : Math.max(1, Integer.parseInt(v.strip()));
      } catch (NumberFormatException e) {
        return 3;
      }
    }

    /**
     * greenboot-rs (fedora-iot/greenboot-rs) instead of the bash greenboot: red.d and green.d run
     * inside the health-check run; there is no fallback, redboot or task-runner unit; grub's
     * {@code boot_counter} is set only at the first failure (to GREENBOOT_MAX_BOOT_ATTEMPTS), so
     * the target gets that many retries after it; when a failure finds the counter at 0,
     * greenboot-rs runs {@code rpm-ostree rollback} on that failing boot and reboots into the
     * previous deployment. See {@link SimulatedDevice#greenbootRun()}.
     */
    public Options greenbootRs() {
      greenbootRs = true;
      return this;
    }

    /** GREENBOOT_MAX_BOOT_ATTEMPTS (default: the environment's, else 3). */
    public Options maxBootAttempts(int n) {
      maxBootAttempts = n;
      return this;
    }

    /** Where the device's progress lines go. */
    public Options log(PrintStream out) {
      log = out;
      return this;
    }

    /** Called at every crash point of the in-process host agent verbs (apply, boot). */
    public Options crash(CrashHook hook) {
      crash = hook;
      return this;
    }

    /**
     * The apply path unit does not react to request.json (a host agent that has not picked the
     * request up yet), so a plan waits in AwaitingReboot until the next boot runs the apply unit.
     */
    public Options pathUnitOff() {
      pathUnit = false;
      return this;
    }

    /**
     * The operator knows its image ({@code repo@sha256:...}) and requires it in ostree targets;
     * every commit embeds it in its image store as image builder's {@code [[containers]]} does,
     * but the commits of the versions {@code lacking}.
     */
    public Options operatorImage(String image, String... lacking) {
      operatorImage = image;
      lackingOperatorImage.addAll(List.of(lacking));
      return this;
    }

    /** The repository dir (for {@code src/host/greenboot}); default: the working dir. */
    public Options repo(Path dir) {
      repo = dir.toAbsolutePath();
      return this;
    }
  }

  /** The outcome of one greenboot run. */
  public record GreenbootResult(boolean healthy, int failedAttempts, boolean fallbackNext, String output,
      boolean manualIntervention) {}

  private final Options opts;
  private final SimHost host;
  private final EtcdServerFixture etcd;
  private final SimCluster cluster;
  private final SimKubelet kubelet;
  private final SimMicroShift microshift;
  private final SimOperator operator;
  private final SimGreenboot greenboot;
  private final Thread shutdownHook;

  private SimulatedDevice(Options opts) throws IOException {
    this.opts = opts;
    this.host = new SimHost(opts, this::log, new Units());
    this.etcd = SimMicroShift.startEtcd(opts, host.paths());
    host.etcdEndpoint(etcd.endpoint());
    // an interrupted demo or test run must not leave etcd running
    this.shutdownHook = new Thread(etcd::kill, "sim-etcd-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    this.cluster = new SimCluster(opts, host, etcd);
    this.kubelet = new SimKubelet(opts, cluster, host.appDataDir(), host::bootId, this::log);
    Object lock = new Object();
    this.microshift = new SimMicroShift(opts, host, etcd, cluster, kubelet, this::log, lock);
    this.operator = new SimOperator(cluster, host.paths().stateDir(), host.uid(), opts.operatorImage, this::log, lock);
    this.greenboot = new SimGreenboot(opts, host, microshift::active, this::log);
    microshift.provisioned();
    kubelet.createApp();
    kubelet.start();
    operator.start();
    host.startPathUnit();
    log("device up: " + (opts.image ? "image-mode (bootc)" : opts.ostree ? "ostree" : "rpm") + " host, MicroShift "
        + opts.version + ", etcd " + etcd.endpoint() + ", root " + host.root());
  }

  /** Builds and boots a device: host, etcd, API, the workload shop/web, the operator. */
  public static SimulatedDevice start(Options opts) {
    try {
      return new SimulatedDevice(opts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ what tests use

  /** An admin client of the device's API (valid across reboots). */
  public KubernetesClient kube() {
    return cluster.kube();
  }

  /** The real control plane ({@link Options#realControlPlane}), or null on the mock API. */
  public io.microshift.update.controlplane.ControlPlane controlPlane() {
    return cluster.controlPlane();
  }

  /** The mock API server; null on a real control plane. */
  public SimApiServer api() {
    return cluster.api();
  }

  /** MicroShift's etcd (the same endpoint across reboots). */
  public EtcdServerFixture etcd() {
    return etcd;
  }

  public Path root() {
    return host.root();
  }

  public HostPaths paths() {
    return host.paths();
  }

  public Path stateDir() {
    return host.paths().stateDir();
  }

  /** The bash greenboot's units on an ostree or image device (null under greenboot-rs or on rpm). */
  public io.microshift.update.host.FakeBashGreenboot bashGreenboot() {
    return host.bashGreenboot();
  }

  public FakeHostCommands commands() {
    return host.commands();
  }

  /** What the host agent and the greenboot scripts wrote (stdout and stderr). */
  public String agentLog() {
    return host.agentLog();
  }

  /** Exec requests the workload pods received, as {@code ns/pod: argv}. */
  public List<String> execs() {
    return kubelet.execs();
  }

  /** Crash points at which an in-process agent verb was stopped by the crash hook. */
  public List<String> agentCrashes() {
    return host.agentCrashes();
  }

  public Optional<HostStatus> hostStatus() {
    return host.hostStatus();
  }

  /** The host agent's history.json (the updates that ended), if any. */
  public Optional<io.microshift.update.marker.UpdateHistory> history() {
    return host.history();
  }

  public Optional<UpdateRequest> request() {
    return host.request();
  }

  /** The MicroShift version of the booted deployment (ostree) or the installed rpm. */
  public String bootedVersion() {
    return host.bootedVersion();
  }

  public String bootedChecksum() {
    return host.bootedChecksum();
  }

  public String commitOf(String version) {
    return host.commitOf(version);
  }

  public String bootId() {
    return host.bootId();
  }

  public boolean microshiftActive() {
    return microshift.active();
  }

  public boolean rebootRequested() {
    return host.rebootRequested();
  }

  public int boots() {
    return host.bootCount();
  }

  /** The repository of the image-mode device's MicroShift bootc images. */
  public static final String IMAGE_REPO = "registry.example.com/edge/microshift-bootc";

  /** The digest of the image of MicroShift {@code version} (a stand-in: sha256 of the version). */
  public static String imageDigestOf(String version) {
    try {
      return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(("microshift-bootc " + version).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The image of MicroShift {@code version} by digest. */
  public static String imageOf(String version) {
    return IMAGE_REPO + "@" + imageDigestOf(version);
  }

  /** An image plan to {@code version} (its image by digest) pausing the shop namespace; health check timeout 1m. */
  public static UpdatePlan imagePlan(String name, String version, ResumePolicy resume) {
    return SimPlans.image(name, version, resume);
  }

  /** An ostree plan to {@code version} pausing the shop namespace; health check timeout 1m. */
  public static UpdatePlan ostreePlan(String name, String version, ResumePolicy resume) {
    return SimPlans.ostree(name, version, resume);
  }

  /**
   * An rpm plan installing microshift, microshift-networking, microshift-selinux and
   * microshift-greenboot {@code version}, with {@code reboot: Always} (the reboot path).
   */
  public static UpdatePlan rpmPlan(String name, String version, ResumePolicy resume) {
    return SimPlans.rpm(name, version, resume);
  }

  /** {@link #rpmPlan} with the default {@code reboot: IfNeeded}: a z-stream restarts MicroShift. */
  public static UpdatePlan rpmRestartPlan(String name, String version, ResumePolicy resume) {
    return SimPlans.rpmRestart(name, version, resume);
  }

  /** Creates the plan (as {@code oc apply} would). */
  public UpdatePlan apply(UpdatePlan plan) {
    log("oc apply updateplan " + plan.getMetadata().getName() + " (" + plan.getSpec().type + " -> "
        + plan.getSpec().target.version + ")");
    return cluster.apply(plan);
  }

  public UpdatePlan plan(String name) {
    return cluster.plan(name);
  }

  public Phase phase(String name) {
    return cluster.phase(name);
  }

  public UpdatePlan awaitPhase(String name, Phase phase, Duration timeout) {
    await("plan " + name + " in phase " + phase, timeout, () -> phase == phase(name));
    return plan(name);
  }

  public HostStatus awaitHostState(HostState state, Duration timeout) {
    await("host state " + state, timeout, () -> hostStatus().map(s -> s.state() == state).orElse(false));
    return hostStatus().orElseThrow();
  }

  public void awaitRebootRequested(Duration timeout) {
    await("the host agent's reboot", timeout, () -> {
      if (hostStatus().map(s -> s.state() == HostState.Failed).orElse(false)) {
        throw new AssertionError("the host agent failed instead of rebooting: " + describe());
      }
      return host.rebootRequested();
    });
  }

  /** Polls {@code condition} every 100 ms; fails with what it waited for and the device state. */
  public void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + what + "; "
            + describe());
      }
      Sleeps.sleep(100);
    }
  }

  /** One line: booted version, host state, request, MicroShift. */
  public String describe() {
    return "booted " + bootedVersion() + ", MicroShift " + (microshift.active() ? "active" : "stopped") + ", host "
        + hostStatus().map(s -> s.state() + " (" + s.message() + ")").orElse("none")
        + ", plans " + cluster.planSummaries();
  }

  // ------------------------------------------------------------------ etcd and the workload

  public void etcdPut(String key, String value) {
    microshift.etcdPut(key, value);
  }

  /** The value of {@code key}, or null. */
  public String etcdGet(String key) {
    return microshift.etcdGet(key);
  }

  public Deployment app() {
    return kubelet.app();
  }

  public int appReplicas() {
    return kubelet.appReplicas();
  }

  public int appReadyReplicas() {
    return kubelet.appReadyReplicas();
  }

  /** The application's data dir on the host (a hostPath volume of shop/web). */
  public Path appDataDir() {
    return host.appDataDir();
  }

  /** The application writes {@code value} as its current data. */
  public void appWrite(String value) {
    kubelet.appWrite(value);
  }

  public String appData() {
    return kubelet.appData();
  }

  /** What the post-rollback hook wrote when it restored the app's data, or null. */
  public String appRestoredMarker() {
    return kubelet.appRestoredMarker();
  }

  /**
   * From now on /var is one file system of {@code bytes} (what it holds included): the host
   * agent's free space and MicroShift's pre-run backups see it fill up. Before: the real disk.
   */
  public void diskBytes(long bytes) {
    host.disk().capacity(bytes);
  }

  /** Bytes of the files under the simulated /var now. */
  public long varBytesUsed() {
    return host.disk().used();
  }

  // ------------------------------------------------------------------ the operator and the host agent

  /**
   * Kills the operator pod: its client is closed first (requests in flight fail), then the runtime
   * stops. {@link #restartOperator()} or the next boot starts a new one.
   */
  public void killOperator() {
    operator.kill();
  }

  /** Kills the operator and starts a new one (new runtime, new client), as a pod restart. */
  public void restartOperator() {
    operator.kill();
    operator.start();
  }

  /** Runs a host agent verb in this JVM (as its systemd unit would); a crash hook's throw ends it. */
  public int agent(String... verb) {
    return host.agent(verb);
  }

  /**
   * From now on the agent's jar is broken (every verb, in-process or as the greenboot scripts' JVM,
   * fails as {@code java -jar} does on a corrupt jar). With no update in flight nothing may fail.
   */
  public void breakAgentJar() {
    host.breakAgentJar();
  }

  // ------------------------------------------------------------------ reboots and greenboot

  /**
   * Shutdown and boot: the operator and MicroShift stop; a new boot id; ostree boots the default
   * deployment, or the previous one when greenboot fell back; the boot unit runs
   * ({@code microshift-update boot}), then MicroShift (etcd, API objects from the data dir, version
   * ConfigMap), the operator (new runtime, new client) and the apply unit.
   */
  public void reboot() {
    boolean booted = host.exclusive(() -> {
      operator.stop();
      microshift.stop();
      greenboot.cleanShutdown();
      greenboot.grubCountdown(); // 08_greenboot.cfg, under both greenboots
      if (host.shutdown()) {
        log("shutdown: the staged deployment's finalization is locked (rpm-ostree --lock-finalization), so"
            + " ostree-finalize-staged did not write it out: the booted deployment boots again");
      }
      if (opts.ostree) {
        greenboot.chooseDeployment();
      }
      host.newBoot();
      log("boot " + host.bootCount() + ": " + (opts.ostree ? "deployment " + bootedChecksum().substring(0, 12)
          + " (MicroShift " + bootedVersion() + ")" : "MicroShift rpm " + host.installedRpmVersion()) + ", boot id "
          + bootId());
      if (!host.bootUnit()) {
        return false;
      }
      microshift.start(true);
      if (microshift.active()) {
        operator.start();
      }
      return true;
    });
    if (booted) {
      host.applyUnitRunsAgain();  // microshift-update-apply.service runs at every boot
    }
  }

  /**
   * A power cut: no clean stop of MicroShift; an unfinished staged deployment is lost. What the
   * API acknowledged is kept (etcd is durable): the API objects are saved into the data dir first.
   */
  public void powerCut() {
    boolean booted = host.exclusive(() -> {
      operator.stop();
      microshift.powerCut();
      host.powerCut();
      if (greenboot.fallsBackAfterPowerCut()) {
        greenboot.chooseDeployment(); // grub runs its boot-counting script on every boot
      }
      log("power cut; boot " + host.bootCount());
      if (!host.bootUnit()) {
        return false; // the power went out again: this boot ends here
      }
      microshift.start(true);
      operator.start();
      return true;
    });
    if (booted) {
      host.applyUnitRunsAgain();
    }
  }

  /**
   * greenboot on this boot: required.d (MicroShift's own check, simulated: MicroShift active and
   * its version not broken; then our {@code 50_microshift_update_check.sh}), stopping at the first
   * failure; then green.d or red.d. A failure counts a boot attempt; after
   * GREENBOOT_MAX_BOOT_ATTEMPTS the next {@link #reboot()} boots the previous deployment.
   */
  public GreenbootResult greenbootRun() {
    GreenbootResult r = greenboot.run();
    if (greenboot.takePowerCut()) {
      powerCut();
    }
    return r;
  }

  /**
   * Plays systemd and greenboot until the update in flight settled: waits for the agent's reboot,
   * reboots, runs greenboot, reboots again after a failure (into the previous deployment after the
   * last attempt). Returns the number of boots it made.
   */
  public int autopilot(Duration timeout) {
    awaitRebootRequested(timeout);
    int made = 0;
    while (true) {
      reboot();
      made++;
      if (hostStatus().map(s -> s.state().isTerminal()).orElse(true)) {
        return made; // e.g. the rollback boot: Restored
      }
      GreenbootResult r = greenbootRun();
      if (r.healthy() || !opts.ostree || r.manualIntervention()) {
        return made;
      }
    }
  }

  /** grub's {@code boot_counter} (empty: unset): greenboot-rs's, or the bash greenboot's as its units set it. */
  public Optional<Integer> grubBootCounter() {
    return greenboot.bootCounter();
  }

  /** The greenboot verbs halted at {@link Options#greenbootCrashAt} (once per device). */
  public boolean greenbootCrashed() {
    return greenboot.crashed();
  }

  /** microshift.service and the reboot, as the host's systemctl reaches them. */
  private final class Units implements SimHost.Units {
    @Override public boolean microshiftActive() { return microshift.active(); }

    @Override public void stopMicroShift() { microshift.stop(); }

    @Override public void startMicroShift() { microshift.start(false); }

    @Override public void rebootRequested() {
      greenboot.rebootRequested();
      log("host agent requested a reboot (" + hostStatus().map(s -> s.state().toString()).orElse("?") + ")");
    }
  }

  private void log(String line) {
    opts.log.println("  [device] " + line);
  }

  @Override
  public void close() {
    host.closing();
    operator.stop();
    kubelet.stop();
    host.awaitPathUnitStopped();
    cluster.closeServer();
    etcd.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
    cluster.close();
    host.close();
  }
}
