package io.microshift.update.hooks;

/** When a workload hook runs. */
public enum HookPhase {
  /** Before the update, while the workloads still run: dump the data. */
  PRE_UPDATE("pre-update"),
  /** After a successful update, once the workloads are back. */
  POST_UPDATE("post-update"),
  /** After a rollback restored the platform data: restore the application data. */
  POST_ROLLBACK("post-rollback");

  private final String value;

  HookPhase(String value) {
    this.value = value;
  }

  /** The value used in annotations and in {@code status.hooks[].hookPhase}. */
  public String value() {
    return value;
  }
}
