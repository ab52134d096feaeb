package io.microshift.update.etcd;

import io.microshift.update.api.Durations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the host agent reaches MicroShift's etcd: endpoints and the mTLS client material of the
 * kube-apiserver, read from the host's MicroShift cert dir (the operator holds none of it).
 *
 * <p>The defaults are MicroShift's own, from openshift/microshift:
 * {@code pkg/util/cryptomaterial/certpaths.go} ({@code CertsDirectory(dataDir) = <dataDir>/certs},
 * {@code EtcdSignerDir = <certs>/etcd-signer}, {@code EtcdAPIServerClientCertDir =
 * <certs>/etcd-signer/apiserver-etcd-client}, files {@code ca.crt}, {@code client.crt},
 * {@code client.key}) and {@code pkg/controllers/kube-apiserver.go}, which passes exactly these as
 * the kube-apiserver's {@code --etcd-cafile}, {@code --etcd-certfile} and {@code --etcd-keyfile}.
 * MicroShift's etcd listens on the loopback client port 2379.
 *
 * <p>With only {@code http://} endpoints (tests) the certificate paths are ignored.
 */
public record EtcdClientConfig(
    List<URI> endpoints,
    Path caCert,
    Path clientCert,
    Path clientKey,
    Duration connectTimeout,
    Duration requestTimeout) {

  public static final Path MICROSHIFT_CERTS_DIR = Path.of("/var/lib/microshift/certs");
  public static final String DEFAULT_ENDPOINT = "https://localhost:2379";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Environment variables read by {@link #fromEnvironment(Map)}. */
  public static final String ENV_ENDPOINTS = "ETCD_ENDPOINTS";
  public static final String ENV_CERTS_DIR = "MICROSHIFT_CERTS_DIR";
  public static final String ENV_CACERT = "ETCD_CACERT";
  public static final String ENV_CERT = "ETCD_CERT";
  public static final String ENV_KEY = "ETCD_KEY";
  public static final String ENV_CONNECT_TIMEOUT = "ETCD_CONNECT_TIMEOUT";
  public static final String ENV_REQUEST_TIMEOUT = "ETCD_REQUEST_TIMEOUT";

  /** A bare number in a timeout variable is seconds. */
  private static final Pattern SECONDS = Pattern.compile("^[0-9]{1,6}$");

  public EtcdClientConfig {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    endpoints = List.copyOf(endpoints);
    boolean https = false;
    for (URI e : endpoints) {
      String scheme = e.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || e.getHost() == null || e.getPort() < 1) {
        throw new IllegalArgumentException(
            "etcd endpoint '" + e + "' must look like https://host:port (or http://host:port)");
      }
      https |= "https".equals(scheme);
    }
    if (https && (caCert == null || clientCert == null || clientKey == null)) {
      throw new IllegalArgumentException(
          "https etcd endpoints need a CA certificate, a client certificate and a client key");
    }
    requirePositive(connectTimeout, "connect timeout");
    requirePositive(requestTimeout, "request timeout");
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  /** MicroShift's etcd on this host, as its kube-apiserver reaches it. */
  public static EtcdClientConfig microshiftDefaults() {
    return fromCertsDir(MICROSHIFT_CERTS_DIR);
  }

  private static EtcdClientConfig fromCertsDir(Path certsDir) {
    Path signer = certsDir.resolve("etcd-signer");
    Path client = signer.resolve("apiserver-etcd-client");
    return new EtcdClientConfig(List.of(URI.create(DEFAULT_ENDPOINT)),
        signer.resolve("ca.crt"), client.resolve("client.crt"), client.resolve("client.key"),
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  /**
   * MicroShift's defaults, each overridable: {@code ETCD_ENDPOINTS} (comma-separated URLs),
   * {@code MICROSHIFT_CERTS_DIR} (moves all three defaults), {@code ETCD_CACERT}, {@code ETCD_CERT},
   * {@code ETCD_KEY}, {@code ETCD_CONNECT_TIMEOUT} and {@code ETCD_REQUEST_TIMEOUT} ({@code 500ms},
   * {@code 10s}, {@code 1m}; a bare number is seconds).
   */
  public static EtcdClientConfig fromEnvironment(Map<String, String> env) {
    String certsDir = value(env, ENV_CERTS_DIR);
    EtcdClientConfig base = certsDir == null ? microshiftDefaults() : fromCertsDir(Path.of(certsDir));
    String endpoints = value(env, ENV_ENDPOINTS);
    return new EtcdClientConfig(
        endpoints == null ? base.endpoints() : parseEndpoints(endpoints),
        pathOr(env, ENV_CACERT, base.caCert()),
        pathOr(env, ENV_CERT, base.clientCert()),
        pathOr(env, ENV_KEY, base.clientKey()),
        durationOr(env, ENV_CONNECT_TIMEOUT, base.connectTimeout()),
        durationOr(env, ENV_REQUEST_TIMEOUT, base.requestTimeout()));
  }

  /** A plaintext etcd (tests), default timeouts. */
  public static EtcdClientConfig plaintext(String endpoint) {
    return new EtcdClientConfig(List.of(URI.create(endpoint)), null, null, null,
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  public EtcdClientConfig withTimeouts(Duration connect, Duration request) {
    return new EtcdClientConfig(endpoints, caCert, clientCert, clientKey, connect, request);
  }

  public boolean tls() {
    return endpoints.stream().anyMatch(e -> "https".equals(e.getScheme()));
  }

  /** For messages: the endpoints as one string. */
  public String endpointList() {
    return String.join(",", endpoints.stream().map(URI::toString).toList());
  }

  static List<URI> parseEndpoints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(URI::create).toList();
  }

  private static String value(Map<String, String> env, String key) {
    String v = env.get(key);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static Path pathOr(Map<String, String> env, String key, Path fallback) {
    String v = value(env, key);
    return v == null ? fallback : Path.of(v);
  }

  private static Duration durationOr(Map<String, String> env, String key, Duration fallback) {
    String v = value(env, key);
    if (v == null) {
      return fallback;
    }
    try {
      return Durations.parse(SECONDS.matcher(v).matches() ? v + "s" : v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + "='" + v + "': use e.g. 500ms, 10s, 1m or 1m30s (a bare number is seconds)");
    }
  }
}
