package io.microshift.update.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The boots of a simulated host, shared by {@link TestHost} and the simulated device: the boot id
 * (what the agent reads as {@code /proc/sys/kernel/random/boot_id}), the booted deployment (the
 * file the agent reads with {@code --booted-deployment-file}), and what a shutdown or a power cut
 * does to a staged deployment before the next boot.
 */
public final class HostBoots {
  private final HostPaths paths;
  private final Path bootedFile;
  /** The ostree sysroot; null on an rpm host (no deployments). */
  private final OstreeSysroot sysroot;
  private final FakeHostCommands commands;

  /** A host on its first boot (a new boot id); nothing is booted until {@link #booted(String)}. */
  public HostBoots(HostPaths paths, Path bootedFile, OstreeSysroot sysroot, FakeHostCommands commands) {
    this.paths = paths;
    this.bootedFile = bootedFile;
    this.sysroot = sysroot;
    this.commands = commands;
    try {
      Files.createDirectories(paths.bootIdFile().getParent());
      Files.createDirectories(bootedFile.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    newBootId();
  }

  public Path bootedFile() {
    return bootedFile;
  }

  public String bootId() {
    try {
      return Files.readString(paths.bootIdFile()).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The kernel's boot id of a new boot. */
  public void newBootId() {
    try {
      Files.writeString(paths.bootIdFile(), UUID.randomUUID() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The checksum of the booted ostree deployment. */
  public String bootedChecksum() {
    try {
      return Files.readString(bootedFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The deployment {@code checksum} is the booted one. */
  public void booted(String checksum) {
    try {
      Files.writeString(bootedFile, checksum);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The deployment the next boot boots: ostree's default, the first in boot order. */
  public String defaultDeployment() {
    return sysroot.deployments().get(0).checksum();
  }

  /**
   * A clean shutdown ({@code systemctl reboot}): a staged deployment whose finalization is locked
   * is not written out ({@link FakeHostCommands#shutdownDropsLockedStaged()}). Returns whether
   * that happened; false on an rpm host.
   */
  public boolean shutdown() {
    return sysroot != null && commands.shutdownDropsLockedStaged();
  }

  /**
   * A power cut: ostree-finalize-staged.service does not run, so a staged deployment (kept only in
   * /run) is lost and the booted deployment boots again ({@link FakeHostCommands#dropPendingDeployment()}).
   */
  public void powerCut() {
    if (sysroot != null) {
      commands.dropPendingDeployment();
      commands.shutdownDropsLockedStaged();
    }
  }

  /** A boot of {@code checksum} (null on an rpm host: no deployment) with a new boot id. */
  public void boot(String checksum) {
    if (checksum != null) {
      booted(checksum);
    }
    newBootId();
  }
}
