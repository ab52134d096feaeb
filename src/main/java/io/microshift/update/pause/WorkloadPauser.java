package io.microshift.update.pause;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.checkpoint.PlanCheckpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pausing and resuming the workloads while the device updates: the entry point the reconciler
 * calls. Acts on {@code status.acceptedSpec.workloads}; never on openshift-*, kube-* or the
 * operator's own namespace, even when a workload there is annotated.
 *
 * <p>The record of a pause lives on each object ({@link PauseAnnotations}); {@code
 * status.pausedWorkloads} mirrors it for humans. Resume trusts the objects, so it works after an
 * operator restart, after etcd was restored, and while the plan is being deleted.
 */
public class WorkloadPauser {
  private final Workloads workloads;
  private final WorkloadSelector selector;
  private final Pauser pauser;
  private final DrainCheck drainCheck;
  private final Resumer resumer;
  private final ReadyCheck readyCheck;

  public WorkloadPauser(KubernetesClient client, String operatorNamespace) {
    Workloads workloads = new Workloads(client, new ProtectedNamespaces(operatorNamespace));
    this.workloads = workloads;
    ObjectUpdates updates = new ObjectUpdates(client, workloads);
    this.selector = new WorkloadSelector(workloads);
    this.pauser = new Pauser(updates);
    this.drainCheck = new DrainCheck(client);
    this.resumer = new Resumer(workloads, updates);
    this.readyCheck = new ReadyCheck(workloads);
  }

  /** The workloads a selection pauses, in a stable order. Read-only (dry run, preview). */
  public List<WorkloadRef> select(WorkloadSelection selection) {
    return selector.select(selection);
  }

  /**
   * Pauses the selected workloads (idempotent; saves status.pausedWorkloads through the
   * checkpoint), then, when every one is paused or skipped, checks whether the pods of the
   * workloads the plan paused are gone (non-blocking), over the same listing of the workloads (the
   * selected ones as the pause left them): one listing per pass while the pods drain, not two.
   */
  public PauseAndDrain pauseAndCheckDrain(UpdatePlan plan, PlanCheckpoint checkpoint) {
    requireAcceptedSpec(plan);
    List<HasMetadata> all = workloads.listAll();
    List<HasMetadata> selected = WorkloadSelector.selectObjects(plan.getStatus().acceptedSpec.workloads, all);
    Pauser.Paused p = pauser.pauseListed(plan, selected, checkpoint);
    if (!p.outcome().succeeded()) {
      return new PauseAndDrain(p.outcome(), null);
    }
    Set<WorkloadRef> refs = selected.stream().map(Workloads::ref).collect(Collectors.toSet());
    List<HasMetadata> after = new ArrayList<>(p.objects());
    all.stream().filter(o -> !refs.contains(Workloads.ref(o))).forEach(after::add);
    return new PauseAndDrain(p.outcome(), drainCheck.drained(plan.getMetadata().getName(), after));
  }

  /** A pause's outcome and, when it succeeded, whether the paused workloads' pods are gone. */
  public record PauseAndDrain(PauseOutcome outcome, DrainResult drain) {}

  private static void requireAcceptedSpec(UpdatePlan plan) {
    if (plan.getStatus() == null || plan.getStatus().acceptedSpec == null) {
      throw new IllegalStateException("plan " + plan.getMetadata().getName()
          + " has no status.acceptedSpec: pausing acts on the accepted spec only");
    }
  }

  /** Restores every workload that carries this plan's pause record. Idempotent. */
  public ResumeOutcome resume(UpdatePlan plan, PlanCheckpoint checkpoint) {
    return resumer.resume(plan, checkpoint);
  }

  /**
   * Whether the workloads the plan resumed (status.pausedWorkloads) are back with all their
   * replicas ready. Non-blocking, read-only: poll it after {@link #resume} and before running
   * post-update or post-rollback hooks, whose pods may not exist yet right after a resume.
   */
  public ReadyResult ready(UpdatePlan plan) {
    return readyCheck.ready(plan);
  }
}
