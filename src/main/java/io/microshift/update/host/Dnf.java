package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Packages} through dnf and rpm on an rpm host (dnf 4, RHEL 9; dnf(8)). Every call names the exact package set and enables
 * the plan's repositories for that one transaction with {@code --enablerepo=ID} (the repository
 * configuration on the host is not changed). dnf exits 0 on success and 1 on an error it handled
 * (a spec with no match in the enabled repositories, packages that do not resolve, an unknown
 * repository id, a failed rpm transaction); the packages and repository ids reach it as argv
 * words, whitelisted by RequestValidator (never a leading '-'). The installed version comes from
 * {@code rpm -q --queryformat %{VERSION} NAME} (rpm(8): exit 1 and "package NAME is not
 * installed" without it).
 */
final class Dnf implements Packages {
  private final CommandRunner runner;

  Dnf(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * Resolves the package set and downloads it into dnf's cache; nothing is installed. dnf
   * resolves before it downloads, so a set that does not resolve fails here, before MicroShift
   * is stopped.
   */
  @Override
  public void resolveAndDownload(UpdateRequest.Target t) {
    run(argv(t, true), "the packages do not resolve");
  }

  /** Installs the package set (from the cache {@link #resolveAndDownload} filled). */
  @Override
  public void install(UpdateRequest.Target t) {
    run(argv(t, false), "dnf install failed");
  }

  /**
   * dnf-plugins-core's {@code dnf needs-restarting -r}: exit 0 means no core package (kernel,
   * glibc, linux-firmware, systemd, dbus, ...) was installed since the boot. Anything else (exit
   * 1 "Reboot is required", or the plugin missing: "No such command") means reboot.
   */
  @Override
  public boolean rebootNeeded() {
    return !runner.run(List.of("dnf", "needs-restarting", "-r")).ok();
  }

  @Override
  public Optional<String> installedVersion(String name) {
    CommandRunner.Result r = runner.run(List.of("rpm", "-q", "--queryformat", "%{VERSION}", name));
    String v = r.stdout().strip();
    return r.ok() && !v.isEmpty() ? Optional.of(v) : Optional.empty();
  }

  static List<String> argv(UpdateRequest.Target t, boolean downloadOnly) {
    List<String> argv = new ArrayList<>(List.of("dnf", "install", "-y"));
    if (downloadOnly) {
      argv.add("--downloadonly");
    }
    for (String repo : t.repositoriesOrEmpty()) {
      argv.add("--enablerepo=" + repo);
    }
    argv.addAll(t.packages());
    return argv;
  }

  private void run(List<String> argv, String what) {
    CommandRunner.Result r = runner.run(argv);
    if (!r.ok()) {
      throw new HostException(what + ": " + String.join(" ", argv) + " exited " + r.exitCode() + ": "
          + summary(r) + "; check spec.target.packages and spec.target.repositories (a y-stream needs"
          + " rhocp-4.Y-for-rhel-9-ARCH-rpms and fast-datapath-for-rhel-9-ARCH-rpms)");
    }
  }

  /** dnf's own reason: its "No match", "Problem", "Unknown repo" and "Error" lines. */
  static String summary(CommandRunner.Result r) {
    List<String> lines = new ArrayList<>();
    for (String l : (r.stdout() + "\n" + r.stderr()).split("\n")) {
      String s = l.strip();
      if (s.startsWith("No match for argument") || s.startsWith("Problem") || s.startsWith("- ")
          || (s.startsWith("Error") && !s.equals("Error:"))) {
        lines.add(s);
      }
    }
    if (lines.isEmpty()) {
      String t = r.stderr().strip();
      return t.isEmpty() ? "(no message)" : t.substring(t.lastIndexOf('\n') + 1);
    }
    String joined = String.join(" ", lines.subList(0, Math.min(lines.size(), 4)));
    return joined.length() > 600 ? joined.substring(0, 597) + "..." : joined;
  }
}
