package io.microshift.update.operator.step;

import io.microshift.update.hooks.HookPhase;
import io.microshift.update.api.Phase;
import io.microshift.update.api.PreviewStatus;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdateType;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.EffectiveSpec;
import io.microshift.update.operator.Observation;
import io.microshift.update.operator.PhaseStep;
import io.microshift.update.operator.Reason;
import io.microshift.update.operator.StepOutcome;
import io.microshift.update.operator.port.WorkloadHooks;
import io.microshift.update.operator.port.WorkloadPausing;
import io.microshift.update.preflight.ClusterVersionReader;
import io.microshift.update.version.MicroShiftVersion;
import io.microshift.update.version.RhelCompatibility;
import io.microshift.update.version.VersionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks what the cluster side can before anything changes: the version jump, malformed hooks
 * that would fail the plan, and that the host is not busy. etcd, the disk space and the host
 * itself are checked by the host agent in Preparing (the operator holds no etcd credentials). A
 * dry run records its cluster-side preview here and ends after Preparing with the host's view.
 */
public final class PreflightStep implements PhaseStep {
  static final Duration HOST_BUSY_POLL = Duration.ofSeconds(10);

  private final ClusterVersionReader versions;
  private final WorkloadHooks hooks;
  private final WorkloadPausing pausing;

  public PreflightStep(ClusterVersionReader versions, WorkloadHooks hooks,
      WorkloadPausing pausing) {
    this.versions = versions;
    this.hooks = hooks;
    this.pausing = pausing;
  }

  @Override
  public StepOutcome execute(UpdatePlan plan, Observation observation) {
    EffectiveSpec spec = observation.spec();
    MicroShiftVersion from;
    try {
      from = versions.read();
    } catch (RuntimeException e) {
      return StepOutcome.fail(Reason.VersionUnknown, "cannot read the running MicroShift version: " + e.getMessage());
    }
    MicroShiftVersion to = MicroShiftVersion.parse(spec.raw().target.version);
    plan.getStatus().fromVersion = from.toString();
    plan.getStatus().toVersion = to.toString();
    VersionPolicy.Verdict verdict = VersionPolicy.check(from, to, spec.allowDowngrade(), spec.allowUnsupportedPath());
    if (!verdict.allowed()) {
      return StepOutcome.fail(Reason.VersionJumpNotSupported, verdict.refusal());
    }
    String path = verdict.path();
    if (spec.raw().type == UpdateType.RPM) {
      Optional<String> rhel = versions.nodeRhel().flatMap(r -> RhelCompatibility.refusal(r, to));
      if (rhel.isPresent()) {
        return StepOutcome.fail(Reason.RhelVersionNotSupported, rhel.get());
      }
    }

    List<String> problems = new ArrayList<>();
    WorkloadHooks.Preview preHooks = hooks.preview(plan, HookPhase.PRE_UPDATE);
    problems.addAll(preHooks.blocking());

    if (spec.dryRun()) {
      return finishDryRun(plan, spec, path, preHooks, problems);
    }
    if (!problems.isEmpty()) {
      Reason reason = preHooks.blocking().isEmpty() ? Reason.PreflightFailed : Reason.InvalidHookAnnotation;
      return StepOutcome.fail(reason, String.join("; ", problems));
    }
    // the host agent works on one request at a time; a different plan's unfinished update (for
    // example of a plan deleted mid-update) must finish first
    Optional<String> busy = observation.hostBusyWithAnotherPlan();
    if (busy.isPresent()) {
      return StepOutcome.stay(Phase.Preflight, Reason.HostBusy, busy.get(), HOST_BUSY_POLL);
    }
    return StepOutcome.advance(Phase.Preparing, Reason.PreflightPassed, path);
  }

  private StepOutcome finishDryRun(UpdatePlan plan, EffectiveSpec spec, String path,
      WorkloadHooks.Preview preHooks, List<String> problems) {
    PreviewStatus preview = new PreviewStatus();
    preview.versionPath = path;
    preview.workloadsToPause = pausing.select(plan);
    preview.hooksToRun = new ArrayList<>(preHooks.hooks());
    for (HookPhase later : List.of(HookPhase.POST_UPDATE, HookPhase.POST_ROLLBACK)) {
      preview.hooksToRun.addAll(hooks.preview(plan, later).hooks());
    }
    preview.malformedHooks = preHooks.malformed();
    preview.expectedDowntime = spec.raw().type != UpdateType.RPM
        ? "one reboot plus MicroShift start-up and the health check (typically 3-10 minutes)"
        : "package install, one reboot plus MicroShift start-up (typically 3-10 minutes)";
    plan.getStatus().preview = preview;
    boolean ok = problems.isEmpty();
    if (ok) {
      return StepOutcome.advance(Phase.Preparing, Reason.PreflightPassed, "dry run: " + path
          + "; the host checks next, nothing is staged");
    }
    String msg = "dry run, nothing was changed: " + path + "; the update would fail: " + String.join("; ", problems);
    return StepOutcome.fail(Reason.DryRunFoundProblems, msg)
        .withCondition(Conditions.DRY_RUN, true, Reason.PreviewFoundProblems, msg);
  }
}
