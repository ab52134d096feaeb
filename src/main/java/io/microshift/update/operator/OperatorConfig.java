package io.microshift.update.operator;

import java.nio.file.Path;
import java.util.Map;

/** The operator's runtime configuration, from environment variables (see operator/README.md). */
public record OperatorConfig(String namespace, boolean leaderElection, Path stateDir, int httpPort,
    ApiTls apiTls) {
  public static final String DEFAULT_STATE_DIR = "/var/lib/microshift-update";

  /** Who does the TLS of the Kubernetes API calls ({@code API_TLS}). */
  public enum ApiTls {
    /** BoringSSL through netty-tcnative, else (FIPS mode, or it did not load) the JDK's. The default. */
    BORINGSSL,
    /** The JDK's own TLS. */
    JDK
  }

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    String namespace = env.getOrDefault("OPERATOR_NAMESPACE", "microshift-update");
    boolean leader = Boolean.parseBoolean(env.getOrDefault("LEADER_ELECTION", "true"));
    Path stateDir = Path.of(env.getOrDefault("STATE_DIR", DEFAULT_STATE_DIR));
    int port;
    try {
      port = Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("HTTP_PORT must be a port number, got " + env.get("HTTP_PORT"));
    }
    String tls = env.getOrDefault("API_TLS", "boringssl");
    ApiTls apiTls = switch (tls) {
      case "boringssl" -> ApiTls.BORINGSSL;
      case "jdk" -> ApiTls.JDK;
      default -> throw new IllegalArgumentException("API_TLS must be boringssl or jdk, got " + tls);
    };
    return new OperatorConfig(namespace, leader, stateDir, port, apiTls);
  }
}
