package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.microshift.update.api.UpdatePlan;

/**
 * An informer on pods in every namespace whose changes wake the unfinished plans
 * ({@link PlanWakeups#unfinished()}): a paused workload's pod gone ends the drain wait in Pausing,
 * a resumed one turning ready ends the wait in Verifying and RollingBack, without a poll. The
 * operator's ClusterRole already lists and watches pods (hooks, drain check).
 */
final class PodEvents {
  static final String NAME = "pods";

  private PodEvents() {}

  static InformerEventSource<Pod, UpdatePlan> source(EventSourceContext<UpdatePlan> context, PlanWakeups wakeups) {
    InformerEventSourceConfiguration<Pod> config = InformerEventSourceConfiguration
        .from(Pod.class, UpdatePlan.class)
        .withName(NAME)
        .withWatchAllNamespaces()
        .withSecondaryToPrimaryMapper(pod -> wakeups.unfinished())
        .build();
    return new InformerEventSource<>(config, context);
  }
}
