package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.pause.ProtectedNamespaces;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the hooks of one phase on the pods of all user namespaces (never openshift-*, kube-* or
 * the operator's namespace). Read-only.
 *
 * <p>A pod that is terminating or finished (Succeeded, Failed) is not hooked. A pod that is
 * Pending, or Running with the hook's container not ready, is reported in {@link
 * Discovery#notReady()}. When a pod carries both our family and the Velero alias of a phase, ours
 * is used and the alias is ignored (so an author can override Velero's hook for updates).
 */
public class HookDiscovery {
  private final KubernetesClient client;
  private final ProtectedNamespaces protectedNamespaces;

  public HookDiscovery(KubernetesClient client, String operatorNamespace) {
    this.client = client;
    this.protectedNamespaces = new ProtectedNamespaces(operatorNamespace);
  }

  public Discovery discover(HookPhase phase, HookPolicy policy) {
    return classify(client.pods().inAnyNamespace().list().getItems(), phase, policy);
  }

  /** The hooks of {@code phase} on {@code listed}, the pods of every namespace. */
  Discovery classify(List<Pod> listed, HookPhase phase, HookPolicy policy) {
    boolean aliases = policy == null || policy.veleroAliases == null || policy.veleroAliases;
    List<AnnotationFamily> families = AnnotationFamily.forPhase(phase, aliases);
    List<Pod> pods = new ArrayList<>(listed);
    pods.removeIf(p -> protectedNamespaces.isProtected(p.getMetadata().getNamespace()));
    pods.sort(Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
        .thenComparing(p -> p.getMetadata().getName()));

    List<HookDefinition> hooks = new ArrayList<>();
    List<HookProblem> problems = new ArrayList<>();
    List<HookProblem> notReady = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (Pod pod : pods) {
      String id = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
      ParsedHook chosen = null;
      for (AnnotationFamily family : families) {
        Optional<ParsedHook> parsed = HookAnnotationParser.parse(pod, phase, family, policy);
        if (parsed.isEmpty()) {
          continue;
        }
        if (chosen != null) {
          ignored.add(id + ": " + family.prefix() + "/* ignored, " + chosen.source()
              + "/* takes precedence");
          continue;
        }
        chosen = parsed.get();
      }
      if (chosen == null) {
        continue;
      }
      String inactive = inactiveReason(pod);
      if (inactive != null) {
        ignored.add(id + ": " + chosen.source() + "/* not run, " + inactive);
      } else if (chosen instanceof HookProblem problem) {
        problems.add(problem);
      } else if (chosen instanceof HookDefinition hook) {
        String waiting = notReadyReason(pod, hook.container());
        if (waiting == null) {
          hooks.add(hook);
        } else {
          notReady.add(new HookProblem(phase, hook.namespace(), hook.pod(), hook.source(),
              hook.container(), hook.command(), hook.onError(), hook.timeout(), waiting));
        }
      }
    }
    return new Discovery(hooks, problems, notReady, ignored);
  }

  /** Why the pod is not hooked at all, or null. */
  static String inactiveReason(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return "the pod is terminating";
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return "the pod has finished (" + phase + ")";
    }
    return null;
  }

  /** Why the hook cannot run yet, or null when the pod runs and the container is ready. */
  static String notReadyReason(Pod pod, String container) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (!"Running".equals(phase)) {
      return "the pod is not running (phase " + phase + ")";
    }
    List<ContainerStatus> statuses = pod.getStatus().getContainerStatuses();
    boolean ready = statuses != null && statuses.stream()
        .anyMatch(s -> container.equals(s.getName()) && Boolean.TRUE.equals(s.getReady()));
    return ready ? null : "container " + container + " is not ready";
  }
}
