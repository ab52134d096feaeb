package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A workload the plan paused and what resume gives back. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PausedWorkload {
  /** Deployment, StatefulSet or CronJob. */
  public String kind;
  public String namespace;
  public String name;
  /** Replicas before the pause (Deployments and StatefulSets). */
  public Integer originalReplicas;
  /** spec.suspend before the pause (CronJobs). */
  public Boolean originalSuspend;
  /** Paused, Resumed or Conflict. */
  public String state;
  public String message;
}
