package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real ostree sysroot in a plain directory (Debian's ostree), os {@code rhel}: commits of
 * minimal trees, deployments in boot order. Shared by the host tests and the simulated device.
 */
public final class OstreeSysroot {
  private static final Pattern DEPLOYMENT = Pattern.compile("^[* ] (\\S+) ([0-9a-f]{64})\\.([0-9]+)");
  private static final Pattern ORIGIN = Pattern.compile("^\\s+origin refspec: (\\S+)");

  /** One deployment, as {@code ostree admin status} lists it. */
  public record Deployment(String checksum, String origin) {}

  private final Path sysroot;
  private final ProcessCommandRunner real = new ProcessCommandRunner();

  public OstreeSysroot(Path sysroot) {
    this.sysroot = sysroot;
  }

  public Path path() {
    return sysroot;
  }

  /** {@code ostree admin init-fs} and {@code os-init rhel}. */
  public void init() {
    try {
      Files.createDirectories(sysroot);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    check(List.of("ostree", "admin", "init-fs", sysroot.toString()));
    check(List.of("ostree", "admin", "os-init", "--sysroot=" + sysroot, "rhel"));
  }

  /** Commits a minimal bootable tree holding MicroShift {@code version} to {@code ref}; returns the checksum. */
  public String commit(Path scratch, String ref, String version) {
    Path tree = scratch.resolve("tree-" + version);
    try {
      Files.createDirectories(tree.resolve("usr/lib/modules/5.14.0-427.el9.x86_64"));
      Files.writeString(tree.resolve("usr/lib/modules/5.14.0-427.el9.x86_64/vmlinuz"), "kernel");
      Files.writeString(tree.resolve("usr/lib/modules/5.14.0-427.el9.x86_64/initramfs.img"), "initramfs");
      Files.createDirectories(tree.resolve("usr/etc"));
      Files.writeString(tree.resolve("usr/etc/os-release"), "ID=rhel\nVERSION_ID=9.4\n");
      Files.createDirectories(tree.resolve("usr/bin"));
      Files.writeString(tree.resolve("usr/bin/microshift"), "microshift " + version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String out = check(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"), "commit",
        "--branch=" + ref, "--tree=dir=" + tree)).stdout().strip();
    FileTrees.delete(tree);
    return out;
  }

  /**
   * The MicroShift version a commit carries (its {@code /usr/bin/microshift}, written by {@link
   * #commit}), or null. On an rpm-ostree host the rpm database is part of each deployment
   * ({@code /usr/share/rpm}), so {@code rpm -q microshift} answers for the booted one.
   */
  public String microshiftVersion(String checksum) {
    CommandRunner.Result r = real.run(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"),
        "cat", checksum, "/usr/bin/microshift"));
    String out = r.stdout().strip();
    return r.ok() && out.startsWith("microshift ") ? out.substring("microshift ".length()) : null;
  }

  /**
   * A commit on top of {@code base} whose image store holds {@code imagesJson} as
   * {@code /usr/share/containers/storage/overlay-images/images.json}: what image builder's
   * {@code [[containers]]} leaves in an rpm-ostree commit (see host.TargetImagesCheck), reduced
   * to the index the agent reads (records with id, digest, names, big-data-digests; containers/storage
   * images.go {@code Image}). Returns the checksum; {@code ref} points at it.
   */
  public String commitWithImages(Path scratch, String ref, String base, String imagesJson) {
    return commitWithFile(scratch, ref, base, "usr/share/containers/storage/overlay-images/images.json", imagesJson);
  }

  /**
   * A commit on top of {@code base} holding {@code content} at {@code path} (relative), e.g.
   * MicroShift's image-mode {@code usr/lib/containers/storage/image-list.txt}.
   */
  public String commitWithFile(Path scratch, String ref, String base, String path, String content) {
    Path overlay = scratch.resolve("images-" + base.substring(0, 12));
    try {
      Path index = overlay.resolve(path);
      Files.createDirectories(index.getParent());
      Files.writeString(index, content);
      return check(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"), "commit",
          "--branch=" + ref, "--tree=ref=" + base, "--tree=dir=" + overlay)).stdout().strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      FileTrees.delete(overlay);
    }
  }

  /**
   * Makes {@code checksum} the remote ref {@code remote:ref}, as if it had been pulled from that
   * remote: {@code rpm-ostree rebase remote:ref} then deploys it and records that origin.
   */
  public void pulledFrom(String remote, String ref, String checksum) {
    Path file = sysroot.resolve("ostree/repo/refs/remotes").resolve(remote).resolve(ref);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, checksum + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code ostree admin deploy} of a ref or checksum: the new deployment becomes the default. */
  public CommandRunner.Result deploy(String refOrChecksum) {
    return real.run(List.of("ostree", "admin", "deploy", "--sysroot=" + sysroot, "--os=rhel", refOrChecksum));
  }

  /** {@code ostree admin deploy --origin-file} of {@code checksum} with {@code originRefspec} as its origin. */
  public CommandRunner.Result deploy(String checksum, String originRefspec) {
    Path origin = originFile(originRefspec);
    try {
      return real.run(List.of("ostree", "admin", "deploy", "--sysroot=" + sysroot, "--os=rhel",
          "--origin-file=" + origin, checksum));
    } finally {
      FileTrees.delete(origin);
    }
  }

  /**
   * The commits of {@code ref}'s history, newest first ({@code ostree log}: its head and every
   * parent), or empty when the repository has no such ref.
   */
  public List<String> history(String ref) {
    CommandRunner.Result r = real.run(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"), "log", ref));
    if (!r.ok()) {
      return List.of();
    }
    return r.stdout().lines().filter(l -> l.startsWith("commit ")).map(l -> l.substring("commit ".length()).strip()).toList();
  }

  /** The commit a ref (or {@code remote:ref}) points at. */
  public String resolve(String refOrChecksum) {
    return check(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"), "rev-parse", refOrChecksum)).stdout().strip();
  }

  /**
   * A local commit on top of {@code base} with one more file, as rpm-ostree's package layering
   * makes one (the deployment's checksum is then the local commit, its base-checksum {@code base}).
   */
  public String layer(String base, String packageName) {
    Path overlay = sysroot.resolveSibling("layer-" + base.substring(0, 12));
    try {
      Files.createDirectories(overlay.resolve("usr/share/layered"));
      Files.writeString(overlay.resolve("usr/share/layered").resolve(packageName), packageName + "\n");
      return check(List.of("ostree", "--repo=" + sysroot.resolve("ostree/repo"), "commit",
          "--branch=rpmostree/layered/" + base.substring(0, 12), "--tree=ref=" + base, "--tree=dir=" + overlay))
          .stdout().strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      FileTrees.delete(overlay);
    }
  }

  /**
   * Makes the second deployment the default and the first the second, keeping both: what
   * {@code rpm-ostree rollback} does. Debian's ostree 2022.7 has no command for it, so the first
   * is undeployed and deployed again (same commit, same origin) after the other.
   */
  public void swapFirstTwo() {
    List<Deployment> ds = deployments();
    Deployment first = ds.get(0);
    Path origin = originFile(first.origin());
    try {
      undeploy(0);
      check(List.of("ostree", "admin", "deploy", "--sysroot=" + sysroot, "--os=rhel", "--retain", "--not-as-default",
          "--origin-file=" + origin, first.checksum()));
    } finally {
      FileTrees.delete(origin);
    }
  }

  /**
   * Makes deployment {@code index} the default, the others keeping their order, as
   * {@code rpm-ostree rollback} reorders them: deployed again (same commit, same origin) as the
   * default with every other one retained, then the old copy undeployed.
   */
  public void moveToFirst(int index) {
    if (index == 1) {
      swapFirstTwo();
      return;
    }
    if (index == 0) {
      return;
    }
    Deployment d = deployments().get(index);
    Path origin = originFile(d.origin());
    try {
      check(List.of("ostree", "admin", "deploy", "--sysroot=" + sysroot, "--os=rhel", "--retain",
          "--origin-file=" + origin, d.checksum()));
      undeploy(index + 1);
    } finally {
      FileTrees.delete(origin);
    }
  }

  private Path originFile(String refspec) {
    try {
      Path f = Files.createTempFile("origin-", ".origin");
      Files.writeString(f, "[origin]\nrefspec=" + refspec + "\n");
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void undeploy(int index) {
    check(List.of("ostree", "admin", "undeploy", "--sysroot=" + sysroot, Integer.toString(index)));
  }

  /** Deployments in boot order (the first boots next), from the real {@code ostree admin status}. */
  public List<Deployment> deployments() {
    CommandRunner.Result r = real.run(List.of("ostree", "admin", "status", "--sysroot=" + sysroot));
    if (!r.ok()) {
      throw new IllegalStateException("ostree admin status: " + r.stderr());
    }
    List<Deployment> out = new ArrayList<>();
    String checksum = null;
    for (String line : r.stdout().split("\n")) {
      Matcher d = DEPLOYMENT.matcher(line);
      Matcher o = ORIGIN.matcher(line);
      if (d.find()) {
        if (checksum != null) {
          out.add(new Deployment(checksum, ""));
        }
        checksum = d.group(2);
      } else if (o.find() && checksum != null) {
        out.add(new Deployment(checksum, o.group(1)));
        checksum = null;
      }
    }
    if (checksum != null) {
      out.add(new Deployment(checksum, ""));
    }
    return out;
  }

  /** ostree marks deployments immutable; lift that so the dir can be deleted. */
  public void unlock() {
    Path deploy = sysroot.resolve("ostree/deploy/rhel/deploy");
    if (!Files.isDirectory(deploy)) {
      return;
    }
    try (Stream<Path> s = Files.list(deploy)) {
      for (Path d : (Iterable<Path>) s::iterator) {
        if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
          real.run(List.of("chattr", "-i", d.toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CommandRunner.Result check(List<String> argv) {
    CommandRunner.Result r = real.run(argv);
    if (!r.ok()) {
      throw new IllegalStateException(argv + " failed: " + r.stderr());
    }
    return r;
  }
}
