package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerReader;
import io.microshift.update.marker.UpdateRequest;
import io.microshift.update.operator.adapter.MarkerHostHandoff;
import io.microshift.update.operator.adapter.OperatorImage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator finds its own image by digest, and names it in the ostree requests it writes. */
@EnableKubernetesMockClient(crud = true)
class OperatorImageTest {
  static KubernetesClient client;
  static KubernetesMockServer server;
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String REPO = "quay.io/microshift-update/operator";
  static final Map<String, String> IN_POD = Map.of("OPERATOR_NAMESPACE", "microshift-update", "POD_NAME", "op-1");

  @TempDir Path state;

  private static void pod(String image, String imageId) {
    Pod pod = new PodBuilder().withNewMetadata().withName("op-1").withNamespace("microshift-update").endMetadata()
        .withNewSpec().addNewContainer().withName("operator").withImage(image).endContainer().endSpec()
        .withNewStatus().addNewContainerStatus().withName("operator").withImage(image).withImageID(imageId)
        .endContainerStatus().endStatus().build();
    client.pods().inNamespace("microshift-update").resource(pod).createOr(p -> p.update());
  }

  @Test
  void thePodSpecByDigestIsTheImage() {
    pod(REPO + "@" + DIGEST, "");
    assertEquals(Optional.of(REPO + "@" + DIGEST), OperatorImage.resolve(client, IN_POD));
  }

  @Test
  void aTaggedSpecTakesTheDigestTheKubeletReportsWithTheSpecsRepository() {
    pod(REPO + ":0.1.0", "mirror.example.invalid:5000/microshift-update/operator@" + DIGEST);
    assertEquals(Optional.of(REPO + "@" + DIGEST), OperatorImage.resolve(client, IN_POD));
    pod(REPO + ":0.1.0", "docker-pullable://" + REPO + "@" + DIGEST);
    assertEquals(Optional.of(REPO + "@" + DIGEST), OperatorImage.resolve(client, IN_POD));
  }

  @Test
  void withoutADigestOrAPodThereIsNoImage() {
    pod(REPO + ":0.1.0", "sha256:" + "cd".repeat(32)); // an image id, not a repository digest
    assertEquals(Optional.empty(), OperatorImage.resolve(client, IN_POD));
    assertEquals(Optional.empty(), OperatorImage.resolve(client, Map.of("OPERATOR_NAMESPACE", "microshift-update",
        "POD_NAME", "no-such-pod")));
    assertEquals(Optional.empty(), OperatorImage.resolve(client, Map.of()));
    assertEquals(Optional.empty(), OperatorImage.resolve(client, Map.of("OPERATOR_IMAGE", REPO + ":0.1.0")),
        "a tag is refused");
    assertEquals(Optional.of("r.example.invalid/op@" + DIGEST),
        OperatorImage.resolve(client, Map.of("OPERATOR_IMAGE", "r.example.invalid/op@" + DIGEST)));
  }

  /**
   * CPU to ready (issue 16 item 6): the operator's ports are built without reading its pod (which
   * binds fabric8's Pod model); the first plan that needs the image reads it, once.
   */
  @Test
  void theOperatorReadsItsPodWhenAPlanFirstNeedsTheImageNotAtStart() {
    pod(REPO + "@" + DIGEST, "");
    Map<String, String> env = Map.of("OPERATOR_NAMESPACE", "microshift-update", "POD_NAME", "op-1",
        "STATE_DIR", state.toString(), "LEADER_ELECTION", "false");
    int before = server.getRequestCount();
    Ports ports = OperatorMain.productionPorts(client, OperatorConfig.fromEnvironment(env), env);
    assertEquals(before, server.getRequestCount(), "requests to the API server while the ports were built");
    UpdatePlan plan = UpdatePlanReconcilerTest.ostreePlan("to-4-18", "4.18.1");
    assertEquals(Optional.empty(), ports.host().uncheckedTarget(plan), "the image was found by digest");
    int afterFirst = server.getRequestCount();
    assertEquals(before + 1, afterFirst, "one read of the operator's pod");
    ports.host().uncheckedTarget(plan);
    assertEquals(afterFirst, server.getRequestCount(), "the pod is read once");
  }

  @Test
  void ostreeRequestsRequireTheImageAndRpmRequestsDoNot() throws Exception {
    UpdatePlan ostree = UpdatePlanReconcilerTest.ostreePlan("to-4-18", "4.18.1");
    withBackup(ostree);
    new MarkerHostHandoff(state, MarkerReader.ROOT_UID, Clock.systemUTC(), Optional.of(REPO + "@" + DIGEST))
        .writeRequest(ostree, 1, UpdateRequest.Action.Apply);
    UpdateRequest written = MarkerFiles.readRequest(state).orElseThrow();
    assertEquals(List.of(REPO + "@" + DIGEST), written.target().requiredImages());

    Path other = state.resolve("unknown");
    java.nio.file.Files.createDirectories(other);
    new MarkerHostHandoff(other, MarkerReader.ROOT_UID, Clock.systemUTC(), Optional.empty())
        .writeRequest(ostree, 1, UpdateRequest.Action.Apply);
    assertNull(MarkerFiles.readRequest(other).orElseThrow().target().requiredImages());
  }

  @Test
  void anOstreeRequestWithoutTheImageRaisesTheTargetNotCheckedCondition() {
    UpdatePlan plan = UpdatePlanReconcilerTest.ostreePlan("to-4-18", "4.18.1");
    withBackup(plan);
    MarkerHostHandoff unknown = new MarkerHostHandoff(state, MarkerReader.ROOT_UID, Clock.systemUTC(), Optional.empty());
    PlanRecorder recorder = new PlanRecorder(p -> p, new Conditions(Clock.systemUTC()),
        new io.microshift.update.hooks.TestPlans.Events(),
        new OperatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), Clock.systemUTC());
    StepOutcome outcome = new io.microshift.update.operator.step.AwaitingRebootStep(unknown, recorder).execute(plan,
        new Observation(io.microshift.update.operator.port.HostHandoff.HostReading.nothing(), Optional.empty(),
            EffectiveSpec.of(plan)));
    recorder.recordConditionsAndEvents(plan, outcome);
    io.fabric8.kubernetes.api.model.Condition c = Conditions.find(plan.getStatus(), Conditions.TARGET_NOT_CHECKED).orElseThrow(
        () -> new AssertionError("no TargetNotChecked condition: " + plan.getStatus().conditions));
    assertEquals("True", c.getStatus());
    assertEquals("OperatorImageUnknown", c.getReason());
    assertTrue(c.getMessage().contains("OPERATOR_IMAGE"), c.getMessage());

    UpdatePlan known = UpdatePlanReconcilerTest.ostreePlan("to-4-18", "4.18.1");
    withBackup(known);
    Path other = state.resolve("known");
    new MarkerHostHandoff(other, MarkerReader.ROOT_UID, Clock.systemUTC(), Optional.of(REPO + "@" + DIGEST))
        .uncheckedTarget(known).ifPresent(w -> { throw new AssertionError(w); });
    assertTrue(Conditions.find(known.getStatus(), Conditions.TARGET_NOT_CHECKED).isEmpty());
  }

  static void withBackup(UpdatePlan plan) {
    plan.getMetadata().setUid("0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60");
    plan.getMetadata().setGeneration(1L);
    if (plan.getStatus() == null) {
      plan.setStatus(new io.microshift.update.api.UpdatePlanStatus());
    }
    io.microshift.update.api.BackupStatus b = new io.microshift.update.api.BackupStatus();
    b.id = "to-4-18-00000000";
    b.etcdSnapshot = true;
    b.etcdSha256 = "0".repeat(64);
    b.etcdSizeBytes = 10L;
    b.etcdRevision = 1L;
    plan.getStatus().backup = b;
    plan.getStatus().fromVersion = "4.17.1";
  }

  static int currentUid() throws Exception {
    return (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }
}
