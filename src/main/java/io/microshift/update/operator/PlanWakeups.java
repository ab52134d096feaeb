package io.microshift.update.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.operator.port.HostHandoff;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A JOSDK event source that reconciles every unfinished plan at once when something it waits for
 * may have changed: the host agent's status ({@link HostHandoff#onChange}: a file watch on the
 * state dir) or a pod ({@link PodWatch}, which keeps no pod). The steps' requeue delays are then only a safety
 * net for a missed event; a wake-up is a hint, each step reads the state again.
 *
 * <p>JOSDK ({@code EventProcessor.handleEvent}) runs a reconcile at once for an event, or once
 * more right after the running one: a burst of events costs at most one extra reconcile.
 */
public final class PlanWakeups extends AbstractEventSource<Void, UpdatePlan> {
  private final HostHandoff host;
  private final KubernetesClient client;
  private final Set<ResourceID> unfinished = ConcurrentHashMap.newKeySet();
  private volatile AutoCloseable hostWatch;
  private volatile PodWatch podWatch;

  /** @param client watches the pods of every namespace */
  public PlanWakeups(HostHandoff host, KubernetesClient client) {
    super(Void.class, "plan-wakeups");
    this.host = host;
    this.client = client;
  }

  /** Called by the reconciler: plans not yet in a terminal phase are woken, the others not. */
  void track(UpdatePlan plan) {
    ResourceID id = ResourceID.fromResource(plan);
    if (plan.getStatus() != null && plan.getStatus().phase != null && plan.getStatus().phase.isTerminal()) {
      unfinished.remove(id);
    } else {
      unfinished.add(id);
    }
  }

  void forget(UpdatePlan plan) {
    unfinished.remove(ResourceID.fromResource(plan));
  }

  /** The plans a wake-up reconciles. */
  Set<ResourceID> unfinished() {
    return Set.copyOf(unfinished);
  }

  /** Reconciles every unfinished plan (no-op before the operator started). */
  public void wakeAll() {
    if (!isRunning()) {
      return;
    }
    for (ResourceID id : unfinished) {
      getEventHandler().handleEvent(new Event(id));
    }
  }

  @Override
  public Set<Void> getSecondaryResources(UpdatePlan primary) {
    return Set.of();
  }

  @Override
  public synchronized void start() throws OperatorException {
    super.start();
    hostWatch = host.onChange(this::wakeAll);
    podWatch = PodWatch.start(client, this::wakeAll);
  }

  /** Unhealthy (the operator not ready) while the pod watch is down, as an informer's would be. */
  @Override
  public Status getStatus() {
    PodWatch p = podWatch;
    return p == null || p.isWatching() ? Status.HEALTHY : Status.UNHEALTHY;
  }

  @Override
  public synchronized void stop() throws OperatorException {
    PodWatch p = podWatch;
    podWatch = null;
    if (p != null) {
      p.close();
    }
    AutoCloseable w = hostWatch;
    hostWatch = null;
    if (w != null) {
      try {
        w.close();
      } catch (Exception e) {
        throw new OperatorException("cannot stop the state dir watch: " + e.getMessage(), e);
      }
    }
    super.stop();
  }
}
