package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Deployments, StatefulSets and CronJobs are paused while the device updates. A workload is
 * selected when its namespace is listed (or no namespace is listed) AND it matches the label
 * selector (if one is set); workloads annotated {@code updates.microshift.io/pause: "true"} are
 * always selected. System namespaces and the operator itself are never paused.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class WorkloadSelection {

  @Size(max = 256)
  @JsonPropertyDescription("Namespaces whose workloads are paused; empty with a selector means all namespaces.")
  public List<String> namespaces = new ArrayList<>();

  @JsonPropertyDescription("Workloads whose labels match are paused. Without namespaces and selector only annotated workloads are.")
  public LabelSelector selector;

  @JsonPropertyDescription("How long to wait for the pods of paused workloads to be gone (default 5m).")
  @io.fabric8.generator.annotation.Pattern(Patterns.DURATION)
  @Size(max = Patterns.DURATION_MAX_LENGTH)
  @ValidationRule(value = "duration(self) >= duration('1s') && duration(self) <= duration('24h')",
      message = "spec.workloads.drainTimeout must be between 1s and 24h")
  public String drainTimeout;
}
