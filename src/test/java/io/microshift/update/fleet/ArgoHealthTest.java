package io.microshift.update.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs fleet/argocd/health.lua with a real Lua interpreter ({@code lua5.4}, or {@code $LUA}) on
 * UpdatePlans serialized exactly as the operator writes them, and checks Argo CD's verdict for
 * every phase, a plan without status, a queued plan, failures, rollbacks and dry runs.
 */
class ArgoHealthTest {
  static final Path HEALTH = Path.of("fleet/argocd/health.lua");
  static final Path CM_PATCH = Path.of("fleet/argocd/argocd-cm-patch.yaml");
  static final Path DRIVER = Path.of("src/test/resources/fleet/argo-health-driver.lua");
  static final String CM_KEY = "resource.customizations.health.updates.microshift.io_UpdatePlan";
  static final KubernetesSerialization JSON = new KubernetesSerialization();

  record Health(String status, String message) {}

  // ---------------------------------------------------------------- every phase

  @ParameterizedTest
  @EnumSource(Phase.class)
  void everyPhaseMapsToArgoHealth(Phase phase) throws Exception {
    String message = "what the operator says in " + phase;
    Health h = health(plan(phase, message));
    switch (phase) {
      case Succeeded -> assertEquals(new Health("Healthy", message), h);
      case Failed, RolledBack -> assertEquals(new Health("Degraded", message), h);
      default -> assertEquals(new Health("Progressing", phase + ": " + message), h);
    }
  }

  /** health.lua names the terminal phases; a new terminal phase must be added there too. */
  @Test
  void theTerminalPhasesAreTheOnesHealthLuaKnows() {
    Set<Phase> terminal = Arrays.stream(Phase.values()).filter(Phase::isTerminal).collect(Collectors.toSet());
    assertEquals(Set.of(Phase.Succeeded, Phase.Failed, Phase.RolledBack), terminal);
  }

  // ---------------------------------------------------------------- no status

  @Test
  void noStatusIsProgressingWaitingForStatus() throws Exception {
    UpdatePlan p = plan(Phase.Pending, "x");
    p.setStatus(null);
    Health h = health(p);
    assertEquals("Progressing", h.status());
    assertTrue(h.message().startsWith("waiting for status"), h.message());
  }

  @Test
  void statusWithoutPhaseIsProgressingWaitingForStatus() throws Exception {
    Health h = health(JSON.unmarshal("{\"kind\":\"UpdatePlan\",\"status\":{}}", JsonNode.class));
    assertEquals("Progressing", h.status());
    assertTrue(h.message().startsWith("waiting for status"), h.message());
  }

  // ---------------------------------------------------------------- queued

  @Test
  void pendingQueuedBehindAnotherPlanIsProgressingWithTheQueueMessage() throws Exception {
    String why = "waiting for UpdatePlan to-4.17.2 (Applying): only one plan runs at a time";
    UpdatePlan p = plan(Phase.Pending, why);
    p.getStatus().conditions.add(condition("Queued", "True", "WaitingForOtherPlan", why));
    assertEquals(new Health("Progressing", "Pending (queued, WaitingForOtherPlan): " + why), health(p));
  }

  @Test
  void pendingOutsideTheMaintenanceWindowIsProgressing() throws Exception {
    String why = "waiting for the maintenance window, next opening 2026-11-26T02:00:00Z";
    UpdatePlan p = plan(Phase.Pending, why);
    p.getStatus().conditions.add(condition("Progressing", "False", "OutsideMaintenanceWindow", why));
    p.getStatus().conditions.add(condition("Queued", "True", "OutsideMaintenanceWindow", why));
    assertEquals(new Health("Progressing", "Pending (queued, OutsideMaintenanceWindow): " + why), health(p));
  }

  @Test
  void aQueuedConditionThatIsFalseDoesNotCount() throws Exception {
    UpdatePlan p = plan(Phase.Pending, "waiting to start");
    p.getStatus().conditions.add(condition("Queued", "False", "WaitingForOtherPlan", "old"));
    assertEquals(new Health("Progressing", "Pending: waiting to start"), health(p));
  }

  // ---------------------------------------------------------------- outcomes

  @Test
  void failedIsDegradedWithTheStatusMessage() throws Exception {
    String msg = "pre-update hook shop/db-0 (db) exited 1: pg_dump: connection refused";
    UpdatePlan p = plan(Phase.Failed, msg);
    p.getStatus().conditions.add(condition("Ready", "False", "PreUpdateHookFailed", msg));
    p.getStatus().conditions.add(condition("Degraded", "True", "PreUpdateHookFailed", msg));
    assertEquals(new Health("Degraded", msg), health(p));
  }

  @Test
  void rolledBackIsDegradedWithTheStatusMessage() throws Exception {
    String msg = "greenboot rolled back after 3 greenboot attempts; data restored from backup"
        + " 20261125-1402-to-4.17.3; post-rollback hooks ran";
    UpdatePlan p = plan(Phase.RolledBack, msg);
    p.getStatus().conditions.add(condition("Degraded", "True", "RolledBack", msg));
    assertEquals(new Health("Degraded", msg), health(p));
  }

  @Test
  void aDryRunThatFoundProblemsIsDegraded() throws Exception {
    String msg = "dry run, nothing was changed: 4.17.1 -> 4.17.3 (z-stream); the update would fail:"
        + " not enough space for the backup: need 2.1 GiB, 1.0 GiB free";
    UpdatePlan p = plan(Phase.Failed, msg);
    p.getSpec().dryRun = true;
    p.getStatus().conditions.add(condition("DryRun", "True", "PreviewFoundProblems", msg));
    assertEquals(new Health("Degraded", msg), health(p));
  }

  @Test
  void aDryRunThatPassedIsHealthy() throws Exception {
    String msg = "dry run, nothing was changed: 4.17.1 -> 4.17.3 (z-stream); preflight passed";
    UpdatePlan p = plan(Phase.Succeeded, msg);
    p.getSpec().dryRun = true;
    p.getStatus().conditions.add(condition("DryRun", "True", "PreviewReady", msg));
    assertEquals(new Health("Healthy", msg), health(p));
  }

  @Test
  void anOutcomeWithoutMessageStillSaysWhatHappened() throws Exception {
    assertEquals(new Health("Degraded", "RolledBack"), health(plan(Phase.RolledBack, null)));
    assertEquals(new Health("Healthy", "Succeeded"), health(plan(Phase.Succeeded, null)));
    assertEquals(new Health("Progressing", "Verifying"), health(plan(Phase.Verifying, null)));
  }

  @Test
  void messagesWithQuotesAndNewlinesPassThrough() throws Exception {
    String msg = "restore failed: \"cp\" said:\nno space left on device \\ 100%";
    assertEquals(new Health("Degraded", msg), health(plan(Phase.Failed, msg)));
  }

  // ---------------------------------------------------------------- installation

  @Test
  void theArgoCdConfigMapPatchCarriesHealthLuaUnchanged() throws Exception {
    JsonNode cm = new YAMLMapper().readTree(CM_PATCH.toFile());
    assertEquals("ConfigMap", cm.path("kind").asText());
    assertEquals("argocd-cm", cm.at("/metadata/name").asText());
    assertEquals("argocd", cm.at("/metadata/namespace").asText());
    Iterator<String> keys = cm.path("data").fieldNames();
    assertTrue(keys.hasNext(), "argocd-cm-patch.yaml has no data");
    assertEquals(CM_KEY, keys.next());
    assertTrue(!keys.hasNext(), "argocd-cm-patch.yaml should set only the UpdatePlan health check");
    assertEquals(Files.readString(HEALTH), cm.path("data").path(CM_KEY).asText(),
        "the script in argocd-cm-patch.yaml differs from health.lua: copy health.lua into it");
  }

  // ---------------------------------------------------------------- helpers

  static UpdatePlan plan(Phase phase, String message) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName("to-4.17.3").withGeneration(1L).build());
    UpdatePlanSpec spec = new UpdatePlanSpec();
    spec.type = UpdateType.OSTREE;
    spec.target = new UpdateTarget("4.17.3");
    spec.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    plan.setSpec(spec);
    UpdatePlanStatus st = new UpdatePlanStatus();
    st.phase = phase;
    st.message = message;
    st.phaseTransitionTime = "2026-11-25T14:02:00Z";
    st.observedGeneration = 1L;
    st.fromVersion = "4.17.1";
    plan.setStatus(st);
    return plan;
  }

  static io.fabric8.kubernetes.api.model.Condition condition(String type, String status, String reason,
      String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(message).withObservedGeneration(1L)
        .withLastTransitionTime("2026-11-25T14:02:00Z").build();
  }

  /** The plan as the API server hands it to Argo CD (JSON), as a Lua table literal. */
  Health health(UpdatePlan plan) throws Exception {
    return health(JSON.convertValue(plan, JsonNode.class));
  }

  /** Argo CD's verdict on the object as JSON; here with Lua 5.4 ({@link ArgoHealthGopherLuaTest}: Argo CD's own VM). */
  Health health(JsonNode object) throws Exception {
    return healthOf(lua(object));
  }

  static String lua(JsonNode n) {
    if (n.isObject()) {
      StringBuilder b = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          b.append('[').append(quote(e.getKey())).append("]=").append(lua(e.getValue())).append(", ");
        }
      }
      return b.append('}').toString();
    }
    if (n.isArray()) {
      StringBuilder b = new StringBuilder("{");
      n.forEach(v -> b.append(lua(v)).append(", "));
      return b.append('}').toString();
    }
    if (n.isTextual()) {
      return quote(n.asText());
    }
    if (n.isNumber() || n.isBoolean()) {
      return n.asText();
    }
    throw new IllegalArgumentException("no Lua literal for " + n.getNodeType());
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
      int u = c & 0xff;
      if (u == '"' || u == '\\') {
        b.append('\\').append((char) u);
      } else if (u < 0x20 || u == 0x7f) {
        b.append(String.format("\\%03d", u));
      } else if (u < 0x80) {
        b.append((char) u);
      } else {
        b.append(String.format("\\%03d", u));
      }
    }
    return b.append('"').toString();
  }

  /** Runs health.lua through the driver on a Lua literal of the object. */
  static Health healthOf(String objectLiteral) throws Exception {
    Path object = Files.createTempFile("updateplan", ".lua");
    try {
      Files.writeString(object, "return " + objectLiteral + "\n");
      return parse(ExternalTool.LUA.check(DRIVER.toString(), HEALTH.toString(), object.toString()).stdout());
    } finally {
      Files.deleteIfExists(object);
    }
  }

  /** "status=S\nmessage=M\n", as the driver and argo-health print it. */
  static Health parse(String stdout) {
    assertTrue(stdout.startsWith("status=") && stdout.contains("\nmessage=") && stdout.endsWith("\n"),
        "unexpected driver output: " + stdout);
    int nl = stdout.indexOf('\n');
    String status = stdout.substring("status=".length(), nl);
    String message = stdout.substring(nl + 1 + "message=".length(), stdout.length() - 1);
    assertTrue(Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown").contains(status),
        "not an Argo CD health status: " + status);
    return new Health(status, message);
  }
}
