package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.AnyNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch on the pods of every namespace that only says "a pod changed": a paused workload's pod
 * gone ends the drain wait in Pausing, a resumed one turning ready ends the wait in Verifying and
 * RollingBack, without a poll. It keeps no pod: nobody reads pods from a cache (the drain check and
 * the hooks list the pods they need when they need them), and an informer's cache would hold every
 * pod of the cluster for the operator's whole life.
 *
 * <p>It starts at the current resource version, read by a list of one pod ({@code limit=1}): the
 * API server then sends no synthetic ADDED event per existing pod (Kubernetes API concepts,
 * "Efficient detection of changes": a watch without a resourceVersion begins with one). fabric8's
 * watch reconnects by itself from the last resource version it saw; when it gives up (410 Gone:
 * that version was compacted, or an error) this one starts again from the current version a
 * second later and reports a change, since one may have been missed meanwhile. The operator's
 * ClusterRole lists and watches pods.
 *
 * <p>The pods are read as {@link GenericKubernetesResource} (a map), not as fabric8's {@code Pod}:
 * nothing here looks inside a pod, and binding the first pod to the {@code Pod} model makes Jackson
 * build deserializers for the whole pod graph (spec, containers, volumes, probes, status: some
 * hundreds of classes), which was a third of the CPU the operator spent before it was ready. The
 * resource is named in full ({@link #PODS}: core v1, plural {@code pods}, namespaced), so fabric8
 * asks the API server no discovery question for it.
 */
final class PodWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodWatch.class);
  static final long RESTART_DELAY_MS = 1000;
  /** Core v1 pods, as the API server serves them at {@code /api/v1/pods}. */
  static final ResourceDefinitionContext PODS = new ResourceDefinitionContext.Builder()
      .withGroup("").withVersion("v1").withKind("Pod").withPlural("pods").withNamespaced(true).build();

  private final KubernetesClient client;
  private final Runnable onChange;
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pod-watch");
    t.setDaemon(true);
    return t;
  });
  private Watch watch;
  private boolean closed;

  private PodWatch(KubernetesClient client, Runnable onChange) {
    this.client = client;
    this.onChange = onChange;
  }

  /** Starts watching (or, when the API server refuses, retries every second); never throws. */
  static PodWatch start(KubernetesClient client, Runnable onChange) {
    PodWatch w = new PodWatch(client, onChange);
    w.open(false);
    return w;
  }

  /** Whether a watch is established: the operator is not ready without one. */
  synchronized boolean isWatching() {
    return watch != null;
  }

  private synchronized void open(boolean afterGap) {
    if (closed) {
      return;
    }
    try {
      AnyNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>> pods = client.genericKubernetesResources(PODS).inAnyNamespace();
      String version = pods.list(new ListOptionsBuilder().withLimit(1L).build()).getMetadata().getResourceVersion();
      ListOptions from = new ListOptionsBuilder().withResourceVersion(version).build();
      watch = pods.watch(from, new Watcher<GenericKubernetesResource>() {
        @Override
        public void eventReceived(Action action, GenericKubernetesResource pod) {
          onChange.run();
        }

        @Override
        public void onClose(WatcherException cause) {
          LOG.atWarn().addKeyValue("cause", cause.getMessage())
              .log("the pod watch ended; watching again from the current version");
          restartLater();
        }
      });
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("cause", e.getMessage())
          .log("cannot watch pods (the operator needs list and watch on pods); retrying");
      watch = null;
      restartLater();
      return;
    }
    if (afterGap) {
      onChange.run();
    }
  }

  private synchronized void restartLater() {
    watch = null;
    if (!closed) {
      restarts.schedule(() -> open(true), RESTART_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    restarts.shutdownNow();
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }
}
