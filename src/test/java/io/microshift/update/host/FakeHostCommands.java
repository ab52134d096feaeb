package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;
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
  private volatile boolean microshiftHasBackupVerbs;
  private volatile FakeDnf dnf;
  private volatile String microshiftCheckFails;

  public FakeHostCommands(Services services, HostPaths paths, OnUnexpected onUnexpected) {
    this.services = services;
    this.paths = paths;
    this.onUnexpected = onUnexpected;
  }

  /**
   * The next {@code cp} fails as on a full disk: it copies (the destination is left partial, as
   * far as the agent can tell) and exits 1 with {@code stderr}.
   */
  public void failNextCopy(String stderr) {
    failNextCopy = stderr;
  }

  /** Staging fails: {@code rpm-ostree rebase/deploy} and {@code dnf install} exit 1. */
  public void failStaging(boolean fail) {
    failStaging = fail;
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

  /** Every argv run, in order. */
  public List<List<String>> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public void clearCalls() {
    calls.clear();
  }

  /** The argv the agent issued, without queries (status, is-active, rpm -q, --help probes). */
  public List<List<String>> actions() {
    return calls().stream().filter(c -> !(c.contains("status") && c.get(0).equals("rpm-ostree"))
        && !c.contains("is-active") && !c.get(0).equals("rpm") && !c.contains("--help")).toList();
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
            services.rebootRequested();
            return ok();
          }
          default -> {
            return unknown(argv);
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
      default -> {
        return unknown(argv);
      }
    }
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
    Result r = d.dnf(argv);
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

  /** {@code microshift backup|restore DIR}: copies the data dir for real; MicroShift must be stopped. */
  private Result microshift(List<String> argv) {
    if (argv.size() == 3 && argv.get(2).equals("--help")) {
      return microshiftHasBackupVerbs ? ok()
          : new Result(1, "", "Error: unknown command \"" + argv.get(1) + "\" for \"microshift\"");
    }
    if (!microshiftHasBackupVerbs || argv.size() != 3) {
      return unknown(argv);
    }
    if (services.microshiftActive()) {
      return new Result(1, "", "MicroShift must be stopped");
    }
    switch (argv.get(1)) {
      case "backup" -> {
        realCheck(List.of("cp", "--reflink=auto", "-a", paths.microshiftData().toString(), argv.get(2)));
        return ok();
      }
      case "restore" -> {
        Path tmp = paths.host("/var/lib/microshift.ms-restore-tmp");
        FileTrees.delete(tmp);
        realCheck(List.of("cp", "--reflink=auto", "-a", argv.get(2), tmp.toString()));
        FileTrees.delete(paths.microshiftData());
        DataCopier.rename(tmp, paths.microshiftData());
        return ok();
      }
      default -> {
        return unknown(argv);
      }
    }
  }

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
          json.append(i == 0 ? "" : ",").append("{\"checksum\":\"").append(d.checksum())
              .append("\",\"origin\":\"").append(d.origin()).append("\",\"booted\":")
              .append(d.checksum().equals(booted)).append(",\"staged\":false}");
        }
        return new Result(0, json.append("]}").toString(), "");
      }
      case "rebase", "deploy" -> {
        if (failStaging) {
          return new Result(1, "", "error: No such branch");
        }
        // rebase REF [COMMIT] deploys REF (the tests' COMMIT is REF's head) so the origin is REF;
        // deploy COMMIT
        return sysroot.deploy(argv.get(2));
      }
      case "cleanup" -> {
        if (argv.equals(List.of("rpm-ostree", "cleanup", "--pending"))) {
          dropPendingDeployment();
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

  private Result unknown(List<String> argv) {
    unexpected.add(List.copyOf(argv));
    if (onUnexpected == OnUnexpected.THROW) {
      throw new AssertionError("unexpected command: " + argv);
    }
    return new Result(127, "", "simulated host: unexpected command " + argv);
  }
}
