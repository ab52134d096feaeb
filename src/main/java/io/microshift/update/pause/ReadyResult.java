package io.microshift.update.pause;

import java.util.List;

/**
 * @param ready every resumed Deployment and StatefulSet has as many ready replicas as it asks for
 * @param waiting one line per workload still coming up, e.g. "StatefulSet shop/postgres 0/1 ready"
 */
public record ReadyResult(boolean ready, List<String> waiting) {
  public ReadyResult {
    waiting = List.copyOf(waiting);
  }

  public String message() {
    return ready ? "all resumed workloads are ready"
        : "waiting for resumed workloads to be ready: " + String.join(", ", waiting);
  }
}
