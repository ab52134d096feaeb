package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.fabric8.kubernetes.client.utils.internal.PodOperationUtil;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Before an exec: the pod exists, is ready or past Pending, and has the container. One GET of the
 * pod when it is, which is the usual case for a hooked pod; otherwise fabric8's own wait
 * ({@code PodOperationUtil.waitUntilReadyOrTerminal}, an informer bounded by the ready-wait, which
 * proceeds when the wait elapses), as fabric8's {@code PodOperationsImpl.exec} does before every
 * exec. The container check is fabric8's {@code PodOperationsImpl.validateOrDefaultContainerId}.
 */
final class PodReadiness {
  private final KubernetesClient client;

  PodReadiness(KubernetesClient client) {
    this.client = client;
  }

  /**
   * What the read of the pod found: its uid (for the hook's Event on it, which {@code oc describe
   * pod} finds by uid), and null or why the exec cannot go on.
   */
  record Check(String podUid, String refusal) {}

  /**
   * Waits at most {@code readyWaitMillis} for the pod to be ready or past Pending. The check's
   * refusal is null when the exec may go on (also when the wait elapsed: the exec then tells what
   * the pod says), or says why it cannot (no such pod, no such container).
   */
  Check awaitRunnable(String namespace, String pod, String container, long readyWaitMillis) {
    PodResource resource = client.pods().inNamespace(namespace).withName(pod);
    Pod found = resource.get();
    if (found == null) {
      return new Check(null, "pod " + namespace + "/" + pod + " not found");
    }
    if (!readyOrTerminal(found) && readyWaitMillis > 0) {
      Pod waited = PodOperationUtil.waitUntilReadyOrTerminal(resource, (int) readyWaitMillis);
      if (waited != null) {
        found = waited;
      }
    }
    String uid = found.getMetadata() == null ? null : found.getMetadata().getUid();
    return new Check(uid, hasContainer(found, container) ? null
        : String.format("container %s not found in pod %s", container, pod));
  }

  /**
   * As fabric8's {@code PodOperationUtil.isReadyOrTerminal} (package-private there): the Ready
   * condition is True, or the pod has a phase other than Pending (fabric8 waits only for a
   * Pending pod, or one without a phase yet).
   */
  static boolean readyOrTerminal(Pod pod) {
    return Readiness.isPodReady(pod) || Optional.ofNullable(pod.getStatus())
        .map(s -> s.getPhase()).filter(p -> !p.equals("Pending")).isPresent();
  }

  private static boolean hasContainer(Pod pod, String container) {
    if (pod.getSpec() == null) {
      return false;
    }
    Stream<String> regular = Optional.ofNullable(pod.getSpec().getContainers()).stream()
        .flatMap(l -> l.stream()).map(Container::getName);
    Stream<String> ephemeral = Optional.ofNullable(pod.getSpec().getEphemeralContainers()).stream()
        .flatMap(l -> l.stream()).map(EphemeralContainer::getName);
    return Stream.concat(regular, ephemeral).anyMatch(container::equals);
  }
}
