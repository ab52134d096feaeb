package io.microshift.update.operator;

import io.microshift.update.marker.HostState;

/**
 * The reasons the operator gives in a plan's conditions and Events (UpperCamelCase, as Kubernetes
 * wants them); docs/reference/conditions-and-events.md explains each. {@code Host<state>} names
 * the host agent's state in host-status.json ({@link #host}). A failed step's StepError condition
 * is the one reason outside this vocabulary: the exception's class name, or {@link #MarkerRefused}.
 * The workload hooks and pausing record their own Events on the objects they act on.
 */
public enum Reason {
  DrainTimeout,
  DryRunComplete,
  DryRunFoundProblems,
  GreenbootRollback,
  HealthCheckFailed,
  HostAccepted,
  HostBooted,
  HostBusy,
  HostChecked,
  HostCommitted,
  HostHealthy,
  HostIsUpdating,
  HostPrepareFailed,
  HostPrepared,
  HostPreparing,
  HostRebooting,
  HostRestarting,
  HostRestored,
  HostRolledBack,
  HostStaged,
  HostStaging,
  HostUnhealthy,
  HostUpdateFailed,
  InternalError,
  InvalidHookAnnotation,
  InvalidSpec,
  MarkerRefused,
  OperatorImageUnknown,
  OutsideMaintenanceWindow,
  PlanAlreadyStarted,
  PlanEnded,
  PostRollbackHookFailed,
  PostUpdateHookFailed,
  PreUpdateHookFailed,
  PreflightFailed,
  PreflightPassed,
  PreviewFoundProblems,
  PreviewReady,
  Queued,
  RequestWithdrawn,
  RequestWritten,
  RestoreFailed,
  ResumedFromHostStatus,
  RhelVersionNotSupported,
  RolledBack,
  Started,
  StepError,
  UntrustedStatus,
  UpdateCommitted,
  VersionJumpNotSupported,
  VersionUnknown,
  WaitingForGreenboot,
  WaitingForHost,
  WaitingForHostPrepare,
  WaitingForOtherPlan,
  WaitingForPodsToStop,
  WaitingForRestore,
  WaitingForWorkloads,
  WorkloadBackupsDone,
  WorkloadsNotReady,
  WorkloadsPaused;

  /** {@code Host<state>}: the plan shows the host agent's state (there is none for Failed). */
  public static Reason host(HostState state) {
    if (state == null || state == HostState.Failed) {
      throw new IllegalArgumentException("no Host<state> reason for host state " + state);
    }
    return valueOf("Host" + state.name());
  }
}
