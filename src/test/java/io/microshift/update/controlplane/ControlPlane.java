package io.microshift.update.controlplane;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.etcd.EtcdServerFixture;
import io.microshift.update.operator.OperatorClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * A real Kubernetes control plane on loopback: etcd (its own, or the device's), kube-apiserver
 * with RBAC, kube-controller-manager, kube-scheduler and kwok as the one node's kubelet. The API
 * server makes its own self-signed serving certificate ({@code --cert-dir}); the admin and the
 * components authenticate with a static token ({@code --token-auth-file}, group system:masters),
 * ServiceAccounts with tokens that the API server signs ({@link #serviceAccountToken}). Requests
 * of the operator's ServiceAccount go to an audit log ({@link #auditLog()}).
 *
 * <p>kwok answers {@code pods/exec} of every pod by running the command on this machine
 * ({@code ClusterExec}, local), with {@link Builder#execPath} first on its PATH.
 */
public final class ControlPlane implements AutoCloseable {
  public static final String NODE = "device";
  public static final String OPERATOR_USER = "system:serviceaccount:microshift-update:microshift-update-operator";
  private static final Duration START = Duration.ofSeconds(120);

  /** How the control plane is set up. */
  public static final class Builder {
    private final ControlPlaneBinaries bins;
    private Path workDir;
    private String etcdEndpoint;
    private Path execPath;
    private final Map<String, String> execEnv = new LinkedHashMap<>();

    private Builder(ControlPlaneBinaries bins) {
      this.bins = bins;
    }

    /** Certificates, tokens, logs (default: a new temp dir). */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Store the API in this etcd (MicroShift's) instead of one of its own. */
    public Builder etcd(String endpoint) {
      this.etcdEndpoint = endpoint;
      return this;
    }

    /** A directory put first on kwok's PATH: the programs that {@code kubectl exec} runs. */
    public Builder execPath(Path dir) {
      this.execPath = dir;
      return this;
    }

    /** An environment variable of every exec'ed command. */
    public Builder execEnv(String name, String value) {
      execEnv.put(name, value);
      return this;
    }

    public ControlPlane start() {
      try {
        ControlPlane cp = new ControlPlane(this, workDir != null ? workDir : Files.createTempDirectory("msu-controlplane-"));
        cp.startAll();
        return cp;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static Builder builder(ControlPlaneBinaries bins) {
    return new Builder(bins);
  }

  private final Builder b;
  private final Path dir;
  private final Path logs;
  private final String adminToken = UUID.randomUUID().toString();
  private final int apiPort = EtcdServerFixture.freePort();
  private final int kwokPort = EtcdServerFixture.freePort();
  private final List<Daemon> daemons = new ArrayList<>();
  private Daemon etcd;
  private String etcdEndpoint;
  private KubernetesClient admin;

  private ControlPlane(Builder b, Path dir) throws IOException {
    this.b = b;
    this.dir = dir;
    this.logs = dir.resolve("logs");
    Files.createDirectories(logs);
    Files.writeString(dir.resolve("tokens.csv"), adminToken + ",admin,admin,\"system:masters\"\n");
    writeServiceAccountKey(dir.resolve("sa.key"));
    Files.writeString(dir.resolve("audit-policy.yaml"), String.join("\n",
        "apiVersion: audit.k8s.io/v1",
        "kind: Policy",
        "omitStages: [RequestReceived]",
        "rules:",
        "- level: Metadata",
        "  users: [\"" + OPERATOR_USER + "\"]",
        "- level: None", ""));
  }

  /** An RSA key for signing ServiceAccount tokens, PKCS #8 PEM. */
  private static void writeServiceAccountKey(Path file) throws IOException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      byte[] der = g.generateKeyPair().getPrivate().getEncoded();
      Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void startAll() {
    if (b.etcdEndpoint == null) {
      int client = EtcdServerFixture.freePort();
      int peer = EtcdServerFixture.freePort();
      etcdEndpoint = "http://127.0.0.1:" + client;
      etcd = Daemon.start("etcd", logs, List.of(b.bins.binary("etcd").toString(), "--name", "cp",
          "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls", etcdEndpoint,
          "--advertise-client-urls", etcdEndpoint, "--listen-peer-urls", "http://127.0.0.1:" + peer,
          "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
          "--initial-cluster", "cp=http://127.0.0.1:" + peer), Map.of());
    } else {
      etcdEndpoint = b.etcdEndpoint;
    }
    startKubernetes();
  }

  /** kube-apiserver, then the controllers, the scheduler and kwok; waits until the node is Ready. */
  public void startKubernetes() {
    Path certs = dir.resolve("apiserver-certs");
    Daemon api = Daemon.start("kube-apiserver", logs, List.of(b.bins.binary("kube-apiserver").toString(),
        "--etcd-servers=" + etcdEndpoint,
        "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + apiPort,
        "--cert-dir=" + certs,
        "--token-auth-file=" + dir.resolve("tokens.csv"),
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-account-key-file=" + dir.resolve("sa.key"),
        "--service-account-signing-key-file=" + dir.resolve("sa.key"),
        "--service-cluster-ip-range=10.43.0.0/16",
        "--allow-privileged=true",
        "--kubelet-preferred-address-types=InternalIP",
        "--audit-policy-file=" + dir.resolve("audit-policy.yaml"),
        "--audit-log-path=" + auditLog(),
        "--audit-log-mode=blocking",
        "--enable-priority-and-fairness=false",
        // the loopback address cannot be the kubernetes Service's endpoint; nothing uses it here
        "--endpoint-reconciler-type=none"), Map.of());
    daemons.add(api);
    await("kube-apiserver ready", api, this::apiReady);
    writeKubeconfig(dir.resolve("admin.kubeconfig"));
    String kubeconfig = "--kubeconfig=" + dir.resolve("admin.kubeconfig");
    daemons.add(Daemon.start("kube-controller-manager", logs, List.of(
        b.bins.binary("kube-controller-manager").toString(), kubeconfig, "--secure-port=0", "--leader-elect=false",
        "--service-account-private-key-file=" + dir.resolve("sa.key"),
        "--root-ca-file=" + certs.resolve("apiserver.crt"),
        "--use-service-account-credentials=false",
        // MicroShift's own client limits for its controllers (openshift/microshift
        // assets/controllers/kube-controller-manager/defaultconfig.yaml, kube-api-qps 150 and
        // kube-api-burst 300, asserted in pkg/controllers/kube-controller-manager_test.go
        // TestConfigure); upstream's defaults, 20 and 30, made the ReplicaSet controller take
        // tens of seconds to delete the pods of 200 paused Deployments
        "--kube-api-qps=150", "--kube-api-burst=300"), Map.of()));
    daemons.add(Daemon.start("kube-scheduler", logs, List.of(b.bins.binary("kube-scheduler").toString(), kubeconfig,
        "--secure-port=0", "--leader-elect=false"), Map.of()));
    writeKwokConfig(dir.resolve("kwok.yaml"));
    Map<String, String> kwokEnv = new LinkedHashMap<>();
    if (b.execPath != null) {
      kwokEnv.put("PATH", b.execPath + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }
    List<String> kwokCommand = List.of(b.bins.binary("kwok").toString(), kubeconfig,
        "--config=" + dir.resolve("kwok.yaml"), "--manage-all-nodes=true",
        "--node-ip=127.0.0.1", "--node-name=" + NODE, "--node-port=" + kwokPort,
        "--server-address=127.0.0.1:" + kwokPort,
        "--tls-cert-file=" + certs.resolve("apiserver.crt"), "--tls-private-key-file=" + certs.resolve("apiserver.key"),
        "--node-lease-duration-seconds=40");
    Daemon kwok = Daemon.start("kwok", logs, kwokCommand, kwokEnv);
    daemons.add(kwok);
    if (admin().nodes().withName(NODE).get() == null) {
      admin().nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
          .addToAnnotations("kwok.x-k8s.io/node", "fake").addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
          .addToLabels("kubernetes.io/hostname", NODE).addToLabels("kubernetes.io/os", "linux")
          .addToLabels("node-role.kubernetes.io/master", "").addToLabels("node-role.kubernetes.io/control-plane", "")
          .endMetadata().withNewStatus()
          .addToAllocatable(Map.of("cpu", new Quantity("32"), "memory", new Quantity("256Gi"), "pods", new Quantity("1000")))
          .addToCapacity(Map.of("cpu", new Quantity("32"), "memory", new Quantity("256Gi"), "pods", new Quantity("1000")))
          .withNewNodeInfo().withOsImage("Red Hat Enterprise Linux 9.4 (Plow)").withArchitecture("amd64")
          .withOperatingSystem("linux").withKubeletVersion("v1.34.4").endNodeInfo()
          .endStatus().build()).create();
    }
    BooleanSupplier nodeReady = () -> {
      var n = admin().nodes().withName(NODE).get();
      return n != null && n.getStatus() != null && n.getStatus().getConditions() != null
          && n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    };
    try {
      await("node " + NODE + " Ready", kwok, nodeReady);
    } catch (IllegalStateException e) {
      if (kwok.isAlive()) {
        throw e;
      }
      // kwok v0.7.0 (and v0.8.0) can die while it starts: github.com/wzshiming/easycel v0.6.0
      // types.go getTypeValue reads and writes the package-level typeValueMap without a lock, and
      // kwok builds CEL environments from several goroutines at start (pkg/kwok/server/metrics.go
      // initCEL, pkg/utils/lifecycle/lifecycle.go), so Go may end it with "concurrent map writes".
      // No easycel release fixes it; the race is in start-up only, so kwok is started once more
      System.err.println("ControlPlane: kwok exited while it started; starting it once more\n" + kwok.logTail());
      kwok.stop(1);
      daemons.remove(kwok);
      Daemon again = Daemon.start("kwok", logs, kwokCommand, kwokEnv);
      daemons.add(again);
      await("node " + NODE + " Ready (kwok started a second time)", again, nodeReady);
    }
  }

  /** kube-apiserver, the controllers and kwok stopped (etcd keeps running). */
  public void stopKubernetes() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).stop(15);
    }
    daemons.clear();
  }

  private boolean apiReady() {
    try {
      return "ok".equals(admin().raw("/readyz"));
    } catch (RuntimeException e) {
      if (admin != null) {
        admin.close();
        admin = null;
      }
      return false;
    }
  }

  private void await(String what, Daemon daemon, BooleanSupplier ready) {
    long deadline = System.nanoTime() + START.toNanos();
    while (!ready.getAsBoolean()) {
      if (!daemon.isAlive()) {
        throw new IllegalStateException(daemon.logTail() + "\n" + what + ": the process exited");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(daemon.logTail() + "\n" + what + ": not within " + START);
      }
      sleep(200);
    }
  }

  private void writeKubeconfig(Path file) {
    try {
      Files.writeString(file, String.join("\n",
          "apiVersion: v1", "kind: Config",
          "clusters:", "- name: cp", "  cluster:", "    server: " + url(),
          "    certificate-authority: " + caFile(),
          "users:", "- name: admin", "  user:", "    token: " + adminToken,
          "contexts:", "- name: cp", "  context: {cluster: cp, user: admin}",
          "current-context: cp", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kwok: the default node and pod stages, and exec answered locally for every pod. */
  private void writeKwokConfig(Path file) {
    StringBuilder y = new StringBuilder(String.join("\n",
        "kind: ClusterExec", "apiVersion: kwok.x-k8s.io/v1alpha1", "metadata:", "  name: local", "spec:",
        "  execs:", "  - local:", "      workDir: " + dir, "      envs:", ""));
    b.execEnv.forEach((k, v) -> y.append("      - name: ").append(k).append("\n        value: \"").append(v)
        .append("\"\n"));
    if (b.execEnv.isEmpty()) {
      y.append("      - name: MSU_EXEC\n        value: \"1\"\n");
    }
    try {
      Files.writeString(file, y.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  /** The API server's self-signed serving certificate (with its CA), as the clients' trust anchor. */
  public Path caFile() {
    return dir.resolve("apiserver-certs/apiserver.crt");
  }

  public Path auditLog() {
    return logs.resolve("audit.log");
  }

  public Path workDir() {
    return dir;
  }

  public String etcdEndpoint() {
    return etcdEndpoint;
  }

  private Config config(String token) {
    return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withOauthToken(token)
        .withCaCertFile(caFile().toString()).withRequestTimeout(30_000).withConnectionTimeout(10_000).build();
  }

  /** The admin's client (system:masters), shared; closed with the control plane. */
  public synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = new KubernetesClientBuilder().withConfig(config(adminToken)).build();
    }
    return admin;
  }

  /** A new client that authenticates with {@code token}, with the given JSON mapping; the caller closes it. */
  public KubernetesClient client(String token, KubernetesSerialization serialization) {
    // the operator's own HTTP client and TLS, against the API server's CA and certificate
    return OperatorClients.builder(config(token)).withKubernetesSerialization(serialization).build();
  }

  /** A token for the ServiceAccount, from the API server's TokenRequest API (valid an hour). */
  public String serviceAccountToken(String namespace, String name) {
    return admin().serviceAccounts().inNamespace(namespace).withName(name)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  /** Every log's tail, for a failure message. */
  public String logTails() {
    StringBuilder s = new StringBuilder();
    daemons.forEach(d -> s.append(d.logTail()).append('\n'));
    return s.toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    stopKubernetes();
    if (etcd != null) {
      etcd.stop(10);
    }
  }
}
