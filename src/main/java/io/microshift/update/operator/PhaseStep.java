package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;

/**
 * One phase of the plan. {@link #execute} must be idempotent: it may run again after a crash at
 * any point, so it re-derives what was done from status, the cluster and the {@link Observation}
 * of the host's marker files (read once per reconcile, never through the port), and records an
 * attempt in status (through the {@link StatusWriter}) before any side effect that must not be
 * repeated blindly.
 */
public interface PhaseStep {
  StepOutcome execute(UpdatePlan plan, Observation observation);
}
