package io.microshift.update.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-member etcd ({@code /usr/bin/etcd}, Debian's {@code etcd-server}) on free loopback
 * ports with its own temp data dir, for tests in any package. Plain HTTP; start it with
 * {@link #start()} or {@link #builder()}, close it to stop it and delete its files.
 *
 * <p>Fails (never skips) when etcd is not installed: CI installs {@code etcd-server}.
 */
public final class EtcdServerFixture implements AutoCloseable {

  public static final Path ETCD = Path.of("/usr/bin/etcd");
  public static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path workDir;
  private final Path dataDir;
  private final String name;
  private final long quotaBackendBytes;
  private final boolean tls;
  private int clientPort;
  private int peerPort;
  private Process process;
  private int starts;
  private final Path binary;

  /** Options for a fixture; {@link #start()} launches etcd and waits until it serves clients. */
  public static final class Builder {
    private long quotaBackendBytes;
    private Path dataDir;
    private String name = "fixture";
    private boolean tls;
    private Path binary = ETCD;

    /** Another etcd binary than Debian's (the control-plane tests' etcd of their Kubernetes release). */
    public Builder binary(Path etcd) {
      this.binary = etcd;
      return this;
    }

    /**
     * Serve clients over TLS and require client certificates, with a CA and certificates made by
     * openssl in MicroShift's layout under {@link #certsDir()} (RSA keys in PKCS#1, as MicroShift
     * writes them).
     */
    public Builder mutualTls() {
      this.tls = true;
      return this;
    }

    /** etcd's {@code --quota-backend-bytes}; 0 keeps etcd's default (2 GiB). */
    public Builder quotaBackendBytes(long bytes) {
      this.quotaBackendBytes = bytes;
      return this;
    }

    /** Start on an existing data dir (e.g. one made by {@code etcdctl snapshot restore}). */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    public Builder name(String memberName) {
      this.name = memberName;
      return this;
    }

    public EtcdServerFixture start() {
      EtcdServerFixture fixture = new EtcdServerFixture(this);
      try {
        fixture.startProcess();
      } catch (RuntimeException | Error e) {
        fixture.close();
        throw e;
      }
      return fixture;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static EtcdServerFixture start() {
    return builder().start();
  }

  private EtcdServerFixture(Builder b) {
    requireInstalled(b.binary);
    this.binary = b.binary;
    try {
      this.workDir = Files.createTempDirectory("etcd-fixture-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.tls = b.tls;
    this.dataDir = b.dataDir != null ? b.dataDir : workDir.resolve("data");
    this.name = b.name;
    this.quotaBackendBytes = b.quotaBackendBytes;
  }

  static void requireInstalled(Path binary) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: install Debian's etcd-server and"
          + " etcd-client packages (apt-get install etcd-server etcd-client); these tests need a"
          + " real etcd and are not skipped");
    }
  }

  /** {@code http://127.0.0.1:<client port>}, or {@code https://localhost:<port>} with TLS. */
  public String endpoint() {
    return tls ? "https://localhost:" + clientPort : "http://127.0.0.1:" + clientPort;
  }

  private String listenUrl() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + clientPort;
  }

  /** With {@link Builder#mutualTls()}: a MicroShift-like certs dir (etcd-signer/...). */
  public Path certsDir() {
    return workDir.resolve("certs");
  }

  public int clientPort() {
    return clientPort;
  }

  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  public String name() {
    return name;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** A scratch dir deleted with the fixture. */
  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return workDir.resolve("etcd-" + starts + ".log");
  }

  /** A client configuration for this etcd (with TLS: MicroShift's layout under certsDir()). */
  public EtcdClientConfig clientConfig() {
    if (!tls) {
      return EtcdClientConfig.plaintext(endpoint());
    }
    return EtcdClientConfig.fromEnvironment(Map.of(
        EtcdClientConfig.ENV_CERTS_DIR, certsDir().toString(),
        EtcdClientConfig.ENV_ENDPOINTS, endpoint()));
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  private void startProcess() {
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      if (starts == 0 || attempt > 0) {
        clientPort = freePort();
        peerPort = freePort();
      }
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        last = e; // most likely a port taken between probing and binding: try new ports
        destroy(true);
      }
    }
    throw last;
  }

  private void launch() {
    starts++;
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "--name", name,
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", listenUrl(),
        "--advertise-client-urls", listenUrl(),
        "--listen-peer-urls", peerUrl(),
        "--initial-advertise-peer-urls", peerUrl(),
        "--initial-cluster", name + "=" + peerUrl(),
        "--initial-cluster-state", "new",
        "--logger", "zap",
        "--log-outputs", "stderr"));
    if (tls) {
      makeCertificates();
      Path signer = certsDir().resolve("etcd-signer");
      cmd.addAll(List.of("--cert-file", signer.resolve("etcd-serving/server.crt").toString(),
          "--key-file", signer.resolve("etcd-serving/server.key").toString(),
          "--trusted-ca-file", signer.resolve("ca.crt").toString(),
          "--client-cert-auth"));
    }
    if (quotaBackendBytes > 0) {
      cmd.add("--quota-backend-bytes");
      cmd.add(Long.toString(quotaBackendBytes));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logFile().toFile());
    scrubEtcdEnvironment(pb.environment());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    waitServing();
  }

  /** etcd reads every ETCD_* variable as a flag; the caller's (e.g. ETCD_ENDPOINTS) must not leak. */
  static void scrubEtcdEnvironment(Map<String, String> env) {
    env.keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
  }

  private void waitServing() {
    if (tls) {
      waitServingTls();
      return;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint() + "/version"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        // /version answers only once the member has published itself through raft: ready.
        if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd", e);
      }
      sleep(50);
    }
    throw new IllegalStateException("etcd did not serve " + endpoint() + " within " + START_TIMEOUT
        + ":\n" + logTail());
  }

  private void waitServingTls() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + logTail());
      }
      if (etcdctl("endpoint", "status").exitCode() == 0) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("etcd did not serve " + endpoint() + " within " + START_TIMEOUT
        + ":\n" + logTail());
  }

  /** CA, serving and client certificates in MicroShift's etcd-signer layout, once per fixture. */
  private void makeCertificates() {
    Path signer = certsDir().resolve("etcd-signer");
    if (Files.exists(signer.resolve("ca.crt"))) {
      return;
    }
    Path serving = signer.resolve("etcd-serving");
    Path client = signer.resolve("apiserver-etcd-client");
    try {
      Files.createDirectories(serving);
      Files.createDirectories(client);
      Files.writeString(serving.resolve("ext"),
          "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
      Files.writeString(client.resolve("ext"), "extendedKeyUsage=clientAuth\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=etcd-signer",
        "-keyout", signer.resolve("ca.key").toString(), "-out", signer.resolve("ca.crt").toString());
    issue(signer, serving, "server", "etcd-server");
    issue(signer, client, "client", "system:etcd-peer:etcd-client");
  }

  private static void issue(Path signer, Path dir, String base, String cn) {
    Path key = dir.resolve(base + ".key");
    Path csr = dir.resolve(base + ".csr");
    openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
    openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-out", csr.toString());
    openssl("x509", "-req", "-in", csr.toString(), "-CA", signer.resolve("ca.crt").toString(),
        "-CAkey", signer.resolve("ca.key").toString(), "-CAcreateserial", "-days", "2",
        "-extfile", dir.resolve("ext").toString(), "-out", dir.resolve(base + ".crt").toString());
  }

  private static void openssl(String... args) {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(Arrays.asList(args));
    run(cmd).requireSuccess();
  }

  /** The last lines of the current etcd log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Graceful stop (SIGTERM); the data dir stays. */
  public void stop() {
    destroy(false);
  }

  /** SIGKILL, as a crash or a power cut would; the data dir stays. */
  public void kill() {
    destroy(true);
  }

  /** Stops if running, then starts again on the same ports and data dir. */
  public void restart() {
    stop();
    launch();
  }

  private void destroy(boolean force) {
    if (process == null) {
      return;
    }
    if (force) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Runs etcdctl (API v3) against this etcd; returns its exit code and combined output. */
  public CommandResult etcdctl(String... args) {
    List<String> cmd = new ArrayList<>(List.of(ETCDCTL.toString(), "--endpoints", endpoint()));
    if (tls) {
      Path signer = certsDir().resolve("etcd-signer");
      cmd.addAll(List.of("--cacert", signer.resolve("ca.crt").toString(),
          "--cert", signer.resolve("apiserver-etcd-client/client.crt").toString(),
          "--key", signer.resolve("apiserver-etcd-client/client.key").toString()));
    }
    cmd.addAll(Arrays.asList(args));
    return run(cmd);
  }

  /** Runs etcdctl without an endpoint (e.g. {@code snapshot status}, {@code snapshot restore}). */
  public static CommandResult etcdctlOffline(String... args) {
    List<String> cmd = new ArrayList<>(List.of(ETCDCTL.toString()));
    cmd.addAll(Arrays.asList(args));
    return run(cmd);
  }

  public record CommandResult(int exitCode, String output) {
    public CommandResult requireSuccess() {
      if (exitCode != 0) {
        throw new IllegalStateException("exit code " + exitCode + ": " + output);
      }
      return this;
    }
  }

  static CommandResult run(List<String> cmd) {
    if (cmd.get(0).startsWith("/")) {
      requireInstalled(Path.of(cmd.get(0)));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    scrubEtcdEnvironment(pb.environment());
    pb.environment().put("ETCDCTL_API", "3");
    try {
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      return new CommandResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + cmd, e);
    }
  }

  /**
   * Restores {@code snapshot} with {@code etcdctl snapshot restore} into a new data dir and starts
   * etcd on it (hash check on, as an operator would restore).
   */
  public static EtcdServerFixture restoredFrom(Path snapshot) {
    requireInstalled(ETCDCTL);
    Builder b = builder().name("restored");
    EtcdServerFixture fixture = new EtcdServerFixture(b);
    try {
      fixture.clientPort = freePort();
      fixture.peerPort = freePort();
      etcdctlOffline("snapshot", "restore", snapshot.toString(),
          "--name", fixture.name,
          "--data-dir", fixture.dataDir.toString(),
          "--initial-cluster", fixture.name + "=" + fixture.peerUrl(),
          "--initial-advertise-peer-urls", fixture.peerUrl()).requireSuccess();
      fixture.launch();
      return fixture;
    } catch (RuntimeException e) {
      fixture.close();
      throw e;
    }
  }

  /** A port that was free on 127.0.0.1 a moment ago. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops etcd (SIGKILL: its data is thrown away) and deletes the temp dir. */
  @Override
  public void close() {
    destroy(true);
    deleteRecursively(workDir);
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
