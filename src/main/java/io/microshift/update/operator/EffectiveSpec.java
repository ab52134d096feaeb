package io.microshift.update.operator;

import io.microshift.update.api.Durations;

import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.backup.BackupRetention;
import java.time.Duration;
import java.util.Objects;

/**
 * The spec a step acts on, with defaults: the copy accepted when the plan started (later edits are
 * refused), or the live spec while the plan is still Pending.
 */
public final class EffectiveSpec {
  public static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);

  private final UpdatePlanSpec spec;

  private EffectiveSpec(UpdatePlanSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  public static EffectiveSpec of(UpdatePlan plan) {
    UpdatePlanSpec accepted = plan.getStatus() == null ? null : plan.getStatus().acceptedSpec;
    return new EffectiveSpec(accepted != null ? accepted : plan.getSpec());
  }

  public UpdatePlanSpec raw() {
    return spec;
  }

  public int retention() {
    return spec.backup == null || spec.backup.retention == null ? BackupRetention.DEFAULT_KEEP : spec.backup.retention;
  }

  public Duration healthCheckTimeout() {
    return Durations.parseOr(spec.healthCheckTimeout, DEFAULT_HEALTH_CHECK_TIMEOUT);
  }

  public Duration drainTimeout() {
    return spec.workloads == null
        ? DEFAULT_DRAIN_TIMEOUT
        : Durations.parseOr(spec.workloads.drainTimeout, DEFAULT_DRAIN_TIMEOUT);
  }

  public ResumePolicy resumePolicy() {
    return spec.resumeWorkloads == null ? ResumePolicy.AfterBoot : spec.resumeWorkloads;
  }

  public boolean bypassUpdateDriver() {
    return Boolean.TRUE.equals(spec.bypassUpdateDriver);
  }

  public boolean allowDowngrade() {
    return Boolean.TRUE.equals(spec.allowDowngrade);
  }

  public boolean allowUnsupportedPath() {
    return Boolean.TRUE.equals(spec.allowUnsupportedPath);
  }

  public boolean dryRun() {
    return Boolean.TRUE.equals(spec.dryRun);
  }
}
