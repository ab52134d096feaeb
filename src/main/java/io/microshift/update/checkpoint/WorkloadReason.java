package io.microshift.update.checkpoint;

/**
 * The reasons of the Events that the workload steps ({@code hooks}, {@code pause}) record through
 * {@link PlanCheckpoint}, on the plan or on the workload authors' own objects; each is listed in
 * docs/reference/conditions-and-events.md (ReferenceDocsTest iterates these values). The
 * operator's own reasons are {@code operator.Reason}.
 */
public enum WorkloadReason {
  // hooks, on the plan
  HooksRefused,
  HookInvalid,
  HookNotReady,
  HooksNotRecorded,
  HooksIgnored,
  HookRetried,
  HookInterrupted,
  HookSucceeded,
  HooksSucceeded,
  HookFailed,
  HookTimedOut,
  // hooks, on the pod a hook ran in
  UpdateHookSucceeded,
  UpdateHookFailed,
  UpdateHookTimedOut,
  // pausing and resuming, on the plan
  WorkloadsPaused,
  WorkloadPauseFailed,
  WorkloadNotPaused,
  WorkloadsResumed,
  WorkloadResumeFailed,
  WorkloadResumeConflict,
  // pausing and resuming, on the workload
  PausedByUpdatePlan,
  ResumedByUpdatePlan,
  NotResumedByUpdatePlan
}
