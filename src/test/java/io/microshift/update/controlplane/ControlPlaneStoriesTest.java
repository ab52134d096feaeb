package io.microshift.update.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.sim.SimulatedDevice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo's stories on a real control plane: kube-apiserver on MicroShift's etcd with the CRD
 * of crds/ and the RBAC of manifests/, the operator as its ServiceAccount with the Deployment's
 * settings (leader election on a real Lease), kube-controller-manager and the scheduler running
 * the workloads, kwok's pods, hooks through the real exec path, and the simulated host side.
 * After each story no request of the operator was forbidden.
 */
@Tag("controlplane")
@Timeout(600)
@ExtendWith(StoryTally.class)
class ControlPlaneStoriesTest {
  static final Duration T = Duration.ofSeconds(120);
  static final String NS = SimulatedDevice.APP_NAMESPACE;

  static SimulatedDevice.Options real(SimulatedDevice.Options o) {
    return o.realControlPlane(ControlPlaneBinaries.require());
  }

  static int runningPods(SimulatedDevice d, Map<String, String> labels) {
    return (int) d.kube().pods().inNamespace(NS).withLabels(labels).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && "Running".equals(p.getStatus().getPhase()))
        .count();
  }

  static int podsOf(SimulatedDevice d, Map<String, String> labels) {
    return d.kube().pods().inNamespace(NS).withLabels(labels).list().getItems().size();
  }

  static List<HostState> history(HostStatus s) {
    return s.history().stream().map(HostStatus.HistoryEntry::state).toList();
  }

  /** The operator made no request that the server refused as forbidden. */
  static void noForbiddenRequest(SimulatedDevice d) {
    var log = d.controlPlane().auditLog();
    List<String> all = AuditLog.requests(log, ControlPlane.OPERATOR_USER);
    assertFalse(all.isEmpty(), "the audit log has the operator's requests");
    assertEquals(List.of(), AuditLog.forbidden(log, ControlPlane.OPERATOR_USER));
  }

  static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
        .addNewContainer().withName("c").withImage("quay.io/example/" + app + ":1").endContainer().endSpec().build();
  }

  @Test
  void ostreeZStreamSucceedsWithRealPodsPausedAndResumedAndHooksThroughExec() {
    try (SimulatedDevice d = SimulatedDevice.start(real(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3")))) {
      KubernetesClient k = d.kube();
      // a StatefulSet and a CronJob next to shop/web
      k.apps().statefulSets().inNamespace(NS).resource(new StatefulSetBuilder().withNewMetadata().withName("db")
          .endMetadata().withNewSpec().withReplicas(3).withServiceName("db").withNewSelector()
          .addToMatchLabels("app", "db").endSelector().withTemplate(template("db")).endSpec().build()).create();
      k.batch().v1().cronjobs().inNamespace(NS).resource(new CronJobBuilder().withNewMetadata().withName("report")
          .endMetadata().withNewSpec().withSchedule("*/5 * * * *").withSuspend(false).withNewJobTemplate().withNewSpec()
          .withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c")
          .withImage("quay.io/example/report:1").endContainer().endSpec().endTemplate().endSpec().endJobTemplate()
          .endSpec().build()).create();
      d.await("shop/web and db Running", T, () -> runningPods(d, Map.of("app", SimulatedDevice.APP))
          == SimulatedDevice.APP_REPLICAS && runningPods(d, Map.of("app", "db")) == 3);
      d.etcdPut("/sim/before-update", "kept");

      d.apply(SimulatedDevice.ostreePlan("z-stream", "4.17.3", ResumePolicy.AfterCommit));
      d.awaitRebootRequested(T);
      // the agent stopped MicroShift for the update: the API server is down until the reboot
      assertTrue(d.execs().contains("shop/web: app-data backup"), "pre-update hook through exec: " + d.execs());

      d.reboot();
      d.awaitPhase("z-stream", Phase.Verifying, T);
      // AfterCommit: still paused after the boot, the pods really gone
      assertEquals(0, d.appReplicas(), "paused until the commit");
      assertEquals(0, podsOf(d, Map.of("app", SimulatedDevice.APP)), "shop/web's pods are gone");
      assertEquals(0, podsOf(d, Map.of("app", "db")), "db's pods are gone");
      assertEquals(0, k.apps().statefulSets().inNamespace(NS).withName("db").get().getSpec().getReplicas());
      assertTrue(k.batch().v1().cronjobs().inNamespace(NS).withName("report").get().getSpec().getSuspend(),
          "the CronJob is suspended");
      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      UpdatePlan p = d.awaitPhase("z-stream", Phase.Succeeded, T);
      assertTrue(p.getStatus().message.contains("4.17.1 -> 4.17.3"), p.getStatus().message);
      d.await("shop/web and db Running again at their recorded replicas", T,
          () -> runningPods(d, Map.of("app", SimulatedDevice.APP)) == SimulatedDevice.APP_REPLICAS
              && runningPods(d, Map.of("app", "db")) == 3 && d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(3, k.apps().statefulSets().inNamespace(NS).withName("db").get().getSpec().getReplicas());
      CronJob cj = k.batch().v1().cronjobs().inNamespace(NS).withName("report").get();
      assertFalse(cj.getSpec().getSuspend(), "the CronJob's suspend is back to what was recorded");
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertEquals(HostState.Committed, d.hostStatus().orElseThrow().state());
      assertTrue(d.execs().contains("shop/web: app-data check"), "post-update hook: " + d.execs());
      Lease lease = k.leases().inNamespace("microshift-update").withName("microshift-update-operator").get();
      assertNotNull(lease, "leader election holds a real Lease");
      assertNotNull(lease.getSpec().getHolderIdentity());
      noForbiddenRequest(d);
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void ostreeYStreamWhoseHealthCheckFailsRollsBackRestoresEtcdAndTheApiAndTheAppsData() {
    try (SimulatedDevice d = SimulatedDevice.start(real(SimulatedDevice.Options.ostree("4.17.1").versions("4.18.0")
        .broken("4.18.0").maxBootAttempts(2)))) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.ostreePlan("y-stream", "4.18.0", ResumePolicy.AfterBoot));
      d.awaitRebootRequested(T);
      d.reboot();
      assertEquals("4.18.0", d.bootedVersion());
      d.awaitPhase("y-stream", Phase.Verifying, T);
      String backupId = d.plan("y-stream").getStatus().backup.id;
      d.await("shop/web resumed before the commit", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      d.etcdPut("/sim/written-on-4.18", "lost");
      d.kube().configMaps().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
          .withNewMetadata().withName("made-on-4-18").endMetadata().build()).create();
      d.appWrite("v2: orders written on 4.18.0");
      for (int attempt = 1; attempt <= 2; attempt++) {
        SimulatedDevice.GreenbootResult g = d.greenbootRun();
        assertTrue(!g.healthy(), g.output());
        assertNotEquals(Phase.Succeeded, d.phase("y-stream"));
        d.reboot();
      }
      assertEquals("4.17.1", d.bootedVersion(), "greenboot fell back to the previous deployment");
      UpdatePlan p = d.awaitPhase("y-stream", Phase.RolledBack, T);
      assertTrue(p.getStatus().message.contains("backup " + backupId + " restored"), p.getStatus().message);
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertNull(d.etcdGet("/sim/written-on-4.18"), "etcd is back to its pre-update data");
      assertNull(d.kube().configMaps().inNamespace(NS).withName("made-on-4-18").get(),
          "the API server serves the restored etcd: what was made on 4.18.0 is gone");
      assertEquals("v1: orders before the update", d.appData(), "the post-rollback hook restored the app's data");
      assertTrue(d.execs().contains("shop/web: app-data restore"), d.execs().toString());
      d.await("shop/web back at 2 ready replicas", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS
          && runningPods(d, Map.of("app", SimulatedDevice.APP)) == SimulatedDevice.APP_REPLICAS);
      assertEquals(HostState.Restored, d.hostStatus().orElseThrow().state());
      noForbiddenRequest(d);
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void rpmUpdateSucceedsAndAfterBootResumesWorkloadsBeforeTheCommit() {
    try (SimulatedDevice d = SimulatedDevice.start(real(SimulatedDevice.Options.rpm("4.17.1")))) {
      d.apply(SimulatedDevice.rpmPlan("rpm-z", "4.17.3", ResumePolicy.AfterBoot));
      d.awaitRebootRequested(T);
      d.reboot();
      assertEquals("4.17.3", d.bootedVersion());
      d.awaitPhase("rpm-z", Phase.Verifying, T);
      d.await("shop/web resumed before the commit", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertNotEquals(Phase.Succeeded, d.phase("rpm-z"));
      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      UpdatePlan p = d.awaitPhase("rpm-z", Phase.Succeeded, T);
      assertTrue(p.getStatus().message.contains("4.17.1 -> 4.17.3"), p.getStatus().message);
      HostStatus s = d.hostStatus().orElseThrow();
      // the host prepared (downloaded) while the workloads ran, then applied
      assertEquals(List.of(HostState.Preparing, HostState.Prepared, HostState.Staged, HostState.Rebooting,
          HostState.Booted, HostState.Healthy, HostState.Committed), history(s));
      noForbiddenRequest(d);
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  /**
   * Another client edits the plan's metadata all through the update: the operator's status writes
   * meet real resourceVersion conflicts and the update still ends as it should.
   */
  @Test
  void aPlanEditedAllThroughTheUpdateStillSucceedsThroughStatusConflicts() throws Exception {
    try (SimulatedDevice d = SimulatedDevice.start(real(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3")))) {
      d.apply(SimulatedDevice.ostreePlan("edited", "4.17.3", ResumePolicy.AfterBoot));
      AtomicBoolean editing = new AtomicBoolean(true);
      AtomicInteger edits = new AtomicInteger();
      Thread editor = new Thread(() -> {
        while (editing.get()) {
          try {
            d.kube().resources(UpdatePlan.class).withName("edited")
                .edit(x -> {
                  x.getMetadata().getLabels();
                  x.getMetadata().setLabels(new java.util.HashMap<>(Map.of("edit", Integer.toString(edits.incrementAndGet()))));
                  return x;
                });
          } catch (RuntimeException e) {
            // a conflict of ours, or the API server restarting with MicroShift: next round
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      editor.setDaemon(true);
      editor.start();
      try {
        d.awaitRebootRequested(T);
        d.reboot();
        SimulatedDevice.GreenbootResult g = d.greenbootRun();
        assertTrue(g.healthy(), g.output());
        d.awaitPhase("edited", Phase.Succeeded, T);
      } finally {
        editing.set(false);
        editor.join(5_000);
      }
      assertTrue(edits.get() > 10, "the plan was edited " + edits.get() + " times");
      List<String> conflicts = AuditLog.requests(d.controlPlane().auditLog(), ControlPlane.OPERATOR_USER).stream()
          .filter(r -> r.startsWith("409 ")).toList();
      System.out.println("the operator's requests refused with 409 Conflict: " + conflicts.size() + " " + conflicts);
      noForbiddenRequest(d);
    }
  }
}
