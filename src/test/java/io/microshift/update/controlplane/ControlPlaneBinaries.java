package io.microshift.update.controlplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the control plane's binaries are: the directory that {@code hack/controlplane-build}
 * printed, given as {@code -Dmsu.controlplane.bin=DIR} (hack/test does) or {@code
 * MSU_CONTROLPLANE_BIN}. Absent binaries fail the test, unless {@code MSU_CONTROLPLANE=optional}
 * says that this machine may skip the control-plane tests.
 */
public final class ControlPlaneBinaries {
  public static final List<String> NAMES = List.of("etcd", "kube-apiserver", "kube-controller-manager",
      "kube-scheduler", "kwok", "argo-health");
  private final Path dir;

  private ControlPlaneBinaries(Path dir) {
    this.dir = dir;
  }

  /** The binaries, or a failed (or, where allowed, skipped) test that says how to build them. */
  public static ControlPlaneBinaries require() {
    String where = System.getProperty("msu.controlplane.bin", System.getenv("MSU_CONTROLPLANE_BIN"));
    String missing = where == null || where.isBlank() ? "no -Dmsu.controlplane.bin nor MSU_CONTROLPLANE_BIN"
        : NAMES.stream().map(n -> Path.of(where, n)).filter(p -> !Files.isExecutable(p)).map(Path::toString)
            .reduce((a, b) -> a + ", " + b).map(s -> "missing " + s).orElse(null);
    if (missing == null) {
      return new ControlPlaneBinaries(Path.of(where));
    }
    String message = "the control-plane binaries are absent (" + missing + "): build them with"
        + " hack/controlplane-build and pass its directory as -Dmsu.controlplane.bin=DIR"
        + " (hack/test does both)";
    Assumptions.assumeFalse("optional".equals(System.getenv("MSU_CONTROLPLANE")), message);
    throw new IllegalStateException(message + "; or set MSU_CONTROLPLANE=optional to skip these tests");
  }

  public Path dir() {
    return dir;
  }

  public Path binary(String name) {
    return dir.resolve(name);
  }
}
