package io.microshift.update.sim;

import io.microshift.update.host.CommandRunner;
import io.microshift.update.host.OstreeSysroot;
import io.microshift.update.host.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The commands the host agent runs on the simulated device: {@code cp} runs for real;
 * rpm-ostree deploys for real into the device's ostree sysroot; systemctl, dnf and rpm are played
 * by the device ({@code systemctl stop microshift.service} really stops etcd and saves the API
 * objects into the data dir). Anything else is refused and recorded as unexpected. Every argv is
 * recorded.
 */
public final class DeviceCommands implements CommandRunner {
  /** What the device does for the MicroShift service and the reboot. */
  public interface Services {
    boolean microshiftActive();

    void stopMicroShift();

    void startMicroShift();

    void rebootRequested();

    /** The installed microshift rpm's version (rpm hosts), or null. */
    String installedPackageVersion();

    void installPackages(List<String> packages);

    /** The device's ostree sysroot, or null on an rpm host. */
    OstreeSysroot sysroot();

    /** The checksum of the booted ostree deployment. */
    String bootedChecksum();

    /** {@code rpm-ostree cleanup --pending}: removes a staged deployment that has not booted. */
    void dropPendingDeployment();
  }

  private final Services services;
  private final ProcessCommandRunner real = new ProcessCommandRunner();
  private final List<List<String>> calls = Collections.synchronizedList(new ArrayList<>());
  private final List<List<String>> unexpected = Collections.synchronizedList(new ArrayList<>());

  public DeviceCommands(Services services) {
    this.services = services;
  }

  private volatile String failNextCopy;

  /**
   * The next {@code cp} fails as on a full disk: it copies (the destination is left partial, as
   * far as the agent can tell) and exits 1 with {@code stderr}.
   */
  public void failNextCopy(String stderr) {
    failNextCopy = stderr;
  }

  /** Every argv run, in order. */
  public List<List<String>> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** Commands the device does not know (a test should expect none). */
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
        if (cmd.equals("rpm -q --queryformat %{VERSION} microshift")) {
          String v = services.installedPackageVersion();
          return v == null ? new Result(1, "package microshift is not installed\n", "") : new Result(0, v, "");
        }
        return unknown(argv);
      }
      case "dnf" -> {
        if (argv.size() > 3 && argv.subList(0, 3).equals(List.of("dnf", "install", "-y"))) {
          if (!argv.get(3).equals("--downloadonly")) {
            services.installPackages(argv.subList(3, argv.size()));
          }
          return ok();
        }
        return unknown(argv);
      }
      case "microshift" -> {
        // the simulated MicroShift has no backup/restore verbs: the agent copies with cp
        if (argv.size() == 3 && argv.get(2).equals("--help")) {
          return new Result(1, "", "Error: unknown command \"" + argv.get(1) + "\" for \"microshift\"");
        }
        return unknown(argv);
      }
      case "rpm-ostree" -> {
        return rpmOstree(argv);
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
        // rebase REF [COMMIT] deploys COMMIT when given; deploy COMMIT
        return sysroot.deploy(argv.get(argv.size() - 1));
      }
      case "cleanup" -> {
        if (argv.equals(List.of("rpm-ostree", "cleanup", "--pending"))) {
          services.dropPendingDeployment();
          return ok();
        }
        return unknown(argv);
      }
      default -> {
        return unknown(argv);
      }
    }
  }

  private static Result ok() {
    return new Result(0, "", "");
  }

  private Result unknown(List<String> argv) {
    unexpected.add(List.copyOf(argv));
    return new Result(127, "", "simulated device: unexpected command " + argv);
  }
}
