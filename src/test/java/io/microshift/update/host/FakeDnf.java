package io.microshift.update.host;

import io.microshift.update.version.MicroShiftVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * dnf and rpm of an rpm host, as far as the host agent and the procedures use them: the enabled
 * and disabled repositories with the MicroShift packages they carry, the installed package set,
 * and the transactions. Where it models an upstream behaviour the comment names the source:
 * <ul>
 *   <li>dnf(8) (dnf 4, RHEL 9): options {@code -y}, {@code --downloadonly}, {@code --assumeno},
 *       {@code --enablerepo=<repoid>}; exit 0 success, 1 "an error occurred, which was handled
 *       by dnf"; an unknown option is an argparse error (exit 2); an unknown repo id in
 *       {@code --enablerepo} is "Error: Unknown repo: 'ID'"; a spec with no match in the enabled
 *       repos is "No match for argument" / "Error: Unable to find a match" (strict=True, the
 *       default) and nothing is done; a spec with an exact version installs that version,
 *       up or down ("dnf install tito-0.5.6-1.fc22 ... automatically try to downgrade or
 *       upgrade"); a glob installs every match.</li>
 *   <li>openshift/microshift packaging/rpm/microshift.spec (4.14 .. 4.20 alike): microshift
 *       {@code Requires: microshift-selinux = %{version}}, {@code microshift-networking =
 *       %{version}}, {@code microshift-greenboot = %{version}}; every subpackage {@code Requires:
 *       microshift = %{version}}; microshift-networking {@code Requires: (openvswitch3.5 or
 *       openvswitch >= 3.5)} (fast-datapath; 3.3 in 4.14-4.16). So the subpackages pin each
 *       other's exact version: naming two versions of the family does not resolve; an installed
 *       subpackage the transaction does not name is upgraded with microshift (libsolv updates
 *       installed packages to satisfy a dependency) but never downgraded (dnf 4 does not
 *       downgrade a dependency: "problem with installed package").</li>
 *   <li>dnf-plugins-core plugins/needs_restarting.py, {@code NeedsRestartingCommand.run} with
 *       {@code -r}: exit 1 when a package of {@code NEED_REBOOT} (kernel, kernel-rt, glibc,
 *       linux-firmware, systemd, dbus, dbus-broker, dbus-daemon) was installed after the boot,
 *       else 0.</li>
 *   <li>rpm: {@code rpm -q --queryformat %{VERSION} microshift} (exit 1 "package microshift is
 *       not installed"), {@code rpm -qa [--queryformat FMT] GLOB} lists exactly the installed
 *       packages whose name matches.</li>
 * </ul>
 * The transaction's rpm step happens only after resolution and download, and an rpm transaction
 * test failure (as on a full disk) changes nothing, as rpm's transaction check runs first.
 */
public final class FakeDnf {
  /** dnf-plugins-core needs_restarting.py {@code NEED_REBOOT}. */
  public static final List<String> NEED_REBOOT = List.of("kernel", "kernel-rt", "glibc", "linux-firmware",
      "systemd", "dbus", "dbus-broker", "dbus-daemon");
  /** The MicroShift subpackages microshift itself requires at its exact version (microshift.spec). */
  public static final List<String> REQUIRED_SUBPACKAGES = List.of("microshift-selinux", "microshift-networking",
      "microshift-greenboot");
  /** Optional subpackages every rhocp repository also carries (a glob installs them too). */
  public static final List<String> OPTIONAL_SUBPACKAGES = List.of("microshift-olm", "microshift-multus",
      "microshift-low-latency");
  public static final String FAST_DATAPATH = "fast-datapath-for-rhel-9-x86_64-rpms";
  public static final String BASEOS = "rhel-9-for-x86_64-baseos-rpms";
  static final String OVS = "openvswitch3.5";
  static final String RELEASE = "-1.el9.x86_64";

  /** The repository id MicroShift 4.Y comes from (openshift-docs: rhocp-4.Y-for-rhel-9-ARCH-rpms). */
  public static String rhocpRepo(String version) {
    MicroShiftVersion v = MicroShiftVersion.leading(version).orElseThrow();
    return "rhocp-" + v.major() + "." + v.minor() + "-for-rhel-9-x86_64-rpms";
  }

  private record Available(String name, String version, String repo) {}

  private final Map<String, Boolean> repos = new LinkedHashMap<>();
  private final List<Available> available = new ArrayList<>();
  private final Map<String, String> installed = new TreeMap<>();
  private final Set<String> changedSinceBoot = new LinkedHashSet<>();
  private final Set<String> downloaded = new LinkedHashSet<>();
  private final Map<String, List<String>> pullsIn = new LinkedHashMap<>();
  private final List<List<String>> transactions = new ArrayList<>();
  private String failNextTransaction;

  /**
   * A host with MicroShift {@code installedVersion} (microshift and its three required
   * subpackages) installed from its rhocp repository (enabled) and openvswitch from fast-datapath
   * (enabled); {@code published} versions are in their rhocp repositories, enabled only for the
   * installed minor (a y-stream's repository must be enabled for the transaction).
   */
  public static FakeDnf microshiftHost(String installedVersion, List<String> published) {
    FakeDnf d = new FakeDnf();
    d.repo(FAST_DATAPATH, true).repo(BASEOS, true);
    d.publish(FAST_DATAPATH, OVS, "3.5.0");
    for (String core : NEED_REBOOT) {
      d.publish(BASEOS, core, "1.0.2");
    }
    Set<String> versions = new LinkedHashSet<>();
    if (installedVersion != null) {
      versions.add(installedVersion);
    }
    versions.addAll(published);
    for (String v : versions) {
      String repo = rhocpRepo(v);
      if (!d.repos.containsKey(repo)) {
        d.repo(repo, installedVersion != null && repo.equals(rhocpRepo(installedVersion)));
      }
      d.publishMicroShift(v);
    }
    if (installedVersion != null) {
      String rpm = MicroShiftVersion.parse(installedVersion).rpmVersion();
      d.installed.put("microshift", rpm);
      REQUIRED_SUBPACKAGES.forEach(p -> d.installed.put(p, rpm));
      d.installed.put(OVS, "3.5.0");
      NEED_REBOOT.forEach(p -> d.installed.put(p, "1.0.1"));
    }
    return d;
  }

  public FakeDnf repo(String id, boolean enabled) {
    repos.put(id, enabled);
    return this;
  }

  /**
   * Every MicroShift package of the release {@code release} in its rhocp repository, at the rpm
   * Version an official build has: X.Y.Z, or X.Y.Z~SUFFIX for a pre-release, as the mirror's file
   * names show ({@code microshift-4.13.0~ec.4-202303070857.p0.gcf0bce2.assembly.ec.4.el9.aarch64.rpm}:
   * openshift/microshift scripts/release-notes/gen_gh_releases_from_mirror.py), with the subpackages
   * at that same {@code %{version}} (packaging/rpm/microshift.spec, {@code Version: %{version}}).
   */
  public FakeDnf publishMicroShift(String release) {
    String repo = rhocpRepo(release);
    String version = MicroShiftVersion.parse(release).rpmVersion();
    publish(repo, "microshift", version);
    REQUIRED_SUBPACKAGES.forEach(p -> publish(repo, p, version));
    OPTIONAL_SUBPACKAGES.forEach(p -> publish(repo, p, version));
    return this;
  }

  public FakeDnf publish(String repo, String name, String version) {
    available.add(new Available(name, version, repo));
    return this;
  }

  /** microshift {@code version} needs a newer {@code corePackage} (the transaction updates it too). */
  public FakeDnf pullsIn(String version, String corePackage) {
    pullsIn.computeIfAbsent(version, v -> new ArrayList<>()).add(corePackage);
    return this;
  }

  /** The next transaction fails in rpm's transaction test ({@code stderr}); nothing changes. */
  public void failNextTransaction(String stderr) {
    failNextTransaction = stderr;
  }

  /**
   * The current boot (needs-restarting compares install times with the boot time): a package
   * installed in an earlier boot no longer counts.
   */
  public synchronized void boot(String bootId) {
    if (!bootId.equals(this.bootId)) {
      this.bootId = bootId;
      changedSinceBoot.clear();
    }
  }

  private String bootId = "";

  public synchronized Map<String, String> installed() {
    return Map.copyOf(installed);
  }

  public synchronized String installedVersion(String name) {
    return installed.get(name);
  }

  /** The name-version of every package {@code --downloadonly} put in the cache. */
  public synchronized Set<String> downloaded() {
    return Set.copyOf(downloaded);
  }

  /** Each applied transaction's name-version list. */
  public synchronized List<List<String>> transactions() {
    return List.copyOf(transactions);
  }

  // ------------------------------------------------------------------ rpm

  public synchronized CommandRunner.Result rpm(List<String> argv) {
    if (argv.equals(List.of("rpm", "-q", "--queryformat", "%{VERSION}", "microshift"))) {
      String v = installed.get("microshift");
      return v == null ? new CommandRunner.Result(1, "package microshift is not installed\n", "")
          : new CommandRunner.Result(0, v, "");
    }
    if (argv.size() >= 3 && argv.get(1).equals("-qa")) {
      String format = null;
      List<String> globs = new ArrayList<>();
      for (int i = 2; i < argv.size(); i++) {
        if (argv.get(i).equals("--queryformat") && i + 1 < argv.size()) {
          format = argv.get(++i).replace("\\n", "\n");
        } else if (argv.get(i).startsWith("-")) {
          return null;
        } else {
          globs.add(argv.get(i));
        }
      }
      StringBuilder out = new StringBuilder();
      for (Map.Entry<String, String> p : installed.entrySet()) {
        if (globs.isEmpty() || globs.stream().anyMatch(g -> glob(g).matcher(p.getKey()).matches())) {
          out.append(format == null ? p.getKey() + "-" + p.getValue() + RELEASE + "\n"
              : format.replace("%{NAME}", p.getKey()).replace("%{VERSION}", p.getValue()));
        }
      }
      return new CommandRunner.Result(0, out.toString(), "");
    }
    return null;
  }

  // ------------------------------------------------------------------ dnf

  /** {@code dnf install ...} or {@code dnf needs-restarting -r}; null for anything else. */
  public synchronized CommandRunner.Result dnf(List<String> argv) {
    if (argv.equals(List.of("dnf", "needs-restarting", "-r"))) {
      return needsRestarting();
    }
    if (argv.size() < 2 || !argv.get(1).equals("install")) {
      return null;
    }
    boolean yes = false;
    boolean downloadOnly = false;
    boolean assumeNo = false;
    Set<String> enabled = new LinkedHashSet<>();
    repos.forEach((id, on) -> {
      if (on) {
        enabled.add(id);
      }
    });
    List<String> specs = new ArrayList<>();
    for (String a : argv.subList(2, argv.size())) {
      if (a.equals("-y") || a.equals("--assumeyes")) {
        yes = true;
      } else if (a.equals("--downloadonly")) {
        downloadOnly = true;
      } else if (a.equals("--assumeno")) {
        assumeNo = true;
      } else if (a.startsWith("--enablerepo=")) {
        String id = a.substring("--enablerepo=".length());
        if (!repos.containsKey(id)) {
          return error("Error: Unknown repo: '" + id + "'");
        }
        enabled.add(id);
      } else if (a.startsWith("-")) {
        return new CommandRunner.Result(2, "", "usage: dnf install [-c [config file]] ...\n"
            + "dnf: error: unrecognized arguments: " + a + "\n");
      } else {
        specs.add(a);
      }
    }
    if (specs.isEmpty()) {
      return error("Error: Need to pass a list of pkgs to install");
    }
    Map<String, String> named = new LinkedHashMap<>();
    List<String> noMatch = new ArrayList<>();
    for (String spec : specs) {
      List<Available> matches = match(spec, enabled);
      if (matches.isEmpty()) {
        noMatch.add(spec);
        continue;
      }
      for (Available m : matches) {
        String other = named.putIfAbsent(m.name(), m.version());
        if (other != null && !other.equals(m.version())) {
          return problem("cannot install both " + m.name() + "-" + other + " and " + m.name() + "-" + m.version());
        }
      }
    }
    if (!noMatch.isEmpty()) {
      StringBuilder out = new StringBuilder();
      noMatch.forEach(s -> out.append("No match for argument: ").append(s).append('\n'));
      return new CommandRunner.Result(1, out.toString(), "Error: Unable to find a match: " + String.join(" ", noMatch) + "\n");
    }
    Map<String, String> tx = new LinkedHashMap<>();
    named.forEach((n, v) -> {
      if (!v.equals(installed.get(n))) {
        tx.put(n, v);
      }
    });
    String problem = resolveFamily(named, tx, enabled);
    if (problem != null) {
      return problem(problem);
    }
    if (tx.isEmpty()) {
      return new CommandRunner.Result(0, "Dependencies resolved.\nNothing to do.\nComplete!\n", "");
    }
    String table = "Dependencies resolved.\n" + String.join("\n", tx.entrySet().stream()
        .map(e -> (installed.containsKey(e.getKey()) ? (MicroShiftVersion.leading(e.getValue()).isPresent()
            && MicroShiftVersion.leading(installed.get(e.getKey())).isPresent()
            && compare(e.getValue(), installed.get(e.getKey())) < 0 ? " Downgrading: " : " Upgrading: ")
            : " Installing: ") + e.getKey() + "-" + e.getValue()).toList()) + "\n";
    if (assumeNo || !yes) {
      return new CommandRunner.Result(1, table + "Operation aborted.\n", "");
    }
    if (downloadOnly) {
      tx.forEach((n, v) -> downloaded.add(n + "-" + v));
      return new CommandRunner.Result(0, table + "Complete!\nThe downloaded packages were saved in cache till the"
          + " next successful transaction.\n", "");
    }
    String fail = failNextTransaction;
    if (fail != null) {
      failNextTransaction = null;
      return new CommandRunner.Result(1, table + "Running transaction test\n", fail + "\n");
    }
    installed.putAll(tx);
    changedSinceBoot.addAll(tx.keySet());
    tx.forEach((n, v) -> downloaded.remove(n + "-" + v));
    transactions.add(tx.entrySet().stream().map(e -> e.getKey() + "-" + e.getValue()).toList());
    return new CommandRunner.Result(0, table + "Complete!\n", "");
  }

  /**
   * microshift.spec: the family (microshift and every microshift-* subpackage) at one version;
   * microshift needs its three required subpackages, networking needs openvswitch. Adds what
   * libsolv would add to {@code tx}; returns dnf's problem text when it does not resolve.
   */
  private String resolveFamily(Map<String, String> named, Map<String, String> tx, Set<String> enabled) {
    Set<String> namedVersions = new LinkedHashSet<>();
    named.forEach((n, v) -> {
      if (isFamily(n)) {
        namedVersions.add(v);
      }
    });
    if (namedVersions.isEmpty()) {
      return null;
    }
    if (namedVersions.size() > 1) {
      String ms = named.getOrDefault("microshift", namedVersions.iterator().next());
      Map.Entry<String, String> off = named.entrySet().stream()
          .filter(e -> isFamily(e.getKey()) && !e.getValue().equals(ms)).findFirst().orElseThrow();
      return "package microshift-" + ms + " requires " + off.getKey() + " = " + ms + ", but none of the providers"
          + " can be installed\n  - cannot install both " + off.getKey() + "-" + ms + " and " + off.getKey() + "-"
          + off.getValue();
    }
    String version = namedVersions.iterator().next();
    Map<String, String> result = new TreeMap<>(installed);
    result.putAll(tx);
    Set<String> needed = new LinkedHashSet<>(REQUIRED_SUBPACKAGES);
    needed.add("microshift");
    for (String p : result.keySet()) {
      if (isFamily(p)) {
        needed.add(p);
      }
    }
    for (String p : needed) {
      String have = result.get(p);
      if (version.equals(have)) {
        continue;
      }
      if (named.containsKey(p)) {
        continue; // named at the family version already
      }
      boolean downgrade = have != null && compare(version, have) < 0;
      if (downgrade) {
        return "problem with installed package " + p + "-" + have + RELEASE + "\n  - package " + p + "-" + have
            + " requires microshift = " + have + ", but none of the providers can be installed\n"
            + "  - cannot install both microshift-" + version + " and microshift-" + have;
      }
      if (!isAvailable(p, version, enabled)) {
        return "package microshift-" + version + " requires " + p + " = " + version
            + ", but none of the providers can be installed\n  - nothing provides " + p + " = " + version
            + " in the enabled repositories";
      }
      tx.put(p, version);
    }
    if (!installed.containsKey(OVS) && available.stream().noneMatch(a -> a.name().equals(OVS)
        && enabled.contains(a.repo()))) {
      return "package microshift-networking-" + version + " requires (openvswitch3.5 or openvswitch >= 3.5),"
          + " but none of the providers can be installed\n  - nothing provides openvswitch3.5 (enable "
          + FAST_DATAPATH + ")";
    }
    for (String core : pullsIn.getOrDefault(version, List.of())) {
      available.stream().filter(a -> a.name().equals(core) && enabled.contains(a.repo())).findFirst()
          .ifPresent(a -> tx.put(core, a.version()));
    }
    return null;
  }

  private CommandRunner.Result needsRestarting() {
    List<String> need = changedSinceBoot.stream().filter(NEED_REBOOT::contains).sorted().toList();
    if (need.isEmpty()) {
      return new CommandRunner.Result(0, "No core libraries or services have been updated since boot-up.\n"
          + "Reboot should not be necessary.\n", "");
    }
    StringBuilder out = new StringBuilder("Core libraries or services have been updated since boot-up:\n");
    need.forEach(n -> out.append("  * ").append(n).append('\n'));
    out.append("\nReboot is required to fully utilize these updates.\n");
    return new CommandRunner.Result(1, out.toString(), "");
  }

  private static boolean isFamily(String name) {
    return name.equals("microshift") || name.startsWith("microshift-");
  }

  private boolean isAvailable(String name, String version, Set<String> enabled) {
    return available.stream().anyMatch(a -> a.name().equals(name) && a.version().equals(version)
        && enabled.contains(a.repo()));
  }

  /** dnf's package spec: NAME, NAME-VERSION or NAME-VERSION-RELEASE, with globs. */
  private List<Available> match(String spec, Set<String> enabled) {
    Pattern g = glob(spec);
    List<Available> out = new ArrayList<>();
    Map<String, Available> newestByName = new LinkedHashMap<>();
    for (Available a : available) {
      if (!enabled.contains(a.repo())) {
        continue;
      }
      String nv = a.name() + "-" + a.version();
      if (g.matcher(nv).matches() || g.matcher(nv + RELEASE).matches()) {
        out.add(a);
      } else if (g.matcher(a.name()).matches()) {
        newestByName.merge(a.name(), a, (x, y) -> compare(x.version(), y.version()) >= 0 ? x : y);
      }
    }
    if (out.isEmpty()) {
      out.addAll(newestByName.values());
    }
    return out;
  }

  private static Pattern glob(String g) {
    StringBuilder r = new StringBuilder();
    for (char c : g.toCharArray()) {
      r.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(r.toString());
  }

  /**
   * Which of two rpm Versions is newer, as rpm's rpmvercmp (rpm-software-management/rpm
   * rpmio/rpmvercmp.c, {@code rpmvercmp}) orders the versions this fake publishes: numeric
   * segments as numbers, a '~' before everything, the end of the string included, so
   * 4.18.0~rc.2 &lt; 4.18.0 and ~rc.9 &lt; ~rc.10; that is MicroShiftVersion's order for them.
   */
  private static int compare(String a, String b) {
    var x = MicroShiftVersion.fromRpmVersion(a).or(() -> MicroShiftVersion.leading(a));
    var y = MicroShiftVersion.fromRpmVersion(b).or(() -> MicroShiftVersion.leading(b));
    return x.isPresent() && y.isPresent() ? x.get().compareTo(y.get()) : a.compareTo(b);
  }

  private static CommandRunner.Result error(String line) {
    return new CommandRunner.Result(1, "", line + "\n");
  }

  private static CommandRunner.Result problem(String text) {
    return new CommandRunner.Result(1, "", "Error: \n Problem: " + text
        + "\n(try to add '--allowerasing' to command line to replace conflicting packages or '--skip-broken'"
        + " to skip uninstallable packages)\n");
  }
}
