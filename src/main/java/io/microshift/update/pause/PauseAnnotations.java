package io.microshift.update.pause;

/** The annotations of pausing, on Deployments, StatefulSets and CronJobs. */
public final class PauseAnnotations {
  private PauseAnnotations() {}

  /** Set by the workload's owner: {@code "true"} pauses it during every update. */
  public static final String PAUSE = "updates.microshift.io/pause";

  /** Set by the operator in the same update that pauses: the name of the plan that paused it. */
  public static final String PAUSED_BY = "updates.microshift.io/paused-by";

  /**
   * Set by the operator with {@link #PAUSED_BY}: that plan's uid, so that a record left by a plan
   * that was deleted (finalizer removed by hand) is told apart from one of a new plan of the same
   * name. Records written before this annotation existed carry only the name.
   */
  public static final String PAUSED_BY_UID = "updates.microshift.io/paused-by-uid";

  /** Set by the operator: spec.replicas before the pause (Deployments, StatefulSets). */
  public static final String ORIGINAL_REPLICAS = "updates.microshift.io/original-replicas";

  /** Set by the operator: spec.suspend before the pause (CronJobs), "true" or "false". */
  public static final String ORIGINAL_SUSPEND = "updates.microshift.io/original-suspend";
}
