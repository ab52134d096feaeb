package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.microshift.update.api.WorkloadSelection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which workloads a plan pauses. Selected: every Deployment, StatefulSet and CronJob annotated
 * {@code updates.microshift.io/pause: "true"}; and, when the plan lists namespaces or sets a
 * selector, those in a listed namespace (any namespace when none is listed) whose labels match
 * the selector (any labels when none is set). Never in openshift-*, kube-* or the operator's
 * namespace. Read-only.
 */
final class WorkloadSelector {
  private final Workloads workloads;

  WorkloadSelector(Workloads workloads) {
    this.workloads = workloads;
  }

  List<WorkloadRef> select(WorkloadSelection selection) {
    return selectObjects(selection).stream().map(Workloads::ref).toList();
  }

  /** The selected objects as one list of each kind returned them, in the order of {@link #select}. */
  List<HasMetadata> selectObjects(WorkloadSelection selection) {
    return selectObjects(selection, workloads.listAll());
  }

  /** As {@link #selectObjects(WorkloadSelection)}, from {@code all} ({@link Workloads#listAll}). */
  static List<HasMetadata> selectObjects(WorkloadSelection selection, List<HasMetadata> all) {
    return all.stream()
        .filter(o -> selected(o, selection))
        .sorted(Comparator.comparing(Workloads::ref, WorkloadRef.ORDER))
        .toList();
  }

  static boolean selected(HasMetadata o, WorkloadSelection selection) {
    Map<String, String> annotations = o.getMetadata().getAnnotations();
    if (annotations != null && "true".equals(annotations.get(PauseAnnotations.PAUSE))) {
      return true;
    }
    if (selection == null) {
      return false;
    }
    boolean byNamespace = selection.namespaces != null && !selection.namespaces.isEmpty();
    if (!byNamespace && selection.selector == null) {
      return false;
    }
    if (byNamespace && !selection.namespaces.contains(o.getMetadata().getNamespace())) {
      return false;
    }
    return selection.selector == null
        || LabelSelectors.matches(selection.selector, o.getMetadata().getLabels());
  }
}
