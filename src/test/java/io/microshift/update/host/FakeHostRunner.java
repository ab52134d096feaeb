package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's boundaries that cannot run here: rpm-ostree (deploys for real into the test ostree
 * sysroot with {@code ostree admin deploy}), dnf, rpm, systemctl, microshift backup/restore.
 * {@code cp} and {@code sync} run for real. Records every argv the agent issues.
 */
final class FakeHostRunner implements CommandRunner {

  final TestHost host;
  final List<List<String>> calls = new ArrayList<>();
  private final ProcessCommandRunner real = new ProcessCommandRunner();

  boolean microshiftActive = true;
  boolean microshiftHasBackupVerbs = false;
  String installedPackageVersion;
  boolean rebootRequested = false;
  boolean failStaging = false;
  /** When set, cp copies and then fails with this message (a full disk). */
  String failCopy;

  FakeHostRunner(TestHost host) {
    this.host = host;
  }

  record OstreeDeployment(String checksum, String origin) {}

  /** Deployments of the test sysroot in boot order, from the real {@code ostree admin status}. */
  List<OstreeDeployment> ostreeDeployments() {
    return host.ostreeSysroot.deployments().stream().map(d -> new OstreeDeployment(d.checksum(), d.origin())).toList();
  }

  Result realCheck(List<String> argv) {
    Result r = real.run(argv);
    if (!r.ok()) {
      throw new IllegalStateException(argv + " failed: " + r.stderr());
    }
    return r;
  }

  @Override
  public Result run(List<String> argv) {
    calls.add(List.copyOf(argv));
    String cmd = String.join(" ", argv);
    switch (argv.get(0)) {
      case "cp" -> {
        Result r = real.run(argv);
        return failCopy != null ? new Result(1, "", failCopy) : r;
      }
      case "sync" -> {
        // recorded only: a power cut cannot be simulated below the file system, and a real
        // sync -f on a shared build machine only costs time
        return argv.size() == 3 && argv.get(1).equals("--file-system") && Files.exists(Path.of(argv.get(2))) ? ok()
            : new Result(1, "", "sync: error opening " + argv.get(argv.size() - 1));
      }
      case "rpm-ostree" -> {
        return rpmOstree(argv);
      }
      case "systemctl" -> {
        if (cmd.equals("systemctl is-active --quiet microshift.service")) {
          return new Result(microshiftActive ? 0 : 3, "", "");
        }
        if (cmd.equals("systemctl stop microshift.service")) {
          microshiftActive = false;
          return ok();
        }
        if (cmd.equals("systemctl start microshift.service")) {
          microshiftActive = true;
          return ok();
        }
        if (cmd.equals("systemctl reboot")) {
          rebootRequested = true;
          return ok();
        }
        return unknown(argv);
      }
      case "rpm" -> {
        if (cmd.equals("rpm -q --queryformat %{VERSION} microshift")) {
          return installedPackageVersion == null ? new Result(1, "package microshift is not installed\n", "")
              : new Result(0, installedPackageVersion, "");
        }
        return unknown(argv);
      }
      case "dnf" -> {
        if (argv.size() > 3 && argv.subList(0, 3).equals(List.of("dnf", "install", "-y"))) {
          if (failStaging) {
            return new Result(1, "", "Error: Unable to find a match: " + argv.get(argv.size() - 1));
          }
          if (!argv.get(3).equals("--downloadonly")) {
            String pkg = argv.stream().filter(p -> p.startsWith("microshift-")).findFirst().orElseThrow();
            installedPackageVersion = pkg.substring("microshift-".length()).split("-")[0];
          }
          return ok();
        }
        return unknown(argv);
      }
      case "microshift" -> {
        if (argv.size() == 3 && argv.get(2).equals("--help")) {
          return microshiftHasBackupVerbs ? ok() : new Result(1, "", "Error: unknown command \"" + argv.get(1) + "\"");
        }
        if (!microshiftHasBackupVerbs) {
          return unknown(argv);
        }
        if (microshiftActive) {
          return new Result(1, "", "MicroShift must be stopped");
        }
        if (argv.get(1).equals("backup")) {
          realCheck(List.of("cp", "--reflink=auto", "-a", host.paths.microshiftData().toString(), argv.get(2)));
          return ok();
        }
        if (argv.get(1).equals("restore")) {
          Path tmp = host.paths.host("/var/lib/microshift.ms-restore-tmp");
          FileTrees.delete(tmp);
          realCheck(List.of("cp", "--reflink=auto", "-a", argv.get(2), tmp.toString()));
          FileTrees.delete(host.paths.microshiftData());
          DataCopier.rename(tmp, host.paths.microshiftData());
          return ok();
        }
        return unknown(argv);
      }
      default -> {
        return unknown(argv);
      }
    }
  }

  private Result rpmOstree(List<String> argv) {
    String sub = argv.get(1);
    switch (sub) {
      case "status" -> {
        StringBuilder json = new StringBuilder("{\"deployments\":[");
        String booted = host.bootedChecksum();
        List<OstreeDeployment> ds = ostreeDeployments();
        for (int i = 0; i < ds.size(); i++) {
          OstreeDeployment d = ds.get(i);
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
        String what = argv.get(2);
        return host.ostreeSysroot.deploy(what);
      }
      case "cleanup" -> {
        if (argv.equals(List.of("rpm-ostree", "cleanup", "--pending"))) {
          host.dropPendingDeployment();
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

  private static Result unknown(List<String> argv) {
    throw new AssertionError("unexpected command: " + argv);
  }

  /** The argv the agent issued, without queries (status, is-active, rpm -q, --help probes). */
  List<List<String>> actions() {
    return calls.stream().filter(c -> !(c.contains("status") && c.get(0).equals("rpm-ostree"))
        && !c.contains("is-active") && !c.get(0).equals("rpm") && !c.contains("--help")).toList();
  }

  boolean fileExists(Path p) {
    return Files.exists(p);
  }
}
