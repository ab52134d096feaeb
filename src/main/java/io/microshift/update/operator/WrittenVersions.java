package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resourceVersion of each plan's last status this operator wrote, to tell a stale informer
 * copy from a current one. An event from another source ({@link PlanWakeups}: the host or a pod)
 * can start a reconcile right after a status write, before the informer has the written version;
 * the state machine must not act on the older copy. resourceVersions are compared as numbers, as
 * JOSDK does where it may ({@code ConfigurationService.parseResourceVersionsForEventFilteringAndCaching});
 * one that is not a number is never called stale.
 */
final class WrittenVersions {
  private final Map<String, Long> byUid = new ConcurrentHashMap<>();

  /** True when this copy is older than a status this operator has written for the same plan. */
  boolean isStale(UpdatePlan plan) {
    Long ours = byUid.get(plan.getMetadata().getUid());
    Long seen = parse(plan.getMetadata().getResourceVersion());
    return ours != null && seen != null && seen < ours;
  }

  /** After a reconcile: the version the plan's copy carries now (the status writer updates it). */
  void remember(UpdatePlan plan) {
    Long v = parse(plan.getMetadata().getResourceVersion());
    if (v != null) {
      byUid.merge(plan.getMetadata().getUid(), v, Math::max);
    }
  }

  void forget(UpdatePlan plan) {
    byUid.remove(plan.getMetadata().getUid());
  }

  private static Long parse(String resourceVersion) {
    if (resourceVersion == null) {
      return null;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
