package io.microshift.update.pause;

import java.util.Comparator;

/** A Deployment, StatefulSet or CronJob. */
public record WorkloadRef(String kind, String namespace, String name) {
  public static final String DEPLOYMENT = "Deployment";
  public static final String STATEFUL_SET = "StatefulSet";
  public static final String CRON_JOB = "CronJob";

  /** namespace, then kind, then name. */
  public static final Comparator<WorkloadRef> ORDER = Comparator.comparing(WorkloadRef::namespace)
      .thenComparing(WorkloadRef::kind)
      .thenComparing(WorkloadRef::name);

  public boolean scalable() {
    return DEPLOYMENT.equals(kind) || STATEFUL_SET.equals(kind);
  }

  @Override
  public String toString() {
    return kind + " " + namespace + "/" + name;
  }
}
