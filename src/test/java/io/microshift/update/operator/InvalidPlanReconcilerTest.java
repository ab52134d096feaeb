package io.microshift.update.operator;

import static io.microshift.update.operator.UpdatePlanReconcilerTest.ostreePlan;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.microshift.update.api.BackupStatus;
import io.microshift.update.api.HandoffStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.WorkloadSelection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invalid plans against the running operator (mock API server, which does not enforce the CRD
 * schema): each ends in a terminal, explained status without touching workloads or the host, and
 * the operator does not trust a status it did not write.
 */
@EnableKubernetesMockClient(crud = true)
class InvalidPlanReconcilerTest {
  static KubernetesClient client;

  @RegisterExtension final OperatorHarness harness = new OperatorHarness(() -> client);
  final FakeHost host = harness.host;
  final RecordingWorkloads work = harness.work;

  UpdatePlan get(String name) {
    return harness.get(name);
  }

  UpdatePlan awaitPhase(String name, Phase phase) {
    return harness.awaitPhase(name, phase);
  }

  static String readyReason(UpdatePlan p) {
    return Conditions.find(p.getStatus(), Conditions.READY).orElseThrow().getReason();
  }

  long events(String plan) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> plan.equals(e.getInvolvedObject().getName())).count();
  }

  /** Creates the plan while the operator is stopped, then gives it {@code status} as a restore would. */
  UpdatePlan createWithStatus(UpdatePlan plan, UpdatePlanStatus status) {
    harness.stopOperator();
    UpdatePlan created = client.resource(plan).create();
    created.setStatus(status);
    client.resource(created).updateStatus();
    harness.startOperator();
    return created;
  }

  static final ResourceDefinitionContext PLANS = new ResourceDefinitionContext.Builder()
      .withGroup("updates.microshift.io").withVersion("v1alpha1").withPlural("updateplans")
      .withKind("UpdatePlan").withNamespaced(false).build();

  /** A plan as raw JSON: values the Java types cannot hold, as a server without the schema keeps them. */
  void createRaw(String name, String specJson, String statusJson) {
    GenericKubernetesResource raw = client.getKubernetesSerialization().unmarshal(
        "{\"apiVersion\":\"updates.microshift.io/v1alpha1\",\"kind\":\"UpdatePlan\",\"metadata\":{\"name\":\""
            + name + "\"},\"spec\":" + specJson + "}", GenericKubernetesResource.class);
    GenericKubernetesResource created = client.genericKubernetesResources(PLANS).resource(raw).create();
    if (statusJson != null) {
      created.setAdditionalProperty("status", client.getKubernetesSerialization().unmarshal(statusJson, Map.class));
      client.genericKubernetesResources(PLANS).resource(created).updateStatus();
    }
  }

  @Test
  void valuesTheTypesCannotHoldFailThePlanNotTheOperator() {
    String target = "\"target\":{\"version\":\"4.17.3\",\"ostreeRef\":\"rhel-edge:rhel/9/x86_64/edge\"}";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("zypper", "{\"type\":\"zypper\"," + target + "}");
    cases.put("resume-never", "{\"type\":\"ostree\",\"resumeWorkloads\":\"Never\"," + target + "}");
    cases.put("on-error-ignore", "{\"type\":\"ostree\",\"hooks\":{\"onError\":\"Ignore\"}," + target + "}");
    cases.put("monday", "{\"type\":\"ostree\",\"maintenanceWindow\":{\"start\":\"02:00\",\"duration\":\"2h\",\"days\":[\"Monday\"]}," + target + "}");
    cases.put("retention-overflow", "{\"type\":\"ostree\",\"backup\":{\"retention\":99999999999}," + target + "}");
    cases.put("selector-string", "{\"type\":\"ostree\",\"workloads\":{\"selector\":\"app=web\"}," + target + "}");
    cases.put("target-list", "{\"type\":\"ostree\",\"target\":[\"4.17.3\"]}");
    cases.forEach((name, spec) -> createRaw(name, spec, null));
    Map<String, String> expected = Map.of("zypper", "spec.type: 'zypper' is not a valid value; use one of ostree, rpm",
        "resume-never", "spec.resumeWorkloads: 'Never' is not a valid value; use one of AfterBoot, AfterCommit",
        "on-error-ignore", "spec.hooks.onError: 'Ignore' is not a valid value; use one of Fail, Continue",
        "monday", "spec.maintenanceWindow.days[0]: 'Monday' is not a valid value; use one of Mon, Tue",
        "retention-overflow", "spec.backup.retention: cannot be read",
        "selector-string", "spec.workloads.selector: cannot be read",
        "target-list", "spec.target: cannot be read");
    for (String name : cases.keySet()) {
      UpdatePlan p = awaitPhase(name, Phase.Failed);
      assertEquals("InvalidSpec", readyReason(p), name);
      assertTrue(p.getStatus().message.startsWith(expected.get(name)), name + ": " + p.getStatus().message);
    }
    // the operator still runs: a valid plan goes ahead
    client.resource(ostreePlan("after-them", "4.17.3")).create();
    awaitPhase("after-them", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    assertEquals(get("after-them").getMetadata().getUid(), host.lastRequest().get().planUid());
  }

  @Test
  void aStatusTheTypesCannotHoldIsNotTrusted() {
    harness.stopOperator();
    createRaw("bad-phase", "{\"type\":\"ostree\",\"target\":{\"version\":\"4.17.3\",\"ostreeRef\":\"rhel/9\"}}",
        "{\"phase\":\"AwaitingReboot\",\"handoff\":{\"sequence\":\"lots\"}}");
    createRaw("odd-phase", "{\"type\":\"ostree\",\"target\":{\"version\":\"4.17.3\",\"ostreeRef\":\"rhel/9\"}}",
        "{\"phase\":\"Exploded\"}");
    harness.startOperator();
    for (String name : List.of("bad-phase", "odd-phase")) {
      UpdatePlan p = awaitPhase(name, Phase.Failed);
      assertEquals("UntrustedStatus", readyReason(p), name);
      assertTrue(p.getStatus().message.contains("it cannot be read: status."), p.getStatus().message);
    }
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void anInvalidPlanIsFinalAndNotRequeued() throws Exception {
    UpdatePlan bad = ostreePlan("hot-loop", "4.18.1; rm -rf /");
    bad.getSpec().target.ostreeRef = "--os=x";
    client.resource(bad).create();
    UpdatePlan p = awaitPhase("hot-loop", Phase.Failed);
    assertEquals("InvalidSpec", readyReason(p));
    assertTrue(p.getStatus().message.contains("spec.target.version: '4.18.1; rm -rf /' is not a MicroShift version"),
        p.getStatus().message);
    assertTrue(p.getStatus().message.contains("e.g. 4.17.3"), p.getStatus().message);
    assertTrue(p.getStatus().message.contains("spec.target.ostreeRef"), p.getStatus().message);
    await().until(() -> events("hot-loop") >= 1);
    String version = get("hot-loop").getMetadata().getResourceVersion();
    long events = events("hot-loop");
    Thread.sleep(3000);
    assertEquals(version, get("hot-loop").getMetadata().getResourceVersion(), "no further status writes");
    assertEquals(events, events("hot-loop"), "no further events");
    assertTrue(work.calls().isEmpty(), "nothing was touched: " + work.calls());
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void aPlanWithoutSpecFailsSayingWhatToSet() {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName("no-spec").build());
    client.resource(plan).create();
    UpdatePlan p = awaitPhase("no-spec", Phase.Failed);
    assertEquals("InvalidSpec", readyReason(p));
    assertTrue(p.getStatus().message.startsWith("spec: missing; set spec.type"), p.getStatus().message);
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void anInvalidLabelSelectorFailsTheSpecInsteadOfTheStep() {
    UpdatePlan plan = ostreePlan("bad-selector", "4.17.3");
    plan.getSpec().workloads = new WorkloadSelection();
    plan.getSpec().workloads.selector = new LabelSelector(
        List.of(new LabelSelectorRequirement("app", "Equals", List.of("web"))), null);
    client.resource(plan).create();
    UpdatePlan p = awaitPhase("bad-selector", Phase.Failed);
    assertEquals("InvalidSpec", readyReason(p));
    assertTrue(p.getStatus().message.contains("spec.workloads.selector.matchExpressions[0].operator: 'Equals'"
        + " is not an operator; use In, NotIn, Exists or DoesNotExist"), p.getStatus().message);
    assertFalse(Conditions.find(p.getStatus(), "StepError").isPresent());
    assertTrue(work.calls().isEmpty(), work.calls().toString());
  }

  @Test
  void aHugeInvalidListMakesABoundedMessage() {
    UpdatePlan plan = ostreePlan("huge", "4.17.3");
    plan.getSpec().workloads = new WorkloadSelection();
    plan.getSpec().workloads.namespaces = java.util.stream.IntStream.range(0, 200).mapToObj(i -> "NS_" + i).toList();
    client.resource(plan).create();
    UpdatePlan p = awaitPhase("huge", Phase.Failed);
    assertTrue(p.getStatus().message.length() < 4000, p.getStatus().message.length() + " characters");
    assertTrue(p.getStatus().message.endsWith("and 190 more problems of the same kind"), p.getStatus().message);
  }

  @Test
  void correctingTheSpecOfAFailedInvalidPlanDoesNotRunIt() {
    client.resource(ostreePlan("fix-me", "4.17")).create();
    awaitPhase("fix-me", Phase.Failed);
    UpdatePlan p = get("fix-me");
    p.getSpec().target.version = "4.17.3";
    p.getMetadata().setGeneration(2L);
    client.resource(p).update();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Conditions.isTrue(get("fix-me").getStatus(), Conditions.SPEC_CHANGE_REFUSED));
    p = get("fix-me");
    assertEquals(Phase.Failed, p.getStatus().phase, "a plan runs once");
    assertEquals("PlanEnded", Conditions.find(p.getStatus(), Conditions.SPEC_CHANGE_REFUSED).orElseThrow().getReason());
    assertTrue(Conditions.find(p.getStatus(), Conditions.SPEC_CHANGE_REFUSED).orElseThrow().getMessage()
        .contains("create a new one"));
    assertEquals("InvalidSpec", readyReason(p), "the outcome stays what it was");
    assertNull(p.getStatus().acceptedSpec);
    assertTrue(work.calls().isEmpty());
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void aGenerationJumpAfterTheStartIsRefusedAndNotApplied() {
    client.resource(ostreePlan("jump", "4.17.3")).create();
    awaitPhase("jump", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    int requests = host.requests.size();
    UpdatePlan p = get("jump");
    p.getSpec().target.version = "4.17.9; reboot";
    p.getSpec().target.ostreeRef = "--evil";
    p.getMetadata().setGeneration(41L);
    client.resource(p).update();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Conditions.isTrue(get("jump").getStatus(), Conditions.SPEC_CHANGE_REFUSED));
    p = get("jump");
    String refused = Conditions.find(p.getStatus(), Conditions.SPEC_CHANGE_REFUSED).orElseThrow().getMessage();
    assertTrue(refused.contains("generation " + p.getMetadata().getGeneration() + " after the plan started at generation 1"),
        refused);
    assertEquals("4.17.3", p.getStatus().acceptedSpec.target.version);
    assertEquals("rhel-edge:rhel/9/x86_64/edge", p.getStatus().acceptedSpec.target.ostreeRef);
    assertEquals(Phase.AwaitingReboot, p.getStatus().phase);
    List<FakeHost.Request> applies = host.requests.stream().filter(r -> !r.action().equals("Prepare")).toList();
    assertTrue(applies.stream().allMatch(r -> r.action().equals("Apply")), host.requests.toString());
    assertEquals(applies.get(0).sequence(), host.lastRequest().get().sequence(), "the same request");
    assertTrue(host.requests.size() >= requests);
  }

  @Test
  void aForgedAwaitingRebootStatusOnAPlanNeverStartedIsNotTrusted() {
    UpdatePlanStatus forged = new UpdatePlanStatus();
    forged.phase = Phase.AwaitingReboot;
    forged.message = "restored from a backup";
    forged.handoff = new HandoffStatus();
    forged.handoff.sequence = 7L;
    forged.handoff.action = "Apply";
    createWithStatus(ostreePlan("forged", "4.17.3"), forged);

    UpdatePlan p = awaitPhase("forged", Phase.Failed);
    assertEquals("UntrustedStatus", readyReason(p));
    assertTrue(p.getStatus().message.contains("status.acceptedSpec"), p.getStatus().message);
    assertTrue(p.getStatus().message.contains("delete the plan and create it again"), p.getStatus().message);
    assertTrue(host.requests.isEmpty(), "no request written or withdrawn: " + host.requests);
    assertFalse(work.calls().stream().anyMatch(c -> c.startsWith("hooks:")
        || c.equals("pause")), work.calls().toString());
  }

  @Test
  void aForgedStatusWithAForeignBackupSetIsNotTrusted() {
    UpdatePlan plan = ostreePlan("foreign", "4.17.3");
    UpdatePlanStatus forged = new UpdatePlanStatus();
    forged.phase = Phase.Applying;
    forged.acceptedSpec = plan.getSpec();
    forged.acceptedGeneration = 1L;
    forged.backup = new BackupStatus();
    forged.backup.id = "someone-else-12345678";
    createWithStatus(plan, forged);

    UpdatePlan p = awaitPhase("foreign", Phase.Failed);
    assertEquals("UntrustedStatus", readyReason(p));
    assertTrue(p.getStatus().message.contains("status.backup is not this plan's backup set"), p.getStatus().message);
    assertTrue(host.requests.isEmpty());
  }

  @Test
  void aForgedInvalidAcceptedSpecIsNotActedOn() {
    UpdatePlan plan = ostreePlan("forged-spec", "4.17.3");
    UpdatePlanStatus forged = new UpdatePlanStatus();
    forged.phase = Phase.Preflight;
    forged.acceptedSpec = ostreePlan("x", "4.17.3; rm -rf /").getSpec();
    forged.acceptedGeneration = 1L;
    createWithStatus(plan, forged);

    UpdatePlan p = awaitPhase("forged-spec", Phase.Failed);
    assertEquals("UntrustedStatus", readyReason(p));
    assertTrue(p.getStatus().message.contains("status.acceptedSpec is invalid: spec.target.version"), p.getStatus().message);
    assertTrue(host.requests.isEmpty());
    assertTrue(work.calls().isEmpty(), work.calls().toString());
  }

  @Test
  void anAcceptedSpecThatIsInvalidNowIsWithdrawnNotHandedOff() {
    client.resource(ostreePlan("older", "4.17.3")).create();
    awaitPhase("older", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    harness.stopOperator();
    // accepted by an operator with looser rules, before the host picked the request up
    UpdatePlan p = get("older");
    p.getStatus().acceptedSpec.workloads = new WorkloadSelection();
    p.getStatus().acceptedSpec.workloads.drainTimeout = "48h";
    client.resource(p).updateStatus();
    work.calls.clear();
    harness.startOperator();

    p = awaitPhase("older", Phase.Failed);
    assertEquals("UntrustedStatus", readyReason(p));
    assertTrue(p.getStatus().message.contains("status.acceptedSpec is invalid: spec.workloads.drainTimeout"),
        p.getStatus().message);
    assertNull(p.getStatus().acceptedSpec, "dropped: the status schema would refuse it");
    await().until(() -> host.lastRequest().get().action().equals("Cancel"));
    assertEquals(p.getMetadata().getUid(), host.lastRequest().get().planUid());
    assertTrue(work.calls().contains("resume"), work.calls().toString());
  }

  @Test
  void anUntrustedPlanNeverWithdrawsAnotherPlansRequest() {
    client.resource(ostreePlan("real", "4.17.3")).create();
    awaitPhase("real", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    UpdatePlanStatus forged = new UpdatePlanStatus();
    forged.phase = Phase.AwaitingReboot;
    forged.handoff = new HandoffStatus();
    forged.handoff.sequence = 1L;
    forged.handoff.action = "Apply";
    createWithStatus(ostreePlan("intruder", "4.17.3"), forged);

    UpdatePlan p = awaitPhase("intruder", Phase.Failed);
    assertEquals("UntrustedStatus", readyReason(p));
    assertEquals(get("real").getMetadata().getUid(), host.lastRequest().get().planUid());
    assertEquals("Apply", host.lastRequest().get().action());
    assertEquals(Phase.AwaitingReboot, get("real").getStatus().phase);
  }

  @Test
  void aPendingPlanWithLeftoversInStatusStartsFromNothing() {
    UpdatePlan plan = ostreePlan("leftovers", "4.17.3");
    UpdatePlanStatus old = new UpdatePlanStatus();
    old.phase = Phase.Pending;
    old.handoff = new HandoffStatus();
    old.handoff.sequence = 999L;
    old.handoff.action = "Cancel";
    old.backup = new BackupStatus();
    old.backup.id = "old-backup-00000000";
    old.fromVersion = "4.10.0";
    old.acceptedGeneration = 9L;
    old.conditions.add(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType(Conditions.READY)
        .withStatus("True").withReason("UpdateCommitted").withMessage("forged").build());
    createWithStatus(plan, old);

    UpdatePlan p = awaitPhase("leftovers", Phase.AwaitingReboot);
    await().until(() -> host.lastRequest().map(r -> r.action().equals("Apply")).orElse(false));
    assertEquals("Apply", host.lastRequest().get().action());
    assertNotEquals(999L, host.lastRequest().get().sequence());
    p = get("leftovers");
    assertEquals(BackupIds.forPlan(p), p.getStatus().backup.id);
    assertEquals("4.17.1", p.getStatus().fromVersion);
    assertEquals(1L, p.getStatus().acceptedGeneration);
    assertFalse(Conditions.find(p.getStatus(), Conditions.READY).isPresent(), "no outcome before the end");
    assertFalse(Conditions.find(p.getStatus(), Conditions.SPEC_CHANGE_REFUSED).isPresent());
  }
}
