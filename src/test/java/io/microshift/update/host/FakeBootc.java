package io.microshift.update.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fake {@code bootc} of {@link FakeHostCommands} (bootc-dev/bootc, crates/lib/src), over the
 * same real ostree sysroot as the rpm-ostree fake: an image is a real ostree commit published in a
 * fake registry ({@link #publish}), and staging one deploys that commit for real. Modelled:
 * <ul>
 *   <li>{@code bootc status --json} (status.rs {@code get_status}, spec.rs {@code Host}):
 *       {@code staged} is a deployment staged on this boot (ostree's staged deployment),
 *       {@code booted} the booted one, {@code rollback} the first other; {@code image} null for a
 *       deployment that is no container image; {@code downloadOnly} = staged and its finalization
 *       locked ({@code boot_entry_from_deployment}); {@code status.type} bootcHost only when the
 *       booted deployment is an image.</li>
 *   <li>{@code bootc switch IMAGE} (cli.rs {@code switch_ostree}): "Image specification is
 *       unchanged." and nothing staged when the spec (the staged image, else the booted one)
 *       already is IMAGE; a pull error for an image the registry lacks; otherwise it replaces any
 *       staged deployment with IMAGE's commit, finalization not locked ({@code stage(..., false)}).
 *       </li>
 *   <li>{@code bootc upgrade --download-only} (cli.rs {@code upgrade}): pulls the spec image; the
 *       staged deployment with the same digest gets its finalization locked; the booted digest:
 *       "No update available."; else the image is staged locked.</li>
 *   <li>{@code bootc upgrade --from-downloaded [--apply]}: "No staged deployment found" without
 *       one; otherwise unlocks it, and {@code --apply} reboots; under a block-mode shutdown inhibitor
 *       lock it would wait forever (the fake calls it unexpected: see
 *       {@link FakeHostCommands#inhibitorLock}).</li>
 *   <li>{@code bootc rollback} (deploy.rs {@code rollback}): "No rollback available" without a
 *       rollback deployment, "Rollback is not container image based" when it is an ostree commit;
 *       otherwise the rollback deployment becomes the default, or, when a rollback was queued
 *       already ({@code status.rollbackQueued}, {@code spec.bootOrder: rollback}), the booted one
 *       again (what greenboot runs on a bootc host: fedora-iot/greenboot
 *       greenboot-rpm-ostree-grub2-check-fallback and greenboot-rs src/lib/handler.rs,
 *       {@code handle_rollback}, run {@code bootc rollback} when status.booted.image is set).</li>
 * </ul>
 * Any other argv is unexpected.
 */
public final class FakeBootc {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An image in the fake registry: {@code repository@digest}, the ostree commit it deploys, its MicroShift version. */
  public record Image(String repository, String digest, String commit) {
    public String byDigest() {
      return repository + "@" + digest;
    }
  }

  private final FakeHostCommands commands;
  private final FakeHostCommands.Services services;
  private final Map<String, Image> byDigestRef = new ConcurrentHashMap<>();
  private final Map<String, String> tags = new ConcurrentHashMap<>();
  private final Map<String, Image> byCommit = new ConcurrentHashMap<>();
  /** The reference each deployment was switched to, as given (status image.image.image). */
  private final Map<String, String> refOf = new ConcurrentHashMap<>();
  /** What {@code bootc --version} says (v1.16.9-3 read); below 1.12 upgrade refuses --download-only and --from-downloaded. */
  private volatile String version = "1.16.9";

  FakeBootc(FakeHostCommands commands, FakeHostCommands.Services services) {
    this.commands = commands;
    this.services = services;
  }

  /** Publishes {@code commit} as {@code repository@digest} (and {@code repository:tag}, if a tag is given). */
  public Image publish(String repository, String tag, String digest, String commit) {
    Image image = new Image(repository, digest, commit);
    byDigestRef.put(image.byDigest(), image);
    byCommit.put(commit, image);
    if (tag != null) {
      tags.put(repository + ":" + tag, image.byDigest());
    }
    return image;
  }

  /** Moves {@code repository:tag} to another published image (a tag that moves between canary and fleet). */
  public void retag(String repository, String tag, String digest) {
    tags.put(repository + ":" + tag, repository + "@" + digest);
  }

  /** The image a deployment (its checksum) deploys, or null when it is no container image. */
  public Image imageOf(String checksum) {
    return byCommit.get(checksum);
  }

  /** The container image reference rpm-ostree shows for a deployment, or null. */
  String containerImageReference(String checksum) {
    Image image = imageOf(checksum);
    return image == null ? null : "ostree-unverified-registry:" + refOf.getOrDefault(checksum, image.byDigest());
  }

  private Image resolve(String ref) {
    String pinned = ref.contains("@sha256:") ? ref : tags.get(ref);
    return pinned == null ? null : byDigestRef.get(pinned);
  }

  /** The sysroot's staged deployment, bootc's or rpm-ostree's (one at a time): {@link FakeHostCommands#stagedDeployment}. */
  String staged() {
    return commands.stagedDeployment();
  }

  /** The bootc release this host has (MAJOR.MINOR.PATCH). */
  public void version(String v) {
    version = v;
  }

  private boolean downloadOnlyKnown() {
    String[] p = version.split("\\.");
    return Integer.parseInt(p[0]) > 1 || Integer.parseInt(p[1]) >= 12;
  }

  CommandRunner.Result run(List<String> argv) {
    OstreeSysroot sysroot = services.sysroot();
    if (argv.equals(List.of("bootc", "--version"))) {
      return new CommandRunner.Result(0, "bootc " + version + "\n", ""); // clap: "NAME VERSION"
    }
    if (sysroot == null || argv.size() < 2) {
      return commands.unknown(argv);
    }
    List<String> args = argv.subList(2, argv.size());
    switch (argv.get(1)) {
      case "status" -> {
        List<String> rest = new ArrayList<>(args);
        boolean json = rest.remove("--json") || (rest.remove("--format") && rest.remove("json"));
        boolean bootedOnly = rest.remove("--booted");
        return json && rest.isEmpty() ? new CommandRunner.Result(0, status(bootedOnly), "") : commands.unknown(argv);
      }
      case "switch" -> {
        List<String> rest = new ArrayList<>(args);
        rest.remove("--retain");
        if (rest.size() != 1 || rest.get(0).startsWith("-")) {
          return commands.unknown(argv);
        }
        return switchTo(sysroot, rest.get(0));
      }
      case "upgrade" -> {
        if (!downloadOnlyKnown() && (args.contains("--download-only") || args.contains("--from-downloaded"))) {
          // clap before v1.12.0: an unknown option is a usage error, exit 2
          return new CommandRunner.Result(2, "", "error: unexpected argument '" + args.get(0) + "' found\n\n"
              + "Usage: bootc upgrade [OPTIONS]\n\nFor more information, try '--help'.\n");
        }
        if (args.equals(List.of("--download-only"))) {
          return downloadOnly(sysroot);
        }
        if (args.equals(List.of("--from-downloaded")) || args.equals(List.of("--from-downloaded", "--apply"))) {
          return fromDownloaded(args.contains("--apply"));
        }
        return commands.unknown(argv);
      }
      case "rollback" -> {
        return args.isEmpty() ? rollback(sysroot) : commands.unknown(argv);
      }
      default -> {
        return commands.unknown(argv);
      }
    }
  }

  /**
   * deploy.rs {@code rollback}, over status.rs {@code get_status}: the rollback deployment is the
   * first that is neither staged nor booted. None: "No rollback available"; not an image: "Rollback
   * is not container image based". Queued (it comes before the booted one, a rollback already
   * asked for): reverting, the booted one first again; otherwise the rollback one first, the booted
   * one second; the other deployments after them in their order. The staged deployment is not in the
   * list written ({@code write_deployments}), so it is gone.
   */
  private CommandRunner.Result rollback(OstreeSysroot sysroot) {
    Slots now = slots();
    if (now.rollback() == null) {
      return new CommandRunner.Result(1, "", "error: No rollback available\n");
    }
    if (imageOf(now.rollback()) == null) {
      return new CommandRunner.Result(1, "", "error: Rollback is not container image based\n");
    }
    boolean reverting = now.rollbackQueued();
    if (now.staged() != null) {
      commands.dropPendingDeployment();
    }
    commands.staged(null);
    sysroot.moveToFirst(commands.rpmOstreeDeployments().indexOf(reverting ? now.booted() : now.rollback()));
    return new CommandRunner.Result(0, reverting ? "notice: Reverting queued rollback state\nNext boot: current deployment\n"
        : "Next boot: rollback deployment\n", "");
  }

  /** The spec's image: the staged deployment's reference, else the booted one's (status.rs {@code get_status}). */
  private String specImage() {
    String staged = staged();
    String booted = services.bootedChecksum();
    String from = staged != null ? staged : booted;
    Image image = imageOf(from);
    return image == null ? null : refOf.getOrDefault(from, image.byDigest());
  }

  private CommandRunner.Result switchTo(OstreeSysroot sysroot, String ref) {
    if (ref.equals(specImage())) {
      return new CommandRunner.Result(0, "Image specification is unchanged.\n", "");
    }
    if (commands.stagingFails()) {
      return new CommandRunner.Result(1, "", "error: Switching (ostree): Pulling: Creating importer: failed to invoke"
          + " method OpenImage: pinging container registry: connection refused\n");
    }
    Image image = resolve(ref);
    if (image == null) {
      return new CommandRunner.Result(1, "", "error: Switching (ostree): Pulling: Creating importer: failed to invoke"
          + " method OpenImage: reading manifest in " + ref + ": manifest unknown\n");
    }
    return stage(sysroot, image, ref, false);
  }

  private CommandRunner.Result downloadOnly(OstreeSysroot sysroot) {
    String spec = specImage();
    if (spec == null) {
      return new CommandRunner.Result(1, "", "error: Upgrading: No image source specified\n");
    }
    Image fetched = resolve(spec);
    if (fetched == null || commands.stagingFails()) {
      return new CommandRunner.Result(1, "", "error: Upgrading: Pulling: reading manifest in " + spec
          + ": manifest unknown\n");
    }
    String staged = staged();
    if (staged != null && fetched.commit().equals(staged)) {
      if (!commands.finalizationLocked()) {
        commands.lockFinalization(true);
        return new CommandRunner.Result(0, "Image downloaded, but will not be applied on reboot\n", "");
      }
      return new CommandRunner.Result(0, "Staged update present, not changed\n", "");
    }
    if (fetched.commit().equals(services.bootedChecksum())) {
      return new CommandRunner.Result(0, "No update available.\n", "");
    }
    return stage(sysroot, fetched, spec, true);
  }

  private CommandRunner.Result fromDownloaded(boolean apply) {
    if (staged() == null) {
      return new CommandRunner.Result(1, "", "error: Upgrading: No staged deployment found\n");
    }
    String out = commands.finalizationLocked() ? "Staged deployment will now be applied on reboot\n"
        : "Staged deployment is already set to apply on reboot\n";
    commands.lockFinalization(false);
    if (apply && commands.shutdownBlocker().isPresent()) {
      // reboot.rs reboot: systemd-run's systemctl reboot is refused (systemd 257+), and bootc
      // waits forever to be killed by a shutdown that never comes
      return commands.unknown(List.of("bootc", "upgrade", "--from-downloaded", "--apply", "(hangs: reboot blocked)"));
    }
    if (apply) {
      services.rebootRequested();
    }
    return new CommandRunner.Result(0, out, "");
  }

  /** ostree stages one deployment at a time: a new one replaces the staged one. */
  private CommandRunner.Result stage(OstreeSysroot sysroot, Image image, String ref, boolean locked) {
    if (staged() != null) {
      commands.dropPendingDeployment();
    }
    CommandRunner.Result r = sysroot.deploy(image.commit());
    if (!r.ok()) {
      return r;
    }
    refOf.put(image.commit(), ref);
    commands.staged(image.commit());
    commands.lockFinalization(locked);
    return new CommandRunner.Result(0, "Queued for next boot: " + ref + "\n  Digest: " + image.digest() + "\n", "");
  }

  /**
   * status.rs {@code get_status}: the booted and the staged deployment, the rollback one (the first
   * that is neither), and whether the rollback is queued (it comes before the booted one).
   */
  private record Slots(String booted, String staged, String rollback, boolean rollbackQueued) {}

  private Slots slots() {
    String booted = services.bootedChecksum();
    String staged = staged();
    List<String> order = commands.rpmOstreeDeployments();
    String rollback = order.stream().filter(c -> !c.equals(booted) && !c.equals(staged)).findFirst().orElse(null);
    return new Slots(booted, staged, rollback, rollback != null && order.indexOf(rollback) < order.indexOf(booted));
  }

  private String status(boolean bootedOnly) {
    Slots slots = slots();
    String booted = slots.booted();
    String staged = bootedOnly ? null : slots.staged();
    String rollback = bootedOnly ? null : slots.rollback();
    boolean rollbackQueued = !bootedOnly && slots.rollbackQueued();
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "org.containers.bootc/v1").put("kind", "BootcHost");
    root.putObject("metadata").put("name", "host");
    ObjectNode spec = root.putObject("spec");
    String specRef = specImage();
    if (specRef == null) {
      spec.putNull("image");
    } else {
      spec.putObject("image").put("image", specRef).put("transport", "registry").put("signature", "insecure");
    }
    spec.put("bootOrder", rollbackQueued ? "rollback" : "default"); // spec.rs BootOrder, camelCase
    ObjectNode st = root.putObject("status");
    entry(st, "staged", staged, staged != null && commands.finalizationLocked());
    entry(st, "booted", booted, false);
    entry(st, "rollback", rollback, false);
    st.put("rollbackQueued", rollbackQueued);
    if (imageOf(booted) != null) {
      st.put("type", "bootcHost");
    } else {
      st.putNull("type");
    }
    return root.toString();
  }

  private void entry(ObjectNode status, String slot, String checksum, boolean downloadOnly) {
    if (checksum == null) {
      status.putNull(slot);
      return;
    }
    ObjectNode e = status.putObject(slot);
    Image image = imageOf(checksum);
    if (image == null) {
      e.putNull("image");
    } else {
      ObjectNode img = e.putObject("image");
      img.putObject("image").put("image", refOf.getOrDefault(checksum, image.byDigest())).put("transport", "registry")
          .put("signature", "insecure");
      img.put("imageDigest", image.digest()).put("architecture", "amd64");
    }
    e.putNull("cachedUpdate");
    e.put("incompatible", false).put("pinned", false).put("downloadOnly", downloadOnly);
    e.putObject("ostree").put("checksum", checksum).put("deploySerial", 0).put("stateroot", "rhel");
  }
}
