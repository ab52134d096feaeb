package io.microshift.update.sim;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.controlplane.ControlPlane;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import io.microshift.update.controlplane.DeviceManifests;
import io.microshift.update.operator.OperatorClients;
import io.microshift.update.operator.OperatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The simulated device's Kubernetes API on a real control plane ({@link ControlPlane}): the API
 * server stores into MicroShift's etcd (the device's), so what a restore of the data dir brings
 * back is what the API serves after the next start, as on a device. The API server, the
 * controllers, the scheduler and kwok stop with MicroShift and start after its etcd. The CRD,
 * the RBAC, the ServiceAccount and the Deployment come from the repository; the operator's client
 * authenticates with its ServiceAccount's token, and runs with the Deployment's environment
 * (leader election on).
 *
 * <p>The workload's container program {@code app-data} is a script that kwok runs for each exec
 * (its ClusterExec, local): the hooks' side effects on the app's data dir, as {@link
 * SimulatedDevice}'s mock exec answers have them.
 */
final class RealDeviceApi implements AutoCloseable {
  private final ControlPlane cp;
  private final Path repo;
  private final Path execLog;

  RealDeviceApi(ControlPlaneBinaries bins, Path workDir, String etcdEndpoint, Path appDataDir, Path bootIdFile,
      Path repo) {
    this.repo = repo;
    this.execLog = workDir.resolve("exec.log");
    Path bin = workDir.resolve("bin");
    try {
      Files.createDirectories(bin);
      Files.writeString(execLog, "");
      Path program = bin.resolve("app-data");
      Files.writeString(program, APP_DATA_PROGRAM);
      Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.cp = ControlPlane.builder(bins).workDir(workDir.resolve("controlplane")).etcd(etcdEndpoint).execPath(bin)
        .execEnv("MSU_APP_DATA", appDataDir.toString()).execEnv("MSU_BOOT_ID_FILE", bootIdFile.toString())
        .execEnv("MSU_EXEC_LOG", execLog.toString()).start();
  }

  /** The hooks' program in the shop/web container: what {@code SimulatedDevice.execSideEffect} does. */
  static final String APP_DATA_PROGRAM = String.join("\n",
      "#!/bin/bash",
      "# app-data: the program of shop/web's container; kwok runs it for each exec of the hooks.",
      "# Both replicas run each hook, at the same time: a copy goes to a file of its own, then is",
      "# renamed over the target, so that two copies never write one file at once.",
      "set -eu",
      "echo \"shop/web: app-data $*\" >> \"$MSU_EXEC_LOG\"",
      "copy() { local tmp; tmp=$(mktemp \"$2.XXXXXX\"); cp \"$1\" \"$tmp\"; mv -f \"$tmp\" \"$2\"; }",
      "case \"${1:-}\" in",
      "  backup) if [ -f \"$MSU_APP_DATA/current\" ]; then copy \"$MSU_APP_DATA/current\" \"$MSU_APP_DATA/backup\"; fi ;;",
      "  restore)",
      "    if [ -f \"$MSU_APP_DATA/backup\" ]; then",
      "      copy \"$MSU_APP_DATA/backup\" \"$MSU_APP_DATA/current\"",
      "      echo \"restored by shop/web on boot $(cat \"$MSU_BOOT_ID_FILE\")\" > \"$MSU_APP_DATA/restored-by-hook\"",
      "    fi ;;",
      "  check) ;;",
      "  *) echo \"app-data: unknown verb ${1:-}\" >&2; exit 2 ;;",
      "esac", "");

  ControlPlane controlPlane() {
    return cp;
  }

  /** A new admin client; the caller closes it. */
  KubernetesClient newClient() {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(cp.admin().getConfiguration()).build();
  }

  /** A new client as the operator's ServiceAccount, configured like the operator's own. */
  KubernetesClient newOperatorClient() {
    return cp.client(cp.serviceAccountToken(DeviceManifests.NAMESPACE, DeviceManifests.SERVICE_ACCOUNT),
        OperatorClients.serialization());
  }

  /** The CRD, the manifests and the workload's namespace. */
  void install(String appNamespace) {
    DeviceManifests.apply(cp.admin(), repo);
    cp.admin().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(appNamespace).endMetadata()
        .build()).createOr(x -> x.update());
  }

  /** The lease's namespace when the Deployment turns leader election on, else null. */
  String leaderElectionNamespace() {
    OperatorConfig config = OperatorConfig.fromEnvironment(DeviceManifests.operatorEnvironment(cp.admin()));
    return config.leaderElection() ? config.namespace() : null;
  }

  /** The execs that kwok ran, as {@code ns/pod: argv}. */
  List<String> execs() {
    try {
      return Files.readAllLines(execLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** MicroShift stops: the API server and the rest stop before etcd does. */
  void stop() {
    cp.stopKubernetes();
  }

  /** MicroShift starts: after etcd, the API server (on the same port and certificate) and the rest. */
  void start() {
    cp.startKubernetes();
  }

  @Override
  public void close() {
    cp.close();
  }
}
