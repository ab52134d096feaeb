package io.microshift.update.pause;

import java.util.List;

/**
 * @param drained no pod of a workload paused by the plan is left (terminating pods count as left)
 * @param remainingPods namespace/name of the pods still there, in a stable order
 */
public record DrainResult(boolean drained, List<String> remainingPods) {
  public DrainResult {
    remainingPods = List.copyOf(remainingPods);
  }

  public String message() {
    if (drained) {
      return "all pods of the paused workloads are gone";
    }
    List<String> shown = remainingPods.size() > 10 ? remainingPods.subList(0, 10) : remainingPods;
    return "waiting for " + remainingPods.size() + " pods of paused workloads to stop: "
        + String.join(", ", shown) + (remainingPods.size() > shown.size() ? ", ..." : "");
  }
}
