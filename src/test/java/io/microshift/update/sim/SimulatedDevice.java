package io.microshift.update.sim;

import io.microshift.update.backup.FileTrees;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.RebootPolicy;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.hooks.Pods;
import io.microshift.update.host.FakeDnf;
import io.microshift.update.host.FakeHostCommands;
import io.microshift.update.host.HostCli;
import io.microshift.update.host.HostPaths;
import io.microshift.update.host.OstreeSysroot;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.OperatorRuntime;
import io.microshift.update.operator.Ports;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A MicroShift device on this machine, for end-to-end tests, the demo and benchmarks:
 * <ul>
 *   <li>the cluster: the fabric8 mock API server (CRUD, plus exec answers for workload hooks);
 *       its objects stand for MicroShift's API state and are saved into
 *       {@code /var/lib/microshift/sim-api/objects.json} whenever MicroShift stops and loaded
 *       from there at every boot, so restoring the data dir restores them;</li>
 *   <li>MicroShift's etcd: a real etcd whose data dir is {@code /var/lib/microshift/etcd} of the
 *       simulated host, stopped with MicroShift and started again at boot;</li>
 *   <li>the host: a temp root with a real ostree sysroot (one deployment per MicroShift version)
 *       or an rpm host, the real host agent ({@link HostCli}, in this JVM, with
 *       {@link FakeHostCommands} as systemctl, rpm-ostree, dnf and rpm), and the real greenboot
 *       scripts of {@code src/host/greenboot}, run with bash against the agent started as its
 *       own JVM;</li>
 *   <li>the operator: {@link OperatorRuntime} with the real ports, restarted with a new client at
 *       every boot (the operator pod restarts with MicroShift);</li>
 *   <li>a tiny kubelet/Deployment controller: the pods of each Deployment in {@link #APP_NAMESPACE}
 *       follow {@code spec.replicas} and are ready at once.</li>
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
     * The deployment of MicroShift {@code version} never reaches user space (a kernel that panics):
     * no boot unit, MicroShift or greenboot runs on it; grub's boot counter counts each attempt and
     * after the last one boots the previous deployment, where greenboot's fallback unit runs
     * {@code rpm-ostree rollback}.
     */
    public Options neverBoots(String version) {
      if (greenbootRs) {
        throw new IllegalArgumentException("a target that never boots is modelled for the bash greenboot only");
      }
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
  public record GreenbootResult(boolean healthy, int failedAttempts, boolean fallbackNext, String output) {}

  private final Options opts;
  private final Path root;
  private final HostPaths paths;
  private final Path simDir;
  private final Path bootedFile;
  private final int uid;
  private final OstreeSysroot sysroot;
  private final Map<String, String> commitByVersion = new LinkedHashMap<>();
  /** The mock API, or null on a real control plane ({@link #real}). */
  private final SimApiServer api;
  private final RealDeviceApi real;
  private final KubernetesClient kube;
  private final EtcdServerFixture etcd;
  private final FakeHostCommands commands;
  private final SimDisk disk;
  private final ReentrantLock hostLock = new ReentrantLock();
  private final List<String> execs = Collections.synchronizedList(new ArrayList<>());
  private final List<String> agentCrashes = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> expectedExecPaths = Collections.synchronizedSet(new HashSet<>());
  private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
  private final PrintStream agentOut;

  private volatile boolean microshiftActive;
  private volatile boolean rebootRequested;
  private volatile String installedRpmVersion;
  private volatile boolean closed;
  private int failedAttempts;
  private boolean fallbackNext;
  /** grub's env under greenboot-rs: {@code boot_counter} (null: unset) and {@code boot_success}. */
  private Integer grubBootCounter;
  private boolean grubBootSuccess = true;
  /** greenboot-rs's rollback trigger {@code greenboot_next_deployment_id} (null: unset). */
  private String grubNextDeploymentId;
  private volatile boolean agentBroken;
  private String rollbackDeployment;
  private int boots;

  private KubernetesClient operatorClient;
  private OperatorRuntime operator;
  private Thread kubelet;
  private volatile boolean kubeletRunning;
  private final Thread pathUnit;
  private final Thread shutdownHook;
  private String lastRequestSeen = "";

  private SimulatedDevice(Options opts) throws IOException {
    this.opts = opts;
    this.root = Files.createTempDirectory("msu-device-");
    this.paths = new HostPaths(root);
    this.simDir = root.resolve("run/sim");
    this.bootedFile = root.resolve("run/sim/booted-deployment");
    this.uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    this.agentOut = new PrintStream(new TeeStream(agentLog, simDir.resolve("agent.log")), true, StandardCharsets.UTF_8);
    this.commands = new FakeHostCommands(new Services(), paths, FakeHostCommands.OnUnexpected.EXIT_127);
    this.disk = new SimDisk(root.resolve("var"));
    Files.createDirectories(simDir);
    Files.createDirectories(paths.bootIdFile().getParent());
    Files.createDirectories(paths.stateDir());
    Files.setPosixFilePermissions(paths.stateDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(paths.microshiftData().resolve("resources/kubeadmin"));
    // MicroShift's data dir holds these; `microshift restore` refuses a backup without them
    Files.createDirectories(paths.microshiftData().resolve("certs/kube-apiserver"));
    Files.writeString(paths.microshiftData().resolve("certs/kube-apiserver/ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    Files.createDirectories(paths.microshiftData().resolve("kubelet-plugins/volume/exec"));
    Files.writeString(paths.microshiftData().resolve("resources/kubeadmin/kubeconfig"), "apiVersion: v1\nkind: Config\n");
    Files.createDirectories(appDataDir());
    newBootId();
    commands.microshiftHasBackupVerbs(opts.microshiftBackupVerbs);
    commands.etcdScopeLingers(opts.etcdScopeLingers);
    commands.etcdScopeStuck(opts.etcdScopeStuck);
    commands.layered(opts.layered);
    if (opts.updateDriver != null) {
      commands.updateDriver(opts.updateDriver, opts.updateDriver + ".service");
    }
    if (opts.ostree) {
      Files.writeString(paths.ostreeBootedFlag(), "");
      sysroot = new OstreeSysroot(root.resolve("sysroot"));
      sysroot.init();
      commitByVersion.put(opts.version, buildCommit(opts.version));
      sysroot.pulledFrom(OSTREE_REMOTE, OSTREE_REF_PREFIX + opts.version, commitByVersion.get(opts.version));
      for (String v : opts.versions) {
        commitByVersion.put(v, buildCommit(v));
        sysroot.pulledFrom(OSTREE_REMOTE, OSTREE_REF_PREFIX + v, commitByVersion.get(v));
      }
      if (opts.image) {
        for (Map.Entry<String, String> e : commitByVersion.entrySet()) {
          commands.bootc().publish(IMAGE_REPO, e.getKey(), imageDigestOf(e.getKey()), e.getValue());
        }
      }
      // provisioned from the remote, as a RHEL for Edge image is: the origin is remote:ref
      if (!commands.deploy(sysroot, commitByVersion.get(opts.version), OSTREE_REMOTE + ":" + OSTREE_REF_PREFIX + opts.version).ok()) {
        throw new IllegalStateException("cannot deploy " + opts.version);
      }
      Files.writeString(bootedFile, sysroot.deployments().get(0).checksum());
    } else {
      sysroot = null;
      installedRpmVersion = opts.version;
      Files.createDirectories(paths.osRelease().getParent());
      Files.writeString(paths.osRelease(), "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\""
          + opts.rhel + "\"\n");
      commands.useDnf(FakeDnf.microshiftHost(opts.version, opts.versions));
      // microshift-greenboot's required.d check, which the agent runs after a restart
      Path check = paths.host("/etc/greenboot/check/required.d/40_microshift_running_check.sh");
      Files.createDirectories(check.getParent());
      Files.writeString(check, "#!/bin/bash\n# stands for microshift-greenboot's check; FakeHostCommands runs it\n");
    }
    writeAgentWrapper();
    if (opts.controlPlane == null) {
      this.api = new SimApiServer();
      api.onExec(this::execSideEffect);
      this.kube = api.newClient();
      this.etcd = EtcdServerFixture.builder().name("microshift").dataDir(paths.microshiftData().resolve("etcd")).start();
      this.real = null;
    } else {
      this.api = null;
      // the etcd of the API server's own release: MicroShift's etcd is the API server's storage
      this.etcd = EtcdServerFixture.builder().binary(opts.controlPlane.binary("etcd")).name("microshift")
          .dataDir(paths.microshiftData().resolve("etcd")).start();
      this.real = new RealDeviceApi(opts.controlPlane, simDir, etcd.endpoint(), appDataDir(), paths.bootIdFile(),
          opts.repo);
      this.kube = real.newClient();
    }
    // an interrupted demo or test run must not leave etcd running
    this.shutdownHook = new Thread(etcd::kill, "sim-etcd-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    microshiftActive(true);
    installCrd();
    setVersionConfigMap();
    writeVersionFile();
    createApp();
    startKubelet();
    startOperator();
    this.pathUnit = new Thread(this::pathUnitLoop, "sim-path-unit");
    pathUnit.setDaemon(true);
    pathUnit.start();
    log("device up: " + (opts.image ? "image-mode (bootc)" : opts.ostree ? "ostree" : "rpm") + " host, MicroShift " + opts.version + ", etcd "
        + etcd.endpoint() + ", root " + root);
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
    return kube;
  }

  /** The real control plane ({@link Options#realControlPlane}), or null on the mock API. */
  public io.microshift.update.controlplane.ControlPlane controlPlane() {
    return real == null ? null : real.controlPlane();
  }

  /** The mock API server; null on a real control plane. */
  public SimApiServer api() {
    return api;
  }

  /** MicroShift's etcd (the same endpoint across reboots). */
  public EtcdServerFixture etcd() {
    return etcd;
  }

  public Path root() {
    return root;
  }

  public HostPaths paths() {
    return paths;
  }

  public Path stateDir() {
    return paths.stateDir();
  }

  public FakeHostCommands commands() {
    return commands;
  }

  /** What the host agent and the greenboot scripts wrote (stdout and stderr). */
  public String agentLog() {
    synchronized (agentLog) {
      return agentLog.toString(StandardCharsets.UTF_8);
    }
  }

  /** Exec requests the workload pods received, as {@code ns/pod: argv}. */
  public List<String> execs() {
    if (real != null) {
      return real.execs();
    }
    synchronized (execs) {
      return List.copyOf(execs);
    }
  }

  /** Crash points at which an in-process agent verb was stopped by the crash hook. */
  public List<String> agentCrashes() {
    synchronized (agentCrashes) {
      return List.copyOf(agentCrashes);
    }
  }

  public Optional<HostStatus> hostStatus() {
    return MarkerFiles.readHostStatus(paths.stateDir(), uid);
  }

  /** The host agent's history.json (the updates that ended), if any. */
  public Optional<io.microshift.update.marker.UpdateHistory> history() {
    return MarkerFiles.readHistory(paths.stateDir(), uid);
  }

  public Optional<UpdateRequest> request() {
    return MarkerFiles.readRequest(paths.stateDir(), uid);
  }

  /** The MicroShift version of the booted deployment (ostree) or the installed rpm. */
  public String bootedVersion() {
    if (!opts.ostree) {
      return installedRpmVersion;
    }
    return versionOf(bootedChecksum());
  }

  /** The MicroShift version of a deployment (its base commit on a layered host). */
  private String versionOf(String checksum) {
    String base = commands.baseOf(checksum);
    return commitByVersion.entrySet().stream().filter(e -> e.getValue().equals(base)).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new IllegalStateException("unknown deployment " + checksum));
  }

  public String bootedChecksum() {
    try {
      return Files.readString(bootedFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String commitOf(String version) {
    return commitByVersion.get(version);
  }

  public String bootId() {
    try {
      return Files.readString(paths.bootIdFile()).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean microshiftActive() {
    return microshiftActive;
  }

  public boolean rebootRequested() {
    return rebootRequested;
  }

  public int boots() {
    return boots;
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

  /**
   * What greenboot runs to roll back: {@code bootc rollback} on a host whose booted deployment is
   * a container image, else {@code rpm-ostree rollback} (fedora-iot/greenboot
   * greenboot-rpm-ostree-grub2-check-fallback, {@code attempt_rollback}: bootc status --booted
   * --json's status.type is bootcHost; greenboot-rs src/lib/handler.rs, {@code handle_rollback}
   * after {@code detect_os_deployment}). Returns the command, for the log.
   */
  private String greenbootRollback() {
    String type = commands.run(List.of("bootc", "status", "--booted", "--json")).stdout();
    if (type.contains("\"type\":\"bootcHost\"")) {
      if (!commands.run(List.of("bootc", "rollback")).ok()) {
        throw new IllegalStateException("bootc rollback failed");
      }
      return "bootc rollback";
    }
    commands.rollback();
    return "rpm-ostree rollback";
  }

  /** An image plan to {@code version} (its image by digest) pausing the shop namespace; health check timeout 1m. */
  public static UpdatePlan imagePlan(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.IMAGE, version, resume);
    plan.getSpec().target.image = imageOf(version);
    return plan;
  }

  /** An ostree plan to {@code version} pausing the shop namespace; health check timeout 1m. */
  public static UpdatePlan ostreePlan(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.OSTREE, version, resume);
    plan.getSpec().target.ostreeRef = OSTREE_REF_PREFIX + version;
    return plan;
  }

  /**
   * An rpm plan installing microshift, microshift-networking, microshift-selinux and
   * microshift-greenboot {@code version}, with {@code reboot: Always} (the reboot path).
   */
  public static UpdatePlan rpmPlan(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = rpmRestartPlan(name, version, resume);
    plan.getSpec().target.reboot = RebootPolicy.Always;
    return plan;
  }

  /** {@link #rpmPlan} with the default {@code reboot: IfNeeded}: a z-stream restarts MicroShift. */
  public static UpdatePlan rpmRestartPlan(String name, String version, ResumePolicy resume) {
    UpdatePlan plan = plan(name, UpdateType.RPM, version, resume);
    plan.getSpec().target.packages = new ArrayList<>(List.of("microshift-" + version,
        "microshift-networking-" + version, "microshift-selinux-" + version, "microshift-greenboot-" + version));
    return plan;
  }

  private static UpdatePlan plan(String name, UpdateType type, String version, ResumePolicy resume) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).build());
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = type;
    spec.target = new UpdateTarget(version);
    spec.workloads = new WorkloadSelection();
    spec.workloads.namespaces = new ArrayList<>(List.of(APP_NAMESPACE));
    spec.healthCheckTimeout = "1m";
    spec.resumeWorkloads = resume;
    plan.setSpec(spec);
    return plan;
  }

  /** Creates the plan (as {@code oc apply} would). */
  public UpdatePlan apply(UpdatePlan plan) {
    log("oc apply updateplan " + plan.getMetadata().getName() + " (" + plan.getSpec().type + " -> "
        + plan.getSpec().target.version + ")");
    return kube.resource(plan).create();
  }

  public UpdatePlan plan(String name) {
    return kube.resources(UpdatePlan.class).withName(name).get();
  }

  public Phase phase(String name) {
    UpdatePlan p = plan(name);
    return p == null || p.getStatus() == null ? null : p.getStatus().phase;
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
      return rebootRequested;
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
      sleep(100);
    }
  }

  /** One line: booted version, host state, request, MicroShift. */
  public String describe() {
    return "booted " + bootedVersion() + ", MicroShift " + (microshiftActive ? "active" : "stopped") + ", host "
        + hostStatus().map(s -> s.state() + " (" + s.message() + ")").orElse("none")
        + ", plans " + kube.resources(UpdatePlan.class).list().getItems().stream()
            .map(p -> p.getMetadata().getName() + "=" + (p.getStatus() == null ? null
                : p.getStatus().phase + " (" + p.getStatus().message + ")"))
            .toList();
  }

  // ------------------------------------------------------------------ etcd and the workload

  public void etcdPut(String key, String value) {
    etcd.etcdctl("put", key, value).requireSuccess();
  }

  /** The value of {@code key}, or null. */
  public String etcdGet(String key) {
    String out = etcd.etcdctl("get", key, "--print-value-only").requireSuccess().output().strip();
    return out.isEmpty() ? null : out;
  }

  public Deployment app() {
    return kube.apps().deployments().inNamespace(APP_NAMESPACE).withName(APP).get();
  }

  public int appReplicas() {
    Deployment d = app();
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  public int appReadyReplicas() {
    Deployment d = app();
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  /** The application's data dir on the host (a hostPath volume of shop/web). */
  public Path appDataDir() {
    return paths.host("/var/lib/shop-data");
  }

  /** The application writes {@code value} as its current data. */
  public void appWrite(String value) {
    try {
      Files.writeString(appDataDir().resolve("current"), value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String appData() {
    return readOrNull(appDataDir().resolve("current"));
  }

  /** What the post-rollback hook wrote when it restored the app's data, or null. */
  public String appRestoredMarker() {
    return readOrNull(appDataDir().resolve("restored-by-hook"));
  }

  private static String readOrNull(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p).strip() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The "program" in the app's container: the hooks' argv act on its data dir. */
  private void execSideEffect(String path) {
    // /api/v1/namespaces/NS/pods/POD/exec?command=a&command=b&container=...
    String[] parts = path.split("\\?", 2);
    String[] segs = parts[0].split("/");
    String pod = segs.length > 6 ? segs[4] + "/" + segs[6] : parts[0];
    List<String> argv = new ArrayList<>();
    for (String kv : parts.length > 1 ? parts[1].split("&") : new String[0]) {
      if (kv.startsWith("command=")) {
        argv.add(java.net.URLDecoder.decode(kv.substring(8), StandardCharsets.UTF_8));
      }
    }
    execs.add(pod + ": " + String.join(" ", argv));
    try {
      Path dir = appDataDir();
      if (argv.equals(BACKUP_HOOK) && Files.exists(dir.resolve("current"))) {
        Files.copy(dir.resolve("current"), dir.resolve("backup"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else if (argv.equals(RESTORE_HOOK) && Files.exists(dir.resolve("backup"))) {
        Files.copy(dir.resolve("backup"), dir.resolve("current"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("restored-by-hook"), "restored by " + pod + " on boot " + bootId() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void createApp() {
    Map<String, String> hooks = new LinkedHashMap<>();
    hooks.put("pre-update.hook.updates.microshift.io/command", json(BACKUP_HOOK));
    hooks.put("pre-update.hook.updates.microshift.io/container", APP_CONTAINER);
    if (opts.preUpdateHookTimeout != null) {
      hooks.put("pre-update.hook.updates.microshift.io/timeout", opts.preUpdateHookTimeout);
    }
    hooks.put("post-update.hook.updates.microshift.io/command", json(CHECK_HOOK));
    hooks.put("post-update.hook.updates.microshift.io/container", APP_CONTAINER);
    hooks.put("post-rollback.hook.updates.microshift.io/command", json(RESTORE_HOOK));
    hooks.put("post-rollback.hook.updates.microshift.io/container", APP_CONTAINER);
    hooks.put("post-rollback.hook.updates.microshift.io/timeout", "30s");
    Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace(APP_NAMESPACE).withName(APP).endMetadata()
        .withNewSpec().withReplicas(APP_REPLICAS).withNewSelector().addToMatchLabels("app", APP).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", APP).withAnnotations(hooks).endMetadata()
        .withNewSpec().addNewContainer().withName(APP_CONTAINER).withImage("quay.io/example/shop:1").endContainer()
        .endSpec().endTemplate().endSpec().build();
    kube.resource(d).create();
    appWrite("v1: orders before the update");
  }

  private static String json(List<String> argv) {
    return "[" + String.join(",", argv.stream().map(a -> "\"" + a + "\"").toList()) + "]";
  }

  /** The kubelet and Deployment controller: pods follow spec.replicas, ready at once. */
  private void kubeletTick() {
    for (Deployment d : kube.apps().deployments().inNamespace(APP_NAMESPACE).list().getItems()) {
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      String name = d.getMetadata().getName();
      Map<String, String> labels = d.getSpec().getSelector().getMatchLabels();
      List<Pod> pods = kube.pods().inNamespace(APP_NAMESPACE).withLabels(labels).list().getItems();
      Set<String> have = new HashSet<>();
      for (Pod p : pods) {
        String pn = p.getMetadata().getName();
        int idx = Integer.parseInt(pn.substring(pn.lastIndexOf('-') + 1));
        if (idx >= want) {
          kube.resource(p).delete();
        } else {
          have.add(pn);
        }
      }
      for (int i = 0; i < want; i++) {
        String pn = name + "-" + i;
        if (!have.contains(pn)) {
          Map<String, String> annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
          expectHookExecs(pn, annotations);
          Pod pod = new PodBuilder(Pods.running(APP_NAMESPACE, pn, annotations, APP_CONTAINER))
              .editMetadata().withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata().build();
          kube.resource(pod).create();
        }
      }
      Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
      if (ready == null || ready != want) {
        kube.apps().deployments().inNamespace(APP_NAMESPACE).withName(name).editStatus(x -> {
          x.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(want)
              .withReadyReplicas(want).withAvailableReplicas(want).withUpdatedReplicas(want).build());
          return x;
        });
      }
    }
  }

  /** The exec API answers each hook of a pod with exit code 0 (its side effect: {@link #execSideEffect}). */
  private void expectHookExecs(String pod, Map<String, String> annotations) {
    for (Map.Entry<String, String> a : annotations.entrySet()) {
      if (a.getKey().endsWith(".hook.updates.microshift.io/command")) {
        List<String> argv = a.getValue().equals(json(BACKUP_HOOK)) ? BACKUP_HOOK
            : a.getValue().equals(json(RESTORE_HOOK)) ? RESTORE_HOOK
            : a.getValue().equals(json(CHECK_HOOK)) ? CHECK_HOOK : null;
        if (argv != null && expectedExecPaths.add(Pods.execPath(APP_NAMESPACE, pod, APP_CONTAINER, argv))) {
          if (argv.equals(BACKUP_HOOK) && opts.preUpdateHookDelay != null) {
            Pods.expectSlowExec(api.server(), APP_NAMESPACE, pod, APP_CONTAINER, argv,
                opts.preUpdateHookDelay.toMillis());
          } else {
            Pods.expectExec(api.server(), APP_NAMESPACE, pod, APP_CONTAINER, argv, Pods.exit(0));
          }
        }
      }
    }
  }

  private void startKubelet() {
    if (real != null) {
      return; // the real controllers, scheduler and kwok run the workloads
    }
    kubeletRunning = true;
    kubelet = new Thread(() -> {
      while (kubeletRunning) {
        try {
          kubeletTick();
        } catch (KubernetesClientException e) {
          // a conflict with the operator's edit: next tick
        } catch (RuntimeException e) {
          if (kubeletRunning) {
            log("kubelet: " + e);
          }
        }
        sleep(150);
      }
    }, "sim-kubelet");
    kubelet.setDaemon(true);
    kubelet.start();
  }

  private void stopKubelet() {
    kubeletRunning = false;
    if (kubelet != null) {
      try {
        kubelet.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kubelet = null;
    }
  }

  // ------------------------------------------------------------------ MicroShift and the operator

  private void installCrd() throws IOException {
    if (real != null) {
      real.install(APP_NAMESPACE);
      return;
    }
    try (InputStream in = Files.newInputStream(opts.repo.resolve("crds/updateplans.updates.microshift.io-v1.yml"))) {
      CustomResourceDefinition crd = kube.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      kube.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  /** MicroShift publishes its version at start-up. */
  private void setVersionConfigMap() {
    String v = bootedVersion();
    String[] p = v.split("[.-]");
    kube.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder().withNewMetadata()
        .withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("major", p[0], "minor", p[1], "patch", p[2], "version", v)).build()).createOr(c -> c.update());
  }

  private void writeVersionFile() throws IOException {
    Files.writeString(paths.microshiftVersionFile(), "{\"version\":\"" + bootedVersion() + "\",\"deployment_id\":\""
        + (opts.ostree ? "rhel-" + bootedChecksum() + ".0" : "") + "\",\"boot_id\":\"" + microshiftBootId() + "\"}\n");
  }

  /** The boot id as MicroShift writes it: without dashes (pkg/admin/prerun/system.go, getCurrentBootID). */
  private String microshiftBootId() {
    return bootId().replace("-", "");
  }

  private Path apiObjectsFile() {
    return paths.microshiftData().resolve("sim-api/objects.json");
  }

  private void microshiftActive(boolean active) {
    microshiftActive = active;
    try {
      Path flag = simDir.resolve("microshift.active");
      if (active) {
        Files.writeString(flag, "");
      } else {
        Files.deleteIfExists(flag);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** systemctl stop microshift.service (or shutdown): API state into the data dir, etcd stopped. */
  private synchronized void stopMicroShift() {
    if (!microshiftActive) {
      return;
    }
    stopKubelet();
    if (real != null) {
      real.stop();
    } else {
      api.dump(apiObjectsFile());
    }
    etcd.stop();
    microshiftActive(false);
    log("MicroShift stopped (etcd stopped, API objects saved in /var/lib/microshift)");
  }

  /**
   * MicroShift starts: on ostree its pre-run backup (which can fail it), etcd on the data dir, API
   * objects from it (at boot), version published.
   */
  private synchronized void startMicroShift(boolean atBoot) {
    if (microshiftActive) {
      return;
    }
    try {
      if (opts.ostree && !preRunBackup()) {
        return;
      }
      if (atBoot && api != null && Files.exists(apiObjectsFile())) {
        api.load(apiObjectsFile());
      }
      etcd.restart();
      if (real != null) {
        real.start();
      }
      writeVersionFile();
      commands.microshiftCheckFails(opts.broken.contains(bootedVersion()) ? "MicroShift " + bootedVersion()
          + " core pods not ready (openshift-ovn-kubernetes/ovnkube-master CrashLoopBackOff)" : null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    setVersionConfigMap();
    microshiftActive(true);
    startKubelet();
    log("MicroShift " + bootedVersion() + " started");
  }

  /** MicroShift's pre-run backup ({@link MicroShiftPreRunBackup}); false when it failed MicroShift's start. */
  private boolean preRunBackup() {
    Set<String> deployments = new HashSet<>();
    sysroot.deployments().forEach(d -> deployments.add("rhel-" + d.checksum() + ".0"));
    int minor = Integer.parseInt(bootedVersion().split("\\.")[1]);
    Optional<String> failed = new MicroShiftPreRunBackup(paths, disk, this::log).run(minor, microshiftBootId(), deployments);
    failed.ifPresent(why -> log("MicroShift " + bootedVersion() + " failed to start: pre-run data management: " + why));
    return failed.isEmpty();
  }

  /**
   * From now on /var is one file system of {@code bytes} (what it holds included): the host
   * agent's free space and MicroShift's pre-run backups see it fill up. Before: the real disk.
   */
  public void diskBytes(long bytes) {
    disk.capacity(bytes);
  }

  /** Bytes of the files under the simulated /var now. */
  public long varBytesUsed() {
    return disk.used();
  }

  /** The commit of MicroShift {@code version}, with the operator image embedded unless the options say not. */
  private String buildCommit(String version) {
    String commit = sysroot.commit(simDir, OSTREE_REF_PREFIX + version, version);
    if (opts.operatorImage == null || opts.lackingOperatorImage.contains(version)) {
      return commit;
    }
    String digest = opts.operatorImage.substring(opts.operatorImage.indexOf('@') + 1);
    return sysroot.commitWithImages(simDir, OSTREE_REF_PREFIX + version, commit, "[{\"id\":\"" + "e1".repeat(32)
        + "\",\"digest\":\"" + digest + "\",\"names\":[\"" + opts.operatorImage + "\"]}]");
  }

  private synchronized void startOperator() {
    operatorClient = real != null ? real.newOperatorClient() : api.newOperatorClient();
    KubernetesWorkloads workloads = new KubernetesWorkloads(operatorClient, OPERATOR_NAMESPACE);
    Ports ports = new Ports(workloads, workloads,
        new MarkerHostHandoff(paths.stateDir(), uid, Clock.systemUTC(), java.util.Optional.ofNullable(opts.operatorImage)));
    // leader election as the Deployment sets it (on a real control plane), without JOSDK's exit
    // of the JVM when a stopped runtime stops leading: the operator restarts at every boot
    operator = new OperatorRuntime(operatorClient, ports, new SimpleMeterRegistry(), Clock.systemUTC(),
        real != null ? real.leaderElectionNamespace() : null, false);
    operator.start();
  }

  /**
   * Kills the operator pod: its client is closed first (requests in flight fail), then the runtime
   * stops. {@link #restartOperator()} or the next boot starts a new one.
   */
  public synchronized void killOperator() {
    KubernetesClient client = operatorClient;
    OperatorRuntime runtime = operator;
    operatorClient = null;
    operator = null;
    if (client != null) {
      client.close();
    }
    if (runtime != null) {
      try {
        runtime.close();
      } catch (RuntimeException e) {
        log("operator stop after its client closed: " + e);
      }
    }
    log("operator killed");
  }

  /** Kills the operator and starts a new one (new runtime, new client), as a pod restart. */
  public synchronized void restartOperator() {
    killOperator();
    startOperator();
  }

  private synchronized void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
    if (operatorClient != null) {
      operatorClient.close();
      operatorClient = null;
    }
  }

  // ------------------------------------------------------------------ the host agent

  private List<String> agentArgs(String... verb) {
    List<String> args = new ArrayList<>(List.of("--root", root.toString()));
    if (opts.ostree) {
      args.addAll(List.of("--booted-deployment-file", bootedFile.toString()));
    }
    args.addAll(List.of("--marker-owner", Integer.toString(uid)));
    if (etcd != null) {
      args.addAll(List.of("--etcd-endpoints", etcd.endpoint())); // MicroShift's etcd, reached by the agent on the host
    }
    if (opts.etcdScopeStuck) {
      args.addAll(List.of("--stop-timeout", "5")); // not the default 2 minutes of waiting in real time
    }
    args.addAll(List.of(verb));
    return args;
  }

  /** Runs a host agent verb in this JVM (as its systemd unit would); a crash hook's throw ends it. */
  public int agent(String... verb) {
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
      log("host agent " + verb[0] + " stopped: " + e.getMessage());
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
      sleep(200);
    }
  }

  // ------------------------------------------------------------------ reboots and greenboot

  /**
   * Shutdown and boot: the operator and MicroShift stop; a new boot id; ostree boots the default
   * deployment, or the previous one when greenboot fell back; the boot unit runs
   * ({@code microshift-update boot}), then MicroShift (etcd, API objects from the data dir, version
   * ConfigMap), the operator (new runtime, new client) and the apply unit.
   */
  public void reboot() {
    hostLock.lock();
    try {
      stopOperator();
      stopMicroShift();
      if (opts.greenbootRs) {
        grubCountdown();
      }
      if (opts.ostree && commands.shutdownDropsLockedStaged()) {
        log("shutdown: the staged deployment's finalization is locked (rpm-ostree --lock-finalization), so"
            + " ostree-finalize-staged did not write it out: the booted deployment boots again");
      }
      if (opts.ostree) {
        String next = fallbackNext ? rollbackDeployment : sysroot.deployments().get(0).checksum();
        while (!fallbackNext && opts.neverBoots.contains(versionOf(next))) {
          // the kernel never reaches user space; grub's boot counter counts the attempt
          newBootId();
          boots++;
          failedAttempts++;
          log("boot " + boots + ": deployment " + next.substring(0, 12) + " (MicroShift " + versionOf(next)
              + ") never reaches user space; boot attempt " + failedAttempts + " of " + opts.maxBootAttempts);
          if (failedAttempts >= opts.maxBootAttempts) {
            fallbackNext = true;
            next = rollbackDeployment;
          }
        }
        Files.writeString(bootedFile, next);
        if (fallbackNext) {
          fallbackNext = false;
          failedAttempts = 0;
          if (!opts.greenbootRs) {
            // greenboot-rpm-ostree-grub2-check-fallback.service, before our boot unit: boot_counter
            // is -1, so it runs rpm-ostree rollback (fedora-iot/greenboot, attempt_rollback);
            // greenboot-rs has no such unit and rolled back from the failing boot instead
            String how = greenbootRollback();
            log("greenboot's fallback: boot_counter ran out; " + how + " made the previous deployment the default");
          }
        }
      }
      newBootId();
      rebootRequested = false;
      boots++;
      log("boot " + boots + ": " + (opts.ostree ? "deployment " + bootedChecksum().substring(0, 12) + " (MicroShift "
          + bootedVersion() + ")" : "MicroShift rpm " + installedRpmVersion) + ", boot id " + bootId());
      if (!bootUnit()) {
        return;
      }
      startMicroShift(true);
      if (microshiftActive) {
        startOperator();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      hostLock.unlock();
    }
    lastRequestSeen = "";  // microshift-update-apply.service runs at every boot
  }

  /** The boot unit; false when its crash stopped the boot ({@link Options#bootCrashIsPowerCut()}). */
  private boolean bootUnit() {
    Path unit = opts.repo.resolve("src/host/systemd/microshift-update-boot.service");
    if (!UnitConditions.met(unit, paths)) {
      log("microshift-update-boot.service: skipped, its conditions are not met (no update in flight): no JVM");
      return true;
    }
    int crashes = agentCrashes().size();
    agent("boot");
    if (opts.bootCrashIsPowerCut && agentCrashes().size() > crashes) {
      log("the power went out during the boot unit: MicroShift and the operator do not start");
      return false;
    }
    return true;
  }

  /**
   * A power cut: no clean stop of MicroShift; an unfinished staged deployment is lost. What the
   * API acknowledged is kept (etcd is durable): the API objects are saved into the data dir first.
   */
  public void powerCut() {
    hostLock.lock();
    try {
      stopOperator();
      stopKubelet();
      if (microshiftActive && real != null) {
        real.stop();
      } else if (microshiftActive) {
        api.dump(apiObjectsFile());
      }
      etcd.kill();
      microshiftActive(false);
      if (opts.ostree) {
        commands.dropPendingDeployment();
        commands.shutdownDropsLockedStaged(); // the lock is in /run
        rebootRequested = false;
      }
      newBootId();
      boots++;
      log("power cut; boot " + boots);
      if (!bootUnit()) {
        return;
      }
      startMicroShift(true);
      startOperator();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      hostLock.unlock();
    }
    lastRequestSeen = "";
  }

  /**
   * greenboot on this boot: required.d (MicroShift's own check, simulated: MicroShift active and
   * its version not broken; then our {@code 50_microshift_update_check.sh}), stopping at the first
   * failure; then green.d or red.d. A failure counts a boot attempt; after
   * GREENBOOT_MAX_BOOT_ATTEMPTS the next {@link #reboot()} boots the previous deployment.
   */
  public GreenbootResult greenbootRun() {
    StringBuilder out = new StringBuilder();
    String why = null;
    if (!microshiftActive) {
      why = "40_microshift_running_check.sh: microshift.service is not active";
    } else if (opts.broken.contains(bootedVersion()) || brokenRunLeft(bootedVersion())) {
      why = "40_microshift_running_check.sh: MicroShift " + bootedVersion()
          + " core pods not ready (openshift-ovn-kubernetes/ovnkube-master CrashLoopBackOff)";
    }
    boolean healthy;
    if (why != null) {
      out.append("FAIL: ").append(why).append('\n');
      healthy = false;
    } else {
      healthy = script("required.d/50_microshift_update_check.sh", out) == 0;
    }
    if (healthy) {
      script("green.d/50_microshift_update_green.sh", out);
      failedAttempts = 0;
      if (opts.greenbootRs) {
        // greenboot-rs src/main.rs health_check (Ok) and src/lib/grub.rs set_boot_status(true):
        // boot_success=1, boot_counter and greenboot_next_deployment_id unset
        grubBootSuccess = true;
        grubBootCounter = null;
        grubNextDeploymentId = null;
      }
    } else {
      script("red.d/50_microshift_update_red.sh", out);
      failedAttempts++;
      if (opts.greenbootRs) {
        greenbootRsAfterFailure(out);
      } else if (opts.ostree && failedAttempts >= opts.maxBootAttempts) {
        fallbackNext = true;
      }
    }
    agentOut.print(out);
    log("greenboot: " + (healthy ? "healthy (green.d ran)" : "FAILED (red.d ran), boot attempt " + failedAttempts
        + " of " + opts.maxBootAttempts + (fallbackNext ? "; the next boot falls back to the previous deployment" : ""))
        + (why != null ? " - " + why : ""));
    return new GreenbootResult(healthy, failedAttempts, fallbackNext, out.toString());
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
      if (r.healthy() || !opts.ostree) {
        return made;
      }
    }
  }

  /**
   * greenboot-rs after a failed health check, red.d having run (src/main.rs health_check, the Err
   * branch; src/lib/handler.rs handle_reboot and handle_rollback): no counter yet (the first
   * failure) sets boot_counter to GREENBOOT_MAX_BOOT_ATTEMPTS and reboots; a counter above 0
   * reboots (grub decrements it); a counter at 0 with the rollback trigger set runs
   * {@code rpm-ostree rollback} on this failing boot, unsets both and reboots into the previous
   * deployment; without the trigger (not an ostree host: greenboot-set-rollback-trigger.service
   * has ConditionPathExists=/run/ostree-booted) it refuses: "Manual intervention required".
   */
  private void greenbootRsAfterFailure(StringBuilder out) {
    grubBootSuccess = false;
    if (grubBootCounter == null) {
      grubBootCounter = opts.maxBootAttempts;
      out.append("greenboot-rs: First health check failure, setting boot counter to ").append(grubBootCounter).append('\n');
    } else if (grubBootCounter > 0) {
      out.append("greenboot-rs: Boot counter is ").append(grubBootCounter).append(", rebooting to try again\n");
    } else if (grubNextDeploymentId != null) {
      out.append("greenboot-rs: Boot counter exhausted and next-deployment-id is set - initiating rollback\n"
          + "greenboot-rs: " + (opts.image ? "bootc" : "rpm-ostree") + " rollback\ngreenboot-rs: Rollback successful\n");
      greenbootRollback(); // from this failing boot itself: the previous deployment is the default now
      fallbackNext = true;
      grubBootCounter = null;
      grubNextDeploymentId = null;
    } else {
      out.append("greenboot-rs: Boot counter exhausted but no next-deployment-id set - manual intervention required\n");
    }
  }

  /**
   * grub's 08_greenboot.cfg at boot (the same file in greenboot and greenboot-rs): with boot_counter
   * set and boot_success=0 it decrements the counter (at 0 or -1 it boots entry 1 and sets -1,
   * reached under greenboot-rs only when its rollback failed); then boot_success=0 for this boot.
   */
  private void grubCountdown() {
    if (grubBootCounter != null && !grubBootSuccess) {
      if (grubBootCounter <= 0) {
        grubBootCounter = -1;
        // "set default=1": the second boot entry, ostree's rollback deployment, if there is one
        List<OstreeSysroot.Deployment> entries = opts.ostree ? sysroot.deployments() : List.of();
        if (entries.size() > 1) {
          rollbackDeployment = entries.get(1).checksum();
          fallbackNext = true;
        }
      } else {
        grubBootCounter--;
      }
    }
    grubBootSuccess = false;
  }

  /** grub's {@code boot_counter} under greenboot-rs (empty: unset; always empty under the bash greenboot here). */
  public Optional<Integer> grubBootCounter() {
    return Optional.ofNullable(grubBootCounter);
  }

  /**
   * From now on the agent's jar is broken (every verb, in-process or as the greenboot scripts' JVM,
   * fails as {@code java -jar} does on a corrupt jar). With no update in flight nothing may fail.
   */
  public void breakAgentJar() {
    agentBroken = true;
    try {
      write(simDir.resolve("bin/microshift-update"), "#!/bin/bash\necho '" + BROKEN_JAR_ERROR + "' >&2\nexit 1\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String BROKEN_JAR_ERROR = "Error: Invalid or corrupt jarfile /usr/share/microshift-update/microshift-update.jar";

  private boolean brokenRunLeft(String version) {
    synchronized (opts.brokenRuns) {
      int left = opts.brokenRuns.getOrDefault(version, 0);
      if (left <= 0) {
        return false;
      }
      opts.brokenRuns.put(version, left - 1);
      return true;
    }
  }

  /** The greenboot verbs halted at {@link Options#greenbootCrashAt} (once per device). */
  public boolean greenbootCrashed() {
    return Files.exists(simDir.resolve("greenboot-crashed"));
  }

  private int script(String name, StringBuilder out) {
    Path script = opts.repo.resolve("src/host/greenboot").resolve(name);
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("MICROSHIFT_UPDATE_BIN", simDir.resolve("bin/microshift-update").toString());
    pb.environment().put("MICROSHIFT_UPDATE_STATE_DIR", paths.stateDir().toString());
    pb.environment().put("PATH", simDir.resolve("bin") + ":" + System.getenv("PATH"));
    try {
      Process p = pb.start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not finish");
      }
      out.append("$ ").append(name).append(" (exit ").append(p.exitValue()).append(")\n").append(text);
      return p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
      Files.writeString(simDir.resolve("rpm-microshift-version"), opts.version);
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void newBootId() throws IOException {
    Files.writeString(paths.bootIdFile(), UUID.randomUUID() + "\n");
  }

  private final class Services implements FakeHostCommands.Services {
    @Override public boolean microshiftActive() { return microshiftActive; }

    @Override public void stopMicroShift() { SimulatedDevice.this.stopMicroShift(); }

    @Override public void startMicroShift() { SimulatedDevice.this.startMicroShift(false); }

    @Override public void rebootRequested() {
      rebootRequested = true;
      failedAttempts = 0;
      if (opts.ostree) {
        rollbackDeployment = bootedChecksum();
      }
      if (opts.greenbootRs && opts.ostree && !sysroot.deployments().get(0).checksum().equals(bootedChecksum())) {
        // greenboot-set-rollback-trigger.service (ExecStop at shutdown, RequiredBy
        // ostree-finalize-staged.service): greenboot_next_deployment_id = the staged deployment;
        // no boot_counter (greenboot-rs has no greenboot-grub2-set-counter)
        grubNextDeploymentId = sysroot.deployments().get(0).checksum();
      }
      log("host agent requested a reboot (" + hostStatus().map(s -> s.state().toString()).orElse("?") + ")");
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
      log("dnf installed " + String.join(" ", packages));
    }

    @Override public OstreeSysroot sysroot() { return sysroot; }

    @Override public String bootedChecksum() { return SimulatedDevice.this.bootedChecksum(); }
  }

  private void log(String line) {
    opts.log.println("  [device] " + line);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    stopOperator();
    stopKubelet();
    try {
      pathUnit.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (real != null) {
      real.close();
    }
    etcd.close();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
    kube.close();
    if (api != null) {
      api.close();
    }
    if (sysroot != null) {
      sysroot.unlock();
    }
    FileTrees.delete(root);
  }

  /** Writes to memory and appends to a file. */
  private static final class TeeStream extends OutputStream {
    private final ByteArrayOutputStream mem;
    private final Path file;

    TeeStream(ByteArrayOutputStream mem, Path file) {
      this.mem = mem;
      this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      synchronized (mem) {
        mem.write(b, off, len);
      }
      Files.createDirectories(file.getParent());
      try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        o.write(b, off, len);
      }
    }
  }
}
