package io.microshift.update.operator;

import java.nio.file.Path;
import java.util.Map;

/** The operator's runtime configuration, from environment variables (see operator/README.md). */
public record OperatorConfig(String namespace, boolean leaderElection, Path stateDir, int httpPort) {
  public static final String DEFAULT_STATE_DIR = "/var/lib/microshift-update";

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
    return new OperatorConfig(namespace, leader, stateDir, port);
  }
}
