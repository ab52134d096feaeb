package io.microshift.update.api;

/** When paused workloads start again after the reboot. */
public enum ResumePolicy {
  /** As soon as the target deployment has booted (greenboot's check can include their readiness). */
  AfterBoot,
  /** Only once greenboot committed the update: no workload write can be lost to a rollback. */
  AfterCommit
}
