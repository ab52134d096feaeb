package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Ostree} through rpm-ostree and ostree as seen by the agent: deployments from
 * {@code rpm-ostree status --json}, the booted one cross-checked with the {@code ostree=} kernel
 * argument. The commands (coreos/rpm-ostree src/app): {@code status --json}
 * (rpmostree-builtin-status.cxx, option "json"); {@code rebase REFSPEC [REVISION]}
 * (rpmostree-builtin-rebase.cxx) and {@code deploy REVISION} (rpmostree-builtin-deploy.cxx), both
 * with the options "lock-finalization" and "bypass-driver"; {@code finalize-deployment CHECKSUM}
 * (rpmostree-builtin-finalize-deployment.cxx: the expected checksum is required unless
 * --allow-missing-checksum); {@code cleanup --pending} (rpmostree-builtin-cleanup.cxx, "pending",
 * 'p'); {@code rollback} (rpmostree-builtin-rollback.cxx). A commit's file is read with
 * ostree's own {@code ostree cat --repo=REPO COMMIT PATH} (ostreedev/ostree
 * src/ostree/ot-builtin-cat.c), rpm-ostree having no such verb.
 */
public final class RpmOstree implements Ostree, BootedDeployment {
  /**
   * Made at the first read of rpm-ostree's JSON, not when this class is loaded: a verb that
   * reads none (etcd-snapshot) starts without Jackson (hack/bench.d/etcd-snapshot-cold-tls).
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
  private static final Pattern KARG_DEPLOY = Pattern.compile("(?:^|\\s)ostree=(\\S+)");

  /**
   * One deployment of {@code rpm-ostree status --json}. {@code checksum} is the deployed commit;
   * on a layered host (packages installed on top) that is a local commit and the repository's
   * commit is {@code base-checksum} (coreos/rpm-ostree src/daemon/rpmostreed-deployment-utils.cxx,
   * {@code rpmostreed_deployment_generate_variant}: base-checksum only when layered), so
   * {@link #baseChecksum} is base-checksum when present, else checksum. {@code origin} is the
   * refspec as rpm-ostree completed it ({@code remote:ref}); a host that boots a container image
   * has no origin but a {@code container-image-reference}. {@code finalizationLocked}: rpm-ostree
   * reports {@code finalization-locked} on a staged deployment only while the legacy lock file
   * /run/ostree/staged-deployment-locked exists (rust/src/daemon.rs, {@code
   * deployment_populate_variant}, "XXX: this should check deployment.is_finalization_locked()"),
   * which rpm-ostree made before v2024.6; see {@link RpmOstree#finalizationLocked}.
   */
  public record Deployment(String checksum, boolean booted, boolean staged, String origin, String baseChecksum,
      String containerImageReference, boolean finalizationLocked) {
    public Deployment(String checksum, boolean booted, boolean staged, String origin) {
      this(checksum, booted, staged, origin, checksum, null, false);
    }

    public Deployment(String checksum, boolean booted, boolean staged, String origin, String baseChecksum,
        String containerImageReference) {
      this(checksum, booted, staged, origin, baseChecksum, containerImageReference, false);
    }
  }

  /** A registered update driver ({@code update-driver} of status --json): rebase and deploy refuse without --bypass-driver. */
  public record UpdateDriver(String name, String unit) {
    public String describe() {
      return name + " (" + unit + ")";
    }
  }

  /** What {@code rpm-ostree status --json} says: the deployments in boot order and the update driver, if any. */
  public record Status(List<Deployment> deployments, Optional<UpdateDriver> updateDriver) {
    public Optional<Deployment> booted() {
      return deployments.stream().filter(Deployment::booted).findFirst();
    }

    /** The deployment the next boot will use (the first listed), if it is not the booted one. */
    public Optional<Deployment> pending() {
      return deployments.isEmpty() || deployments.get(0).booted() ? Optional.empty() : Optional.of(deployments.get(0));
    }
  }

  private final CommandRunner runner;
  private final HostPaths paths;

  public RpmOstree(CommandRunner runner, HostPaths paths) {
    this.runner = runner;
    this.paths = paths;
  }

  /** One {@code rpm-ostree status --json}, parsed; every checksum is checked before it is used. */
  @Override
  public Status status() {
    CommandRunner.Result r = runner.check(List.of("rpm-ostree", "status", "--json"));
    List<Deployment> out = new ArrayList<>();
    try {
      JsonNode root = Json.MAPPER.readTree(r.stdout());
      for (JsonNode d : root.path("deployments")) {
        String checksum = checksum(d, "checksum");
        String base = d.hasNonNull("base-checksum") ? checksum(d, "base-checksum") : checksum;
        JsonNode image = d.get("container-image-reference");
        out.add(new Deployment(checksum, d.path("booted").asBoolean(false),
            d.path("staged").asBoolean(false), d.path("origin").asText(""), base,
            image != null && image.isTextual() ? Markers.printable(image.asText(), 300) : null,
            d.path("finalization-locked").asBoolean(false)));
      }
      JsonNode driver = root.get("update-driver");
      Optional<UpdateDriver> updateDriver = driver == null || !driver.isObject() ? Optional.empty()
          : Optional.of(new UpdateDriver(Markers.printable(driver.path("driver-name").asText("unnamed"), 100),
              Markers.printable(driver.path("driver-sd-unit").asText("unknown unit"), 200)));
      return new Status(out, updateDriver);
    } catch (IOException e) {
      throw new HostException("cannot parse rpm-ostree status --json: " + e.getMessage(), e);
    }
  }

  private static String checksum(JsonNode d, String field) {
    String checksum = d.path(field).asText("");
    if (!Markers.CHECKSUM.matcher(checksum).matches()) {
      throw new HostException("rpm-ostree status --json: unexpected " + field + " '" + Markers.printable(checksum, 80) + "'");
    }
    return checksum;
  }

  /**
   * The origin rpm-ostree records for {@code rebase REF}: a ref without a remote takes the remote
   * of the booted deployment's origin (src/daemon/rpmostreed-utils.cxx,
   * {@code rpmostreed_refspec_parse_partial}, called with the merge deployment's refspec); a
   * leading ':' means a local branch and keeps no remote.
   */
  public static String completedRefspec(String ref, String bootedOrigin) {
    if (ref.startsWith(":")) {
      return ref.substring(1);
    }
    if (ref.contains(":") || bootedOrigin == null) {
      return ref;
    }
    int colon = bootedOrigin.indexOf(':');
    return colon > 0 ? bootedOrigin.substring(0, colon + 1) + ref : ref;
  }

  @Override
  public String stageLocked(String ref, String commit, boolean bypassDriver) {
    List<String> argv = new ArrayList<>(List.of("rpm-ostree"));
    if (ref != null) {
      argv.add("rebase");
      argv.add(ref);
      if (commit != null) {
        argv.add(commit);
      }
    } else {
      argv.add("deploy");
      argv.add(commit);
    }
    argv.add("--lock-finalization");
    if (bypassDriver) {
      argv.add("--bypass-driver");
    }
    runner.check(argv);
    return String.join(" ", argv);
  }

  /**
   * Locked either way rpm-ostree may have locked it. Before v2024.6 {@code --lock-finalization}
   * touched the legacy lock file /run/ostree/staged-deployment-locked, which status --json reports
   * as {@code finalization-locked}. Since v2024.6 (coreos/rpm-ostree 37c7228d, "daemon: use new
   * finalization APIs": src/daemon/rpmostree-sysroot-upgrader.cxx stages with
   * {@code OstreeSysrootDeployTreeOpts.locked}) the lock is the {@code locked} key of ostree's
   * /run/ostree/staged-deployment and no file is made (ostreedev/ostree
   * src/libostree/ostree-sysroot-deploy.c, {@code ostree_sysroot_stage_tree_with_options}), so
   * status --json no longer says so; {@code ostree admin status} prints it from ostree's own
   * state, "(finalization locked)" after the deployment (src/ostree/ot-admin-builtin-status.c,
   * {@code deployment_print_status}, ostree 2023.8 on). ostree's shutdown honours both
   * ({@code _ostree_sysroot_finalize_staged}). Run without --sysroot: ostree loads the staged
   * deployment only when its sysroot is the booted root ("/"; src/libostree/ostree-sysroot.c,
   * {@code root_is_ostree_booted}, {@code _ostree_sysroot_reload_staged}).
   */
  @Override
  public boolean finalizationLocked(Deployment staged) {
    if (staged.finalizationLocked()) {
      return true;
    }
    CommandRunner.Result r = runner.run(List.of("ostree", "admin", "status"));
    return r.ok() && ostreeAdminStatusSaysLocked(r.stdout(), staged.checksum());
  }

  /** Whether {@code ostree admin status} lists deployment {@code checksum} as "(finalization locked)". */
  static boolean ostreeAdminStatusSaysLocked(String text, String checksum) {
    for (String line : text.split("\n")) {
      // "%c %s %s.%d%s": the booted marker, the stateroot, checksum.serial, the state
      String[] f = line.length() > 2 ? line.substring(2).split(" ") : new String[0];
      if (f.length > 2 && f[1].startsWith(checksum + ".") && line.contains(" (finalization locked)")) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code rpm-ostree finalize-deployment --allow-unlocked BASE}: unlocks the staged deployment if
   * it is locked, and reboots either way; without --allow-unlocked it refuses one it finds
   * unlocked ("Staged deployment already unlocked": src/daemon/rpmostreed-transaction-types.cxx,
   * {@code finalize_deployment_transaction_execute}), which is what an rpm-ostree since v2024.6
   * would say of a locked one if the agent judged by status --json (see {@link #finalizationLocked}).
   */
  @Override
  public void finalizeDeployment(String baseChecksum) {
    runner.check(List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", baseChecksum));
  }

  @Override
  public void cleanupPending() {
    runner.check(List.of("rpm-ostree", "cleanup", "--pending"));
  }

  @Override
  public void rollback() {
    runner.check(List.of("rpm-ostree", "rollback"));
  }

  @Override
  public Optional<String> cat(String commit, String path) {
    String repo = paths.host("/sysroot/ostree/repo").toString();
    CommandRunner.Result r = runner.run(List.of("ostree", "cat", "--repo=" + repo, commit, path));
    if (r.exitCode() != 0) {
      if (r.stderr().contains("No such file or directory")) {
        return Optional.empty();
      }
      throw new HostException("cannot read " + path + " of the target commit " + commit + ": ostree cat"
          + " exited " + r.exitCode() + ": " + Markers.printable(r.stderr().strip(), 300));
    }
    return Optional.of(r.stdout());
  }

  @Override
  public Optional<String> bootedChecksum() {
    Optional<String> fromStatus = status().booted().map(Deployment::checksum);
    Optional<String> fromKarg = fromKernelArgument();
    if (fromStatus.isPresent() && fromKarg.isPresent() && !fromStatus.equals(fromKarg)) {
      throw new HostException("rpm-ostree says " + fromStatus.get() + " is booted but the ostree= kernel argument points at " + fromKarg.get());
    }
    return fromStatus.isPresent() ? fromStatus : fromKarg;
  }

  /** Resolves {@code ostree=/ostree/boot.N/<os>/<bootcsum>/<serial>} to its deployment checksum. */
  Optional<String> fromKernelArgument() {
    try {
      Path cmdline = paths.procCmdline();
      if (!Files.isRegularFile(cmdline)) {
        return Optional.empty();
      }
      Matcher m = KARG_DEPLOY.matcher(Files.readString(cmdline));
      if (!m.find() || !m.group(1).startsWith("/")) {
        return Optional.empty();
      }
      Path link = paths.host("/sysroot" + m.group(1));
      if (!Files.exists(link)) {
        return Optional.empty();
      }
      String name = link.toRealPath().getFileName().toString();
      int dot = name.indexOf('.');
      String checksum = dot < 0 ? name : name.substring(0, dot);
      return Markers.CHECKSUM.matcher(checksum).matches() ? Optional.of(checksum) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
