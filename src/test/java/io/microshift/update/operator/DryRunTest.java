package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.adapter.KubernetesWorkloads;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dry run with the real adapters (hooks and pause on the API, the marker files on a state dir;
 * the operator holds no etcd client, the host agent's part is played): the report is complete, and nothing was scaled, exec'd or written.
 */
@EnableKubernetesMockClient(crud = true)
class DryRunTest {
  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path state;

  @Test
  void previewReportsWhatWouldHappenAndChangesNothing() throws Exception {
    client.configMaps().inNamespace("kube-public").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("microshift-version").withNamespace("kube-public").endMetadata()
        .withData(Map.of("version", "4.16.2")).build()).create();
    client.apps().deployments().inNamespace("shop").resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").withNamespace("shop").endMetadata()
        .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("img").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder()
        .withNewMetadata().withName("db-0").withNamespace("shop")
        .addToAnnotations("pre-update.hook.updates.microshift.io/command", "[\"/bin/dump\",\"--all\"]")
        .addToAnnotations("post-rollback.hook.updates.microshift.io/command", "[\"/bin/restore\"]")
        .endMetadata()
        .withNewSpec().addNewContainer().withName("db").withImage("img").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("db").withReady(true).build())
        .endStatus().build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder()
        .withNewMetadata().withName("broken").withNamespace("shop")
        .addToAnnotations("pre-update.hook.updates.microshift.io/command", "not json")
        .addToAnnotations("pre-update.hook.updates.microshift.io/on-error", "Continue")
        .endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("img").endContainer().endSpec()
        .withNewStatus().withPhase("Running")
        .addToContainerStatuses(new ContainerStatusBuilder().withName("c").withReady(true).build())
        .endStatus().build()).create();

    {
      KubernetesWorkloads workloads = new KubernetesWorkloads(client, "microshift-update");
      Ports ports = new Ports(workloads, workloads,
          new MarkerHostHandoff(state, MarkerReader.ROOT_UID, Clock.systemUTC()));
      UpdatePlan plan = UpdatePlanReconcilerTest.ostreePlan("preview", "4.18.1");
      plan.getSpec().dryRun = true;
      plan.getSpec().workloads = new WorkloadSelection();
      plan.getSpec().workloads.namespaces = List.of("shop");
      drainRequests();

      Thread hostAgent = new Thread(() -> playHostAgent(state), "host-agent");
      hostAgent.setDaemon(true);
      hostAgent.start();
      try (OperatorRuntime runtime = new OperatorRuntime(client, ports, new SimpleMeterRegistry(),
          Clock.systemUTC(), null)) {
        runtime.start();
        client.resource(plan).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          UpdatePlan p = client.resources(UpdatePlan.class).withName("preview").get();
          return p.getStatus() != null && p.getStatus().phase != null && p.getStatus().phase.isTerminal();
        });
      }

      UpdatePlan p = client.resources(UpdatePlan.class).withName("preview").get();
      assertEquals(Phase.Succeeded, p.getStatus().phase, p.getStatus().message);
      assertTrue(Conditions.isTrue(p.getStatus(), Conditions.DRY_RUN));
      assertEquals("4.16.2 -> 4.18.1 (y-stream upgrade)", p.getStatus().preview.versionPath);
      assertEquals(List.of("Deployment shop/web"), p.getStatus().preview.workloadsToPause);
      String hooks = String.join("\n", p.getStatus().preview.hooksToRun);
      assertTrue(hooks.contains("pre-update: shop/db-0") && hooks.contains("/bin/dump"), hooks);
      assertTrue(hooks.contains("post-rollback: shop/db-0"), hooks);
      assertTrue(String.join("\n", p.getStatus().preview.malformedHooks).contains("shop/broken"));
      // the host's figures (the operator holds no etcd credentials): what the agent's Prepare reported
      assertEquals(HOST_REQUIRED, p.getStatus().preview.backupEstimateBytes);
      assertEquals(HOST_FREE, p.getStatus().preview.freeBytes);
      assertEquals(Boolean.TRUE, p.getStatus().preview.host.etcdHealthy);
      assertEquals(Boolean.TRUE, p.getStatus().preview.host.dryRun);
      assertTrue(p.getStatus().message.contains("the host checks passed"), p.getStatus().message);

      Deployment web = client.apps().deployments().inNamespace("shop").withName("web").get();
      assertEquals(3, web.getSpec().getReplicas(), "nothing was scaled");
      assertTrue(web.getMetadata().getAnnotations() == null
          || web.getMetadata().getAnnotations().keySet().stream().noneMatch(k -> k.startsWith("updates.microshift.io/")));
      assertEquals(List.of(), drainRequests().stream().filter(r -> r.contains("/exec")).toList(), "nothing was exec'd");
      // the only thing handed to the host: a dry-run Prepare, which checks and stages nothing
      UpdateRequest handed = MarkerFiles.readRequest(state, MarkerReader.ROOT_UID).orElseThrow();
      assertEquals(UpdateRequest.Action.Prepare, handed.action());
      assertTrue(handed.dryRun());
      assertTrue(new BackupStore(state).list().isEmpty(), "no backup set was written");
      assertTrue(p.getStatus().hooks.isEmpty() && p.getStatus().pausedWorkloads.isEmpty());
    }
  }

  static final long HOST_FREE = 10L << 30;
  static final long HOST_REQUIRED = 1L << 30;

  /** The host agent's answer to a dry-run Prepare: every check passed ({@code Checked}) with its facts. */
  private static void playHostAgent(Path state) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      try {
        java.util.Optional<UpdateRequest> r = MarkerFiles.readRequest(state, MarkerReader.ROOT_UID);
        if (r.isPresent()) {
          UpdateRequest req = r.get();
          HostStatus s = new HostStatus.Builder()
              .request(new HostStatus.RequestRef(req.plan().uid(), req.sequence()))
              .prepared(new HostStatus.Prepared(req.dryRun(), HOST_FREE, HOST_REQUIRED,
                  new HostStatus.Etcd(true, "3.5.16", 55L << 20, 1000, List.of()), null, null, false, null, null,
                  "2026-12-01T12:00:00Z"))
              .build().transition(req.dryRun() && req.action() == UpdateRequest.Action.Prepare ? HostState.Checked
                  : HostState.Failed, "dry run: every host check passed", "2026-12-01T12:00:00Z");
          MarkerFiles.writeHostStatus(state, s, io.microshift.update.marker.CrashHook.NONE);
          return;
        }
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // request.json being replaced: next round
      }
    }
  }

  private List<String> drainRequests() throws InterruptedException {
    List<String> paths = new java.util.ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      paths.add(r.getMethod() + " " + r.getPath());
    }
    return paths;
  }
}
