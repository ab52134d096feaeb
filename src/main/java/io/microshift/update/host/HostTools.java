package io.microshift.update.host;

/**
 * The host's tools, each behind its own boundary: the only places that build a tool's argv are
 * their adapters ({@link #of}). Tests of the verbs' logic may replace any of them.
 */
public record HostTools(Ostree ostree, Image image, Packages packages, Systemd systemd, MicroShiftAdmin microshiftAdmin) {
  /** The real adapters, each running its tool through {@code runner}. */
  public static HostTools of(CommandRunner runner, HostPaths paths) {
    return new HostTools(new RpmOstree(runner, paths), new Bootc(runner), new Dnf(runner), new Systemctl(runner),
        new MicroShiftCli(runner));
  }

  public HostTools withOstree(Ostree o) {
    return new HostTools(o, image, packages, systemd, microshiftAdmin);
  }

  public HostTools withImage(Image i) {
    return new HostTools(ostree, i, packages, systemd, microshiftAdmin);
  }

  public HostTools withPackages(Packages p) {
    return new HostTools(ostree, image, p, systemd, microshiftAdmin);
  }

  public HostTools withSystemd(Systemd s) {
    return new HostTools(ostree, image, packages, s, microshiftAdmin);
  }

  public HostTools withMicroshiftAdmin(MicroShiftAdmin m) {
    return new HostTools(ostree, image, packages, systemd, m);
  }
}
