package io.microshift.update.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.microshift.update.backup.FileTrees;
import io.microshift.update.version.MicroShiftVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The host's boundaries that cannot run here, faced by the host agent's {@link CommandRunner}:
 * the one fake of the host tests ({@link TestHost}) and the simulated device. {@code cp} runs for
 * real; {@code sync} is recorded only; rpm-ostree deploys for real into the ostree sysroot with
 * {@code ostree admin deploy}; {@code microshift backup/restore} (when the installed MicroShift has
 * those verbs) copy for real. What differs between a test host and a device (the MicroShift
 * service, the reboot, the installed packages, the booted deployment) is behind {@link Services}.
 * Every argv is recorded, in order; a command the fake does not know is recorded as unexpected.
 */
public final class FakeHostCommands implements CommandRunner {
  /** What the host does for the MicroShift service, the reboot and the packages. */
  public interface Services {
    boolean microshiftActive();

    void stopMicroShift();

    void startMicroShift();

    /** {@code systemctl reboot}: the reboot is requested (the test or device boots later). */
    void rebootRequested();

    /** The installed microshift rpm's version (rpm hosts), or null. */
    String installedPackageVersion();

    /** {@code dnf install -y PACKAGES} (not {@code --downloadonly}). */
    void installPackages(List<String> packages);

    /** The host's ostree sysroot, or null on an rpm host. */
    OstreeSysroot sysroot();

    /** The checksum of the booted ostree deployment. */
    String bootedChecksum();
  }

  /** What a command the fake does not know does, besides being recorded. */
  public enum OnUnexpected {
    /** Throws {@link AssertionError}: the test fails where the command was issued. */
    THROW,
    /** Exits 127 as a missing command would; the test checks {@link #unexpected()}. */
    EXIT_127
  }

  private final Services services;
  private final HostPaths paths;
  private final OnUnexpected onUnexpected;
  private final ProcessCommandRunner real = new ProcessCommandRunner();
  private final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
  private final List<List<String>> unexpected = Collections.synchronizedList(new ArrayList<>());
  private volatile String failNextCopy;
  private volatile boolean failStaging;
  private volatile java.time.Duration download = java.time.Duration.ZERO;
  private final List<Staging> stagings = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean microshiftHasBackupVerbs;
  private volatile int etcdScopeLingers;
  private volatile boolean etcdScopeStuck;
  private volatile int etcdScopeStopPollsLeft;
  private volatile boolean wasActive = true;
  private volatile RpmOstree.UpdateDriver updateDriver;
  private volatile boolean layered;
  private volatile String bootedImage;
  /**
   * The staged deployment's finalization lock: ostree's {@code locked} key of
   * /run/ostree/staged-deployment, or the legacy lock file /run/ostree/staged-deployment-locked
   * (see {@link #legacyFinalizationLockFile}); /run is a tmpfs, so no boot keeps it.
   */
  private volatile boolean finalizationLocked;
  /**
   * grub's environment block /boot/grub2/grubenv, as {@code grub2-editenv FILE list} prints it;
   * greenboot-rs sets its variables (the simulated device's SimGreenboot), the agent only reads.
   */
  private final java.util.Map<String, String> grubenv = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  /**
   * logind's inhibitor locks, as {@code ListInhibitors} lists them (systemd src/login/logind-dbus.c
   * {@code method_list_inhibitors}: what, who, why, mode, uid, pid); see {@link #inhibitorLock}.
   */
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<ShutdownInhibitors.Lock> inhibitors = Collections.synchronizedList(new ArrayList<>());
  private volatile String inhibitorReply;
  /** rpm-ostree before v2024.6: --lock-finalization touches the legacy lock file, which status --json reports. */
  private volatile boolean legacyFinalizationLockFile;
  /** The deployment rpm-ostree or bootc staged, and the boot it was staged on (a reboot finalizes or drops it). */
  private volatile String stagedChecksum;
  private volatile String stagedOnBoot;
  private final java.util.Map<String, String> baseOf = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile FakeDnf dnf;
  /** /boot is mounted read-only ({@link #bootReadOnly(boolean)}). */
  private volatile boolean bootReadOnly;
  /** The bash greenboot's units ({@link #bashGreenboot}), or null: none installed. */
  private volatile FakeBashGreenboot bashGreenboot;
  private volatile String microshiftCheckFails;
  private final FakeBootc bootc;

  public FakeHostCommands(Services services, HostPaths paths, OnUnexpected onUnexpected) {
    this.services = services;
    this.paths = paths;
    this.onUnexpected = onUnexpected;
    this.bootc = new FakeBootc(this, services);
  }

  /** The fake bootc and its registry of images (image-mode hosts). */
  public FakeBootc bootc() {
    return bootc;
  }

  boolean stagingFails() {
    return failStaging;
  }

  /** Sets or clears /run/ostree/staged-deployment-locked (bootc's download-only, as rpm-ostree's --lock-finalization). */
  void lockFinalization(boolean locked) {
    finalizationLocked = locked;
  }

  /**
   * The next data copy ({@code cp}, or the one inside {@code microshift backup}) fails as on a full disk: it copies (the destination is left partial, as
   * far as the agent can tell) and exits 1 with {@code stderr}.
   */
  public void failNextCopy(String stderr) {
    failNextCopy = stderr;
  }

  /**
   * Each staging command takes {@code d} before it stages, the download of the target, for the
   * benchmark of the workloads' downtime (hack/bench.d/workload-downtime): {@code rpm-ostree
   * rebase/deploy} (rpm-ostree pulls the commit before it writes the deployment), {@code dnf install
   * --downloadonly} (host/Dnf's Prepare: dnf downloads the packages, installs nothing) and
   * {@code bootc switch IMAGE} / {@code bootc upgrade --download-only} (host/Bootc: bootc pulls the
   * image, then stages it). Each one that exits 0 is recorded in {@link #stagings}.
   */
  public void downloadTakes(java.time.Duration d) {
    download = d;
  }

  /** One staging command (see {@link #downloadTakes}) that staged: when it started and when it ended (System.nanoTime). */
  public record Staging(long startNanos, long endNanos) {}

  /** The rebase/deploy runs that staged, in order. */
  public List<Staging> stagings() {
    synchronized (stagings) {
      return List.copyOf(stagings);
    }
  }

  /** Staging fails: {@code rpm-ostree rebase/deploy} and {@code dnf install} exit 1. */
  public void failStaging(boolean fail) {
    failStaging = fail;
  }

  /**
   * After {@code systemctl stop microshift.service}, {@code microshift-etcd.scope} reports
   * {@code deactivating} for this many {@code systemctl show} queries before it is inactive: MicroShift
   * runs etcd in a transient scope that stops asynchronously after the service.
   */
  public void etcdScopeLingers(int queries) {
    etcdScopeLingers = queries;
  }

  /** {@code microshift-etcd.scope} never stops (etcd hangs on shutdown). */
  public void etcdScopeStuck(boolean stuck) {
    etcdScopeStuck = stuck;
  }

  /** An rpm-ostree update driver is registered (null: none), as {@code rpm-ostree deploy --register-driver} leaves it. */
  public void updateDriver(String name, String unit) {
    updateDriver = name == null ? null : new RpmOstree.UpdateDriver(name, unit);
  }

  /**
   * A layered host: packages are installed on top of every deployment, so each deployment's
   * checksum is a local commit and its repository commit is {@code base-checksum}. Existing
   * deployments are not changed: call before the first deployment, or use {@link #layer}.
   */
  public void layered(boolean on) {
    layered = on;
  }

  /**
   * The host boots a bootc container image ({@code ref}, null: an ostree commit): its booted
   * deployment has a container-image-reference and no origin (rpmostreed-deployment-utils.cxx,
   * {@code RefspecType::Container}).
   */
  public void bootedImage(String ref) {
    bootedImage = ref;
  }

  /**
   * Whether the staged deployment's finalization is locked by {@code rebase}/{@code deploy
   * --lock-finalization}. Since rpm-ostree v2024.6 (coreos/rpm-ostree 37c7228d; v2026.2 read):
   * src/daemon/rpmostree-sysroot-upgrader.cxx stages with {@code OstreeSysrootDeployTreeOpts.locked},
   * ostree records it as the {@code locked} key of /run/ostree/staged-deployment
   * (ostreedev/ostree src/libostree/ostree-sysroot-deploy.c, {@code
   * ostree_sysroot_stage_tree_with_options}) and makes no lock file, so rpm-ostree's status --json
   * does not report it (rust/src/daemon.rs, {@code deployment_populate_variant}, which checks the
   * file only) while {@code ostree admin status} does. {@link #legacyFinalizationLockFile} plays
   * the rpm-ostree before that, which touched /run/ostree/staged-deployment-locked.
   */
  public boolean finalizationLocked() {
    return finalizationLocked;
  }

  /** grub's environment block (greenboot-rs's variables), mutable: the simulated greenboot-rs and grub write it. */
  public java.util.Map<String, String> grubenv() {
    return grubenv;
  }

  /** /boot mounted read-only, as on hosts where greenboot remounts it to write grubenv; a {@code mount -o remount,rw /boot} clears it. */
  public void bootReadOnly(boolean readOnly) {
    bootReadOnly = readOnly;
  }

  /** rpm-ostree before v2024.6: the lock is the legacy file, reported by status --json and not by ostree admin status. */
  public void legacyFinalizationLockFile(boolean legacy) {
    legacyFinalizationLockFile = legacy;
  }

  /**
   * The staged deployment (rpm-ostree's or bootc's: ostree stages one at a time): staged on this
   * boot and still the default; a shutdown finalizes it into an ordinary deployment or drops it.
   * Null when there is none.
   */
  String stagedDeployment() {
    String s = stagedChecksum;
    OstreeSysroot sysroot = services.sysroot();
    List<OstreeSysroot.Deployment> ds = sysroot == null ? List.of() : sysroot.deployments();
    return s != null && !ds.isEmpty() && ds.get(0).checksum().equals(s) && !s.equals(services.bootedChecksum())
        && currentBootId().equals(stagedOnBoot) ? s : null;
  }

  /** Records {@code checksum}, just deployed as the default, as the staged deployment of this boot (null: none). */
  void staged(String checksum) {
    stagedChecksum = checksum;
    stagedOnBoot = currentBootId();
    FakeBashGreenboot g = bashGreenboot;
    if (checksum != null && g != null) {
      g.finalizeStagedServiceStarted();
    }
  }

  /**
   * Installs the bash greenboot's units (GREENBOOT_MAX_BOOT_ATTEMPTS {@code maxBootAttempts}): its
   * set-counter unit file, and systemctl's answers for them ({@link FakeBashGreenboot}); every
   * staging from now on arms grub's boot counter. Returns the model, for the test to drive.
   */
  public FakeBashGreenboot bashGreenboot(int maxBootAttempts) {
    FakeBashGreenboot g = new FakeBashGreenboot(grubenv, paths, maxBootAttempts, this::currentBootId);
    bashGreenboot = g;
    return g;
  }

  /**
   * What a shutdown does with the staged deployment when its finalization is locked: ostree's
   * ostree-finalize-staged.service does not write it out (the lock file, _OSTREE_SYSROOT_RUNSTATE_
   * STAGED_LOCKED, is checked by ostree's {@code _ostree_sysroot_finalize_staged}), so the old
   * deployment boots and the staged one, kept only in /run, is gone. Returns whether it was locked.
   * The lock itself is in /run: no boot keeps it.
   */
  public boolean shutdownDropsLockedStaged() {
    boolean locked = finalizationLocked;
    if (locked) {
      dropPendingDeployment();
    }
    finalizationLocked = false;
    return locked;
  }

  /** The checksums of the ostree deployments in boot order (the first is the default for the next boot). */
  public List<String> rpmOstreeDeployments() {
    return services.sysroot().deployments().stream().map(OstreeSysroot.Deployment::checksum).toList();
  }

  /** The repository commit a (possibly layered) deployment checksum was made from. */
  public String baseOf(String checksum) {
    return baseOf.getOrDefault(checksum, checksum);
  }

  /** Whether the installed MicroShift has the {@code backup} and {@code restore} verbs (default no). */
  public void microshiftHasBackupVerbs(boolean has) {
    microshiftHasBackupVerbs = has;
  }

  /**
   * This host's dnf and rpm database (rpm hosts). Without one, {@code rpm -q microshift} answers
   * {@link Services#installedPackageVersion()} and {@code dnf} is unknown (ostree hosts).
   */
  public void useDnf(FakeDnf d) {
    dnf = d;
  }

  public FakeDnf dnf() {
    return dnf;
  }

  /**
   * MicroShift's own greenboot check ({@code 40_microshift_running_check.sh}, run by the agent
   * after a restart) fails with {@code reason}; null: it passes while microshift.service is active.
   */
  public void microshiftCheckFails(String reason) {
    microshiftCheckFails = reason;
  }

  /**
   * A process takes an inhibitor lock ({@code systemd-inhibit --what=WHAT --mode=MODE}), as a
   * firmware update or a user session may: in mode {@code block} on shutdown, rpm-ostree
   * finalize-deployment refuses ({@code check_sd_inhibitor_locks}), and so do logind to root's
   * {@code systemctl reboot} (systemd 257 and later, {@code verify_shutdown_creds}) and bootc's
   * {@code --apply}, which reboots through {@code systemd-run systemctl reboot} and then waits to be
   * killed (crates/lib/src/reboot.rs): the fake calls that wait unexpected.
   */
  public void inhibitorLock(String what, String who, String why, String mode) {
    inhibitors.add(new ShutdownInhibitors.Lock(what, who, why, mode, 0, 4242));
  }

  /** busctl answers {@code raw} instead of the locks (a reply the agent cannot read); null: the locks again. */
  public void inhibitorReply(String raw) {
    inhibitorReply = raw;
  }

  /** Every lock is released. */
  public void releaseInhibitorLocks() {
    inhibitors.clear();
  }

  /** The first block-mode shutdown lock held, if any. */
  java.util.Optional<ShutdownInhibitors.Lock> shutdownBlocker() {
    synchronized (inhibitors) {
      return inhibitors.stream().filter(ShutdownInhibitors.Lock::blocksShutdown).findFirst();
    }
  }

  /** Every argv run, in order. */
  public List<List<String>> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public void clearCalls() {
    calls.clear();
  }

  /**
   * The argv the agent issued, without queries (status, is-active, systemctl show, rpm -q, logind's
   * inhibitors, grub2-editenv list, --help and --version probes).
   */
  public List<List<String>> actions() {
    return calls().stream().filter(c -> !(c.contains("status") && (c.get(0).equals("rpm-ostree") || c.get(0).equals("bootc")
            || c.get(0).equals("ostree")))
        && !c.contains("is-active") && !(c.get(0).equals("systemctl") && c.get(1).equals("show"))
        && !c.get(0).equals("rpm") && !c.get(0).equals("busctl") && !c.contains("--help") && !c.contains("--version")
        && !(c.get(0).equals("grub2-editenv") && c.contains("list")))
        .toList();
  }

  /** Commands the fake does not know (a test should expect none). */
  public List<List<String>> unexpected() {
    synchronized (unexpected) {
      return List.copyOf(unexpected);
    }
  }

  @Override
  public Result run(List<String> argv) {
    calls.add(List.copyOf(argv));
    String cmd = String.join(" ", argv);
    switch (argv.get(0)) {
      case "cp" -> {
        Result r = real.run(argv);
        String enospc = failNextCopy;
        if (enospc != null && r.exitCode() == 0) {
          failNextCopy = null;
          return new Result(1, "", enospc);
        }
        return r;
      }
      case "sync" -> {
        // recorded only: a power cut cannot be simulated below the file system, and a real
        // sync -f on a shared build machine only costs time
        return argv.size() == 3 && argv.get(1).equals("--file-system") && Files.exists(Path.of(argv.get(2)))
            ? ok() : new Result(1, "", "sync: error opening " + argv.get(argv.size() - 1));
      }
      case "systemctl" -> {
        switch (cmd) {
          case "systemctl is-active --quiet microshift.service" -> {
            return new Result(services.microshiftActive() ? 0 : 3, "", "");
          }
          case "systemctl show -p ActiveState --value microshift.service" -> {
            return new Result(0, (services.microshiftActive() ? "active" : "inactive") + "\n", "");
          }
          case "systemctl show -p ActiveState --value microshift-etcd.scope" -> {
            return new Result(0, etcdScopeState() + "\n", "");
          }
          case "systemctl stop microshift.service" -> {
            services.stopMicroShift();
            return ok();
          }
          case "systemctl start microshift.service" -> {
            services.startMicroShift();
            return ok();
          }
          case "systemctl restart microshift.service" -> {
            services.stopMicroShift();
            services.startMicroShift();
            return ok();
          }
          case "systemctl reboot" -> {
            if (shutdownBlocker().isPresent()) {
              // systemctl-logind.c logind_reboot, with logind's refusal (verify_shutdown_creds, systemd 257+)
              return new Result(1, "", "Call to reboot failed: Operation denied due to active block inhibitor\n");
            }
            services.rebootRequested();
            return ok();
          }
          default -> {
            FakeBashGreenboot g = bashGreenboot;
            Result r = g == null ? null : g.systemctl(argv);
            return r != null ? r : unknown(argv);
          }
        }
      }
      case "rpm" -> {
        FakeDnf d = dnf;
        if (d != null) {
          Result r = d.rpm(argv);
          return r == null ? unknown(argv) : r;
        }
        if (cmd.equals("rpm -q --queryformat %{VERSION} microshift")) {
          String v = services.installedPackageVersion();
          if (v == null && services.sysroot() != null && services.bootedChecksum() != null) {
            // rpm-ostree keeps the rpm database in each deployment (/usr/share/rpm; coreos/rpm-ostree
            // man/rpm-ostree.xml, Description): rpm -q answers for the booted one
            v = services.sysroot().microshiftVersion(services.bootedChecksum());
            // and prints the package's Version tag, which an official pre-release build has as
            // 4.18.0~rc.2 (openshift/microshift scripts/release-notes/gen_gh_releases_from_mirror.py)
            v = v == null ? null : MicroShiftVersion.tryParse(v).map(MicroShiftVersion::rpmVersion).orElse(v);
          }
          return v == null ? new Result(1, "package microshift is not installed\n", "") : new Result(0, v, "");
        }
        return unknown(argv);
      }
      case "dnf" -> {
        return dnf(argv);
      }
      case "/etc/greenboot/check/required.d/40_microshift_running_check.sh" -> {
        // packaging/greenboot/microshift-running-check.sh: waits for MicroShift's health
        // (`microshift healthcheck` from 4.19, bash checks before); FAILURE and exit 1 otherwise
        String fails = microshiftCheckFails;
        if (argv.size() != 1) {
          return unknown(argv);
        }
        return fails == null && services.microshiftActive() ? new Result(0, "STARTED\nFINISHED\n", "")
            : new Result(1, "STARTED\n" + (fails != null ? fails : "microshift.service is not active") + "\nFAILURE\n", "");
      }
      case "microshift-cleanup-data" -> {
        return cleanupData(argv);
      }
      case "microshift" -> {
        return microshift(argv);
      }
      case "rpm-ostree" -> {
        return rpmOstree(argv);
      }
      case "bootc" -> {
        boolean stages = argv.equals(List.of("bootc", "upgrade", "--download-only"))
            || (argv.size() == 3 && argv.get(1).equals("switch"));
        return stages ? staging(argv, () -> bootc.run(argv)) : bootc.run(argv);
      }
      case "ostree" -> {
        return argv.equals(List.of("ostree", "admin", "status")) ? ostreeAdminStatus() : ostreeCat(argv);
      }
      case "busctl" -> {
        if (!argv.equals(ShutdownInhibitors.LIST_INHIBITORS)) {
          return unknown(argv);
        }
        String raw = inhibitorReply;
        if (raw != null) {
          return new Result(0, raw, "");
        }
        // busctl.c call with --json=short: {"type":SIGNATURE,"data":[VALUES]}, a struct as an array
        ObjectNode reply = JSON.createObjectNode().put("type", "a(ssssuu)");
        ArrayNode locks = reply.putArray("data").addArray();
        synchronized (inhibitors) {
          inhibitors.forEach(l -> locks.addArray().add(l.what()).add(l.who()).add(l.why()).add(l.mode()).add(l.uid())
              .add(l.pid()));
        }
        return new Result(0, reply + "\n", "");
      }
      case "mount" -> {
        // mount -o remount,rw /boot and mount -o remount,bind,ro /boot (greenboot-rs src/lib/mount.rs)
        if (argv.equals(List.of("mount", "-o", "remount,rw", "/boot"))) {
          bootReadOnly = false;
          return ok();
        }
        if (argv.equals(List.of("mount", "-o", "remount,bind,ro", "/boot"))) {
          bootReadOnly = true;
          return ok();
        }
        return unknown(argv);
      }
      case "grub2-editenv" -> {
        // grub2-editenv FILE unset NAME...: removes them (util/grub-editenv.c unset_variables);
        // on a read-only /boot it cannot write FILE.new
        if (argv.size() > 3 && argv.subList(0, 3).equals(List.of("grub2-editenv", "/boot/grub2/grubenv", "unset"))) {
          if (bootReadOnly) {
            return new Result(1, "", "grub2-editenv: error: cannot open `/boot/grub2/grubenv.new': Read-only file system.\n");
          }
          argv.subList(3, argv.size()).forEach(grubenv::remove);
          return ok();
        }
        // grub2-editenv FILE list: NAME=VALUE per line, in the block's order (grub-core/lib/envblk.c)
        if (!argv.equals(List.of("grub2-editenv", "/boot/grub2/grubenv", "list"))) {
          return unknown(argv);
        }
        StringBuilder out = new StringBuilder();
        synchronized (grubenv) {
          grubenv.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        }
        return new Result(0, out.toString(), "");
      }
      default -> {
        return unknown(argv);
      }
    }
  }

  /**
   * A staging command other than rpm-ostree's (which waits inside {@link #rpmOstree}): the download
   * ({@link #downloadTakes}), then {@code stage}; recorded in {@link #stagings} when it exits 0.
   */
  private Result staging(List<String> argv, java.util.function.Supplier<Result> stage) {
    long started = System.nanoTime();
    if (!download()) {
      return new Result(1, "", "error: interrupted while downloading for " + String.join(" ", argv) + "\n");
    }
    Result r = stage.get();
    if (r != null && r.exitCode() == 0) {
      stagings.add(new Staging(started, System.nanoTime()));
    }
    return r;
  }

  /** The download of a staging command ({@link #downloadTakes}); false when interrupted. */
  private boolean download() {
    if (download.isZero()) {
      return true;
    }
    try {
      Thread.sleep(download.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * {@code ostree cat --repo=REPO COMMIT PATH}, the one ostree command the agent runs
   * (TargetImagesCheck): the real ostree binary against the host's sysroot repository
   * (ostreedev/ostree src/ostree/ot-builtin-cat.c: prints the file of the commit, fails with
   * "No such file or directory" when the commit has none). Only on ostree hosts.
   */
  /**
   * {@code ostree admin status} on the booted host (ostreedev/ostree src/ostree/ot-admin-builtin-status.c,
   * {@code deployment_print_status}): one line per deployment in boot order, {@code "%c %s %s.%d%s"}
   * (a '*' on the booted one, the stateroot, checksum.serial, then " (finalization locked)" for a
   * staged deployment whose ostree metadata is locked, else " (staged)", " (pending)" or
   * " (rollback)"), each followed by its indented details.
   */
  private Result ostreeAdminStatus() {
    OstreeSysroot sysroot = services.sysroot();
    if (sysroot == null) {
      return new Result(1, "", "error: Not an ostree system\n");
    }
    String booted = services.bootedChecksum();
    String staged = stagedDeployment();
    List<OstreeSysroot.Deployment> ds = sysroot.deployments();
    int bootedAt = ds.stream().map(OstreeSysroot.Deployment::checksum).toList().indexOf(booted);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < ds.size(); i++) {
      OstreeSysroot.Deployment d = ds.get(i);
      String state = "";
      if (d.checksum().equals(staged)) {
        state = finalizationLocked && !legacyFinalizationLockFile ? " (finalization locked)" : " (staged)";
      } else if (bootedAt > 0 && i == 0) {
        state = " (pending)";
      } else if (bootedAt >= 0 && i == bootedAt + 1) {
        state = " (rollback)";
      }
      out.append(d.checksum().equals(booted) ? '*' : ' ').append(" rhel ").append(d.checksum()).append(".0")
          .append(state).append('\n').append("    origin refspec: ").append(d.origin()).append('\n');
    }
    return new Result(0, out.toString(), "");
  }

  private Result ostreeCat(List<String> argv) {
    if (services.sysroot() == null || argv.size() != 5 || !argv.get(1).equals("cat")
        || !argv.get(2).equals("--repo=" + services.sysroot().path().resolve("ostree/repo"))) {
      return unknown(argv);
    }
    return real.run(argv);
  }

  /**
   * {@code systemctl show -p ActiveState --value microshift-etcd.scope}: active with MicroShift;
   * after it stops, deactivating for {@link #etcdScopeLingers} queries (or for ever when stuck),
   * then inactive. systemd reports "inactive" for a unit it does not know, exit 0.
   */
  private synchronized String etcdScopeState() {
    boolean active = services.microshiftActive();
    if (active) {
      wasActive = true;
      return "active";
    }
    if (wasActive) {
      wasActive = false;
      etcdScopeStopPollsLeft = etcdScopeLingers;
    }
    if (etcdScopeStuck) {
      return "deactivating";
    }
    if (etcdScopeStopPollsLeft > 0) {
      etcdScopeStopPollsLeft--;
      return "deactivating";
    }
    return "inactive";
  }

  /**
   * dnf, as {@link FakeDnf} models it (the host's repositories and package set); a transaction
   * that changes microshift's version is passed on to {@link Services#installPackages}.
   */
  private Result dnf(List<String> argv) {
    FakeDnf d = dnf;
    if (d == null) {
      return unknown(argv);
    }
    boolean install = argv.size() > 1 && argv.get(1).equals("install");
    if (install && failStaging) {
      return new Result(1, "No match for argument: " + argv.get(argv.size() - 1) + "\n",
          "Error: Unable to find a match: " + argv.get(argv.size() - 1) + "\n");
    }
    d.boot(currentBootId());
    String before = d.installedVersion("microshift");
    Result r = install && argv.contains("--downloadonly") ? staging(argv, () -> d.dnf(argv)) : d.dnf(argv);
    if (r == null) {
      return unknown(argv);
    }
    String after = d.installedVersion("microshift");
    if (after != null && !after.equals(before)) {
      services.installPackages(d.transactions().get(d.transactions().size() - 1));
    }
    return r;
  }

  private String currentBootId() {
    try {
      return Files.readString(paths.bootIdFile()).strip();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /**
   * openshift/microshift scripts/microshift-cleanup-data.sh with {@code --ovn}
   * ({@code stop_disable_services}, {@code clean_processes}, {@code clean_data}): stops
   * microshift and microshift-etcd, removes the OVN runtime state and CNI config, keeps
   * /var/lib/microshift. No option is a usage error (exit 1); {@code --all} asks on the terminal,
   * which the agent and the procedures never use.
   */
  private Result cleanupData(List<String> argv) {
    if (argv.size() == 1) {
      return new Result(1, "Error: Either --all, --ovn or --cert option must be specified\n", "");
    }
    if (!argv.equals(List.of("microshift-cleanup-data", "--ovn"))) {
      return unknown(argv);
    }
    services.stopMicroShift();
    for (String p : List.of("/var/run/ovn", "/var/run/ovn-kubernetes", "/etc/cni/net.d/10-ovn-kubernetes.conf",
        "/run/cni/bin/ovn-k8s-cni-overlay")) {
      FileTrees.delete(paths.host(p));
    }
    return new Result(0, "Stopping MicroShift services\nKilling conmon, pause and OVN processes\n"
        + "Removing OVN configuration\nMicroShift service was stopped\nCleanup succeeded\n", "");
  }

  /** The MicroShift version a {@code dnf install} of {@code packages} installs (microshift-VERSION). */
  public static String microshiftVersion(List<String> packages) {
    return packages.stream().filter(p -> p.startsWith("microshift-") && Character.isDigit(p.charAt(11)))
        .map(p -> p.substring("microshift-".length())).findFirst().orElseThrow();
  }

  /**
   * {@code microshift backup|restore PATH} as MicroShift 4.14+ does them (openshift/microshift
   * pkg/cmd/admin.go and pkg/admin/data/data_manager.go; the same in release-4.14 to main):
   * <ul>
   *   <li>both refuse unless microshift.service and microshift-etcd.scope are inactive or failed
   *       ({@code servicesShouldBeInactive}, the same {@code systemctl show} query);</li>
   *   <li>backup refuses an existing PATH, creates its parent, copies the data dir into a temp
   *       dir beside PATH with cp and renames it ({@code checkPathExistence}, {@code Backup},
   *       {@code AtomicDirCopy});</li>
   *   <li>restore refuses a missing PATH and a PATH without certs, etcd, kubelet-plugins,
   *       resources and version ({@code isMicroShiftBackup}); renames the live data dir to
   *       {@code .saved} and fails when that rename fails (no live dir, or a non-empty .saved);
   *       copies PATH into place; on a copy failure puts .saved back; on success deletes .saved
   *       ({@code Restore}).</li>
   * </ul>
   */
  private Result microshift(List<String> argv) {
    if (argv.size() == 3 && argv.get(2).equals("--help")) {
      return microshiftHasBackupVerbs ? ok()
          : new Result(1, "", "Error: unknown command \"" + argv.get(1) + "\" for \"microshift\"");
    }
    if (!microshiftHasBackupVerbs || argv.size() != 3) {
      return unknown(argv);
    }
    for (String unit : List.of("microshift.service", "microshift-etcd.scope")) {
      String state = unit.equals("microshift.service") ? (services.microshiftActive() ? "active" : "inactive")
          : etcdScopeState();
      if (!state.equals("inactive") && !state.equals("failed")) {
        return new Result(1, "", "Error: MicroShift must be stopped before creating or restoring backup (\""
            + unit + "\" is \"" + state + "\", should be \"inactive\" or \"failed\")\n");
      }
    }
    Path path = Path.of(argv.get(2));
    Path data = paths.microshiftData();
    switch (argv.get(1)) {
      case "backup" -> {
        if (Files.exists(path)) {
          return new Result(1, "", "Error: expected \"" + path + "\" to not exist\n");
        }
        try {
          Files.createDirectories(path.getParent());
        } catch (java.io.IOException e) {
          return new Result(1, "", "Error: failed to create backup storage directory: " + e.getMessage() + "\n");
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp.sim");
        Result r = real.run(List.of("cp", "--recursive", "--no-target-directory", "--preserve", "--reflink=auto",
            data.toString(), tmp.toString()));
        String enospc = failNextCopy;
        if (enospc != null && r.ok()) {
          failNextCopy = null; // the copy runs out of space: AtomicDirCopy removes its intermediate copy
          r = new Result(1, "", enospc);
        }
        if (!r.ok()) {
          FileTrees.delete(tmp);
          return new Result(1, "", "Error: failed to copy \"" + data + "\" to \"" + tmp + "\": exit status 1\n" + r.stderr());
        }
        DataCopier.rename(tmp, path);
        return new Result(0, path + "\n", "");
      }
      case "restore" -> {
        if (!Files.exists(path)) {
          return new Result(1, "", "Error: expected \"" + path + "\" to exist\n");
        }
        List<String> missing = DataRestorer.MICROSHIFT_BACKUP_CONTENT.stream()
            .filter(n -> !Files.exists(path.resolve(n))).toList();
        if (!missing.isEmpty()) {
          return new Result(1, "", "Error: \"" + path + "\" is not a valid MicroShift backup: following expected"
              + " subdirs are missing: " + String.join(", ", missing) + "\n");
        }
        Path saved = data.resolveSibling(data.getFileName() + ".saved");
        try {
          if (Files.isDirectory(saved) && FileTrees.isEmptyDir(saved)) {
            Files.delete(saved); // rename(2) replaces an empty directory
          }
          Files.move(data, saved); // os.Rename: ENOENT without a live dir, ENOTEMPTY onto a non-empty .saved
        } catch (java.io.IOException e) {
          return new Result(1, "", "Error: failed to rename existing data directory \"" + data + "\" to \""
              + saved + "\": " + e + "\n");
        }
        Path tmp = data.resolveSibling(data.getFileName() + ".tmp.sim");
        Result r = real.run(List.of("cp", "--recursive", "--no-target-directory", "--preserve", "--reflink=auto",
            path.toString(), tmp.toString()));
        if (!r.ok()) {
          FileTrees.delete(tmp);
          DataCopier.rename(saved, data);
          return new Result(1, "", "Error: failed to copy backup to data dir: " + r.stderr());
        }
        DataCopier.rename(tmp, data);
        FileTrees.delete(saved);
        return ok();
      }
      default -> {
        return unknown(argv);
      }
    }
  }

  /**
   * rpm-ostree as the agent uses it (coreos/rpm-ostree):
   * <ul>
   *   <li>{@code status --json}: deployments in boot order with checksum, origin, booted, and on a
   *       layered host base-checksum (src/daemon/rpmostreed-deployment-utils.cxx,
   *       {@code rpmostreed_deployment_generate_variant}); a top-level update-driver, null when
   *       none is registered (src/app/rpmostree-builtin-status.cxx);</li>
   *   <li>{@code rebase REF [REV]} and {@code deploy REV}: refused while an update driver is
   *       registered unless {@code --bypass-driver} is given (src/app/rpmostree-clientlib.cxx,
   *       {@code error_if_driver_registered}); a REF without a remote gets the booted origin's remote
   *       ({@code rpmostreed_refspec_parse_partial}); on a layered host the packages are layered
   *       again on top of the new base;</li>
   *   <li>{@code rollback}: the rollback deployment becomes the default, the default becomes the
   *       rollback (what greenboot's fallback runs);</li>
   *   <li>{@code cleanup --pending}: removes the pending deployment.</li>
   * </ul>
   */
  private Result rpmOstree(List<String> argv) {
    OstreeSysroot sysroot = services.sysroot();
    if (sysroot == null) {
      return unknown(argv);
    }
    switch (argv.get(1)) {
      case "status" -> {
        if (!argv.equals(List.of("rpm-ostree", "status", "--json"))) {
          return unknown(argv);
        }
        StringBuilder json = new StringBuilder("{\"deployments\":[");
        String booted = services.bootedChecksum();
        List<OstreeSysroot.Deployment> ds = sysroot.deployments();
        for (int i = 0; i < ds.size(); i++) {
          OstreeSysroot.Deployment d = ds.get(i);
          boolean isBooted = d.checksum().equals(booted);
          json.append(i == 0 ? "" : ",").append("{\"checksum\":\"").append(d.checksum()).append('"');
          String image = isBooted && bootedImage != null ? bootedImage : bootc.containerImageReference(d.checksum());
          if (image != null) {
            // rpmostreed-deployment-utils.cxx: a deployment of a container image has its reference, no origin
            json.append(",\"container-image-reference\":\"").append(image).append('"');
          } else {
            json.append(",\"origin\":\"").append(d.origin()).append('"');
          }
          boolean staged = d.checksum().equals(stagedDeployment());
          // rust/src/daemon.rs, deployment_populate_variant: "staged" is deployment.is_staged();
          // "finalization-locked" only while the legacy /run/ostree/staged-deployment-locked exists
          json.append(",\"booted\":").append(isBooted).append(",\"staged\":").append(staged);
          if (staged && finalizationLocked && legacyFinalizationLockFile) {
            json.append(",\"finalization-locked\":true");
          }
          if (baseOf.containsKey(d.checksum())) {
            json.append(",\"base-checksum\":\"").append(baseOf.get(d.checksum())).append('"');
          }
          json.append('}');
        }
        RpmOstree.UpdateDriver driver = updateDriver;
        json.append("],\"transaction\":null,\"cached-update\":null,\"update-driver\":");
        json.append(driver == null ? "null" : "{\"driver-name\":\"" + driver.name() + "\",\"driver-sd-unit\":\""
            + driver.unit() + "\"}");
        return new Result(0, json.append("}").toString(), "");
      }
      case "rebase", "deploy" -> {
        List<String> args = new ArrayList<>(argv.subList(2, argv.size()));
        boolean bypass = args.remove("--bypass-driver");
        boolean lock = args.remove("--lock-finalization");
        RpmOstree.UpdateDriver driver = updateDriver;
        if (driver != null && !bypass) {
          return new Result(1, "", "error: Updates and deployments are driven by " + driver.name() + " ("
              + driver.unit() + ")\nSee " + driver.name() + "'s documentation\nUse --bypass-driver to bypass "
              + driver.name() + " and perform the operation anyways\n");
        }
        if (args.isEmpty() || args.stream().anyMatch(a -> a.startsWith("-"))) {
          return unknown(argv);
        }
        if (failStaging) {
          return new Result(1, "", "error: No such branch");
        }
        // rebase REF [COMMIT]: COMMIT (default: REF's head) with origin REF as completed;
        // deploy COMMIT: COMMIT with the booted origin
        boolean rebase = argv.get(1).equals("rebase");
        if (args.size() > (rebase ? 2 : 1)) {
          return unknown(argv);
        }
        String origin = rebase ? RpmOstree.completedRefspec(args.get(0), bootedOrigin(sysroot)) : bootedOrigin(sysroot);
        String commit;
        try {
          commit = sysroot.resolve(rebase && args.size() == 1 ? origin : args.get(args.size() - 1));
        } catch (IllegalStateException e) {
          return new Result(1, "", "error: No such branch or commit: " + args.get(args.size() - 1) + "\n");
        }
        boolean pinnedRevision = !rebase || args.size() == 2;
        if (pinnedRevision && origin != null) {
          // src/daemon/rpmostreed-transaction-types.cxx apply_revision_override: a checksum
          // REVISION must be in the ref's history unless --skip-branch-check
          // (rpmostreed-utils.cxx rpmostreed_repo_lookup_checksum: "Checksum %s not found in %s");
          // the simulated remote is the local repository, so remote:ref is looked up as ref
          String local = origin.contains(":") ? origin.substring(origin.indexOf(':') + 1) : origin;
          if (!sysroot.history(local).contains(commit)) {
            return new Result(1, "", "error: Checksum " + commit + " not found in " + origin + "\n");
          }
        }
        long started = System.nanoTime();
        if (!download()) {
          return new Result(1, "", "error: interrupted while pulling " + commit + "\n");
        }
        if (stagedDeployment() != null) {
          dropPendingDeployment(); // ostree stages one deployment at a time: a new one replaces it
        }
        finalizationLocked = lock;
        Result staged = deploy(sysroot, commit, origin);
        if (staged.exitCode() == 0) {
          stagings.add(new Staging(started, System.nanoTime()));
          staged(sysroot.deployments().get(0).checksum());
        }
        return staged;
      }
      case "rollback" -> {
        if (argv.size() != 2) {
          return unknown(argv);
        }
        return rollback();
      }
      case "finalize-deployment" -> {
        return finalizeDeployment(argv);
      }
      case "cleanup" -> {
        if (argv.equals(List.of("rpm-ostree", "cleanup", "--pending"))) {
          dropPendingDeployment();
          finalizationLocked = false;
          return ok();
        }
        return unknown(argv);
      }
      default -> {
        return unknown(argv);
      }
    }
  }

  /**
   * {@code rpm-ostree finalize-deployment CHECKSUM} (src/app/rpmostree-builtin-finalize-deployment.cxx;
   * src/daemon/rpmostreed-transaction-types.cxx, {@code finalize_deployment_transaction_execute}):
   * CHECKSUM is the staged deployment's BASE commit; refused with no staged deployment ("No pending
   * staged deployment found"), another base commit ("Expected staged base checksum X, but found Y"),
   * a deployment that is not locked ("Staged deployment already unlocked", unless
   * --allow-unlocked). Otherwise it removes the lock and reboots ({@code rpmostreed_daemon_reboot}).
   */
  private Result finalizeDeployment(List<String> argv) {
    List<String> args = new ArrayList<>(argv.subList(2, argv.size()));
    boolean allowUnlocked = args.remove("--allow-unlocked");
    if (args.size() != 1 || args.get(0).startsWith("-")) {
      return args.isEmpty() ? new Result(1, "", "error: Must provide expected CHECKSUM or --allow-missing-checksum\n")
          : unknown(argv);
    }
    String staged = stagedDeployment();
    if (staged == null) {
      return new Result(1, "", "error: No pending staged deployment found\n");
    }
    String base = baseOf(staged);
    if (!base.equals(args.get(0))) {
      return new Result(1, "", "error: Expected staged base checksum " + args.get(0) + ", but found " + base + "\n");
    }
    java.util.Optional<ShutdownInhibitors.Lock> blocker = shutdownBlocker();
    if (blocker.isPresent()) {
      // check_sd_inhibitor_locks, before the lock is changed: the deployment stays locked
      return new Result(1, "", "error: Reboot blocked by a systemd inhibitor lock in `block` mode\nHeld by: "
          + blocker.get().who() + "\nReason: " + blocker.get().why() + "\n");
    }
    if (!finalizationLocked && !allowUnlocked) {
      return new Result(1, "", "error: Staged deployment already unlocked\n");
    }
    finalizationLocked = false;
    services.rebootRequested();
    return ok();
  }

  private String bootedOrigin(OstreeSysroot sysroot) {
    String booted = services.bootedChecksum();
    return sysroot.deployments().stream().filter(d -> d.checksum().equals(booted)).map(OstreeSysroot.Deployment::origin)
        .findFirst().orElse(null);
  }

  /** Deploys {@code commit} with {@code origin}; on a layered host, a local commit with the layered packages on top of it. */
  public Result deploy(OstreeSysroot sysroot, String commit, String origin) {
    String deployed = commit;
    if (layered) {
      deployed = sysroot.layer(commit, "layered-packages");
      baseOf.put(deployed, commit);
    }
    return origin == null || origin.isEmpty() ? sysroot.deploy(deployed) : sysroot.deploy(deployed, origin);
  }

  /**
   * {@code rpm-ostree rollback} (coreos/rpm-ostree src/daemon/rpmostreed-transaction-types.cxx,
   * {@code rollback_transaction_execute}, with ostree's {@code ostree_sysroot_query_deployments_for}:
   * the pending deployment is the first one when it is not the booted one, the rollback deployment
   * the first after the booted one): "No rollback deployment found" with neither; "Staged
   * deployment (remove with cleanup -p)" when the pending one is staged; otherwise the rollback
   * deployment, or without one the booted deployment, moves to the top, the others keeping their
   * order ("Moving 'CHECKSUM.SERIAL' to be first deployment").
   */
  public Result rollback() {
    OstreeSysroot sysroot = services.sysroot();
    List<String> ds = sysroot.deployments().stream().map(OstreeSysroot.Deployment::checksum).toList();
    int booted = ds.indexOf(services.bootedChecksum());
    if (booted < 0) {
      return new Result(1, "", "error: Not currently booted into an OSTree system\n");
    }
    boolean pending = booted > 0;
    int rollback = booted + 1 < ds.size() ? booted + 1 : -1;
    if (rollback < 0 && !pending) {
      return new Result(1, "", "error: No rollback deployment found\n");
    }
    if (pending && ds.get(0).equals(stagedDeployment())) {
      return new Result(1, "", "error: Staged deployment (remove with cleanup -p)\n");
    }
    int first = rollback >= 0 ? rollback : booted;
    sysroot.moveToFirst(first);
    return new Result(0, "Moving '" + ds.get(first) + ".0' to be first deployment\n", "");
  }

  /**
   * {@code rpm-ostree cleanup --pending}, and what a power cut does to a staged deployment: the
   * default deployment is removed unless it is the booted one.
   */
  public void dropPendingDeployment() {
    OstreeSysroot sysroot = services.sysroot();
    List<OstreeSysroot.Deployment> ds = sysroot.deployments();
    if (!ds.isEmpty() && !ds.get(0).checksum().equals(services.bootedChecksum())) {
      sysroot.undeploy(0);
    }
  }

  private void realCheck(List<String> argv) {
    Result r = real.run(argv);
    if (!r.ok()) {
      throw new IllegalStateException(argv + " failed: " + r.stderr());
    }
  }

  private static Result ok() {
    return new Result(0, "", "");
  }

  Result unknown(List<String> argv) {
    unexpected.add(List.copyOf(argv));
    if (onUnexpected == OnUnexpected.THROW) {
      throw new AssertionError("unexpected command: " + argv);
    }
    return new Result(127, "", "simulated host: unexpected command " + argv);
  }
}
