package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;

/**
 * Persists a plan's status through the status subresource before the caller goes on to a side
 * effect, so that a restarted operator knows what was already attempted. Implementations handle
 * resourceVersion conflicts and set the new resourceVersion on {@code plan}, which they return.
 */
@FunctionalInterface
public interface StatusWriter {
  UpdatePlan save(UpdatePlan plan);
}
