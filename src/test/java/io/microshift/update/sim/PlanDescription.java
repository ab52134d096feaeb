package io.microshift.update.sim;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.PausedWorkload;
import io.microshift.update.api.UpdatePlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code oc describe updateplan NAME} and {@code oc -n shop describe deployment web} show, in
 * excerpt, for the demo: the phase, the conditions, the hooks' results, the paused workloads and the
 * Events (on the plan in {@code default}, and on the workload in its own namespace) that are new since
 * the last look. Long messages are wrapped by {@link WrappingOutput}.
 */
final class PlanDescription {
  private final SimulatedDevice device;
  private final String plan;
  private final Set<String> seenEvents = new HashSet<>();

  PlanDescription(SimulatedDevice device, String plan) {
    this.device = device;
    this.plan = plan;
  }

  /** The excerpt, headed by when it is taken (e.g. "after Pausing"). */
  String describe(String moment) {
    UpdatePlan p = device.plan(plan);
    StringBuilder b = new StringBuilder();
    b.append("\n  --- ").append(moment).append(" ---\n");
    b.append("  $ oc describe updateplan ").append(plan).append("   (excerpt)\n");
    if (p == null || p.getStatus() == null) {
      return b.append("  (no status yet)\n").toString();
    }
    b.append("  Phase:    ").append(p.getStatus().phase).append('\n');
    b.append("  Message:  ").append(cut(p.getStatus().message, 106)).append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "STATUS", "REASON", "MESSAGE"});
    for (Condition c : p.getStatus().conditions) {
      rows.add(new String[] {c.getType(), c.getStatus(), c.getReason(), c.getMessage()});
    }
    section(b, "Conditions:", rows);
    rows = new ArrayList<>();
    rows.add(new String[] {"HOOK", "POD/CONTAINER", "STATE", "EXIT", "MESSAGE"});
    for (HookStatus h : p.getStatus().hooks) {
      rows.add(new String[] {h.hookPhase, h.namespace + "/" + h.pod + "/" + h.container, h.state,
          h.exitCode == null ? "" : h.exitCode.toString(), h.message});
    }
    section(b, "Hooks:", rows);
    rows = new ArrayList<>();
    rows.add(new String[] {"WORKLOAD", "STATE", "RECORDED", "MESSAGE"});
    for (PausedWorkload w : p.getStatus().pausedWorkloads) {
      rows.add(new String[] {w.kind + " " + w.namespace + "/" + w.name, w.state,
          w.originalReplicas != null ? "replicas=" + w.originalReplicas : "suspend=" + w.originalSuspend, w.message});
    }
    section(b, "Paused workloads:", rows);
    events(b, "Events (new since the last look):", "default", "UpdatePlan", plan);
    b.append("  $ oc -n ").append(SimulatedDevice.APP_NAMESPACE).append(" describe deployment ")
        .append(SimulatedDevice.APP).append("   (its Events, new since the last look)\n");
    events(b, "Events:", SimulatedDevice.APP_NAMESPACE, "Deployment", SimulatedDevice.APP);
    events(b, "Events on the hooks' pods:", SimulatedDevice.APP_NAMESPACE, "Pod", null);
    return b.toString();
  }

  private void events(StringBuilder b, String title, String namespace, String kind, String name) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "REASON", "OBJECT", "MESSAGE"});
    List<Event> events = device.kube().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> kind.equals(e.getInvolvedObject().getKind())
            && (name == null || name.equals(e.getInvolvedObject().getName())))
        // on the workload's objects: this plan's events, not an earlier story's
        .filter(e -> "UpdatePlan".equals(kind) || Objects.toString(e.getMessage(), "").contains("UpdatePlan " + plan + " "))
        .sorted(Comparator.comparing((Event e) -> Objects.toString(e.getFirstTimestamp(), ""))
            .thenComparing(e -> e.getMetadata().getName()))
        .toList();
    for (Event e : events) {
      if (seenEvents.add(namespace + "/" + e.getMetadata().getName())) {
        rows.add(new String[] {e.getType(), e.getReason(), e.getInvolvedObject().getKind().toLowerCase()
            + "/" + e.getInvolvedObject().getName(), e.getMessage()});
      }
    }
    section(b, title, rows);
  }

  /** A table under a title, the last column free (the output wraps it). "<none>" when empty. */
  static void section(StringBuilder b, String title, List<String[]> rows) {
    b.append("  ").append(title);
    if (rows.size() == 1) {
      b.append(" <none>\n");
      return;
    }
    b.append('\n');
    int n = rows.get(0).length;
    int[] w = new int[n];
    for (String[] r : rows) {
      for (int i = 0; i < n - 1; i++) {
        w[i] = Math.max(w[i], Objects.toString(r[i], "").length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("    ");
      for (int i = 0; i < n - 1; i++) {
        line.append(String.format("%-" + (w[i] + 2) + "s", Objects.toString(r[i], "")));
      }
      line.append(Objects.toString(r[n - 1], "").replace('\n', ' ')); // WrappingOutput wraps what is long
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  static String cut(String s, int room) {
    String text = s == null ? "" : s.replace('\n', ' ');
    if (room < 8) {
      room = 8;
    }
    return text.length() <= room ? text : text.substring(0, room - 3) + "...";
  }
}
