package io.microshift.update.fleet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdateType;
import io.microshift.update.operator.SpecValidator;
import io.microshift.update.operator.WindowSchedule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * fleet/kustomize: {@code kubectl kustomize} renders the base and each overlay into exactly one
 * UpdatePlan that the operator accepts (fabric8's deserialization, {@link SpecValidator}, a
 * maintenance window that opens), with no field the API types do not know (a misspelt patch field
 * would otherwise vanish silently), and the overlays change what they are meant to.
 */
class FleetOverlayTest {
  static final String KUSTOMIZE = "fleet/kustomize/";
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/canary", "overlays/fleet"})
  void rendersOneValidUpdatePlan(String dir) throws Exception {
    JsonNode rendered = renderOne(dir);
    UpdatePlan plan = SERIALIZATION.convertValue(rendered, UpdatePlan.class);
    assertEquals("updates.microshift.io/v1alpha1", plan.getApiVersion());
    assertEquals("UpdatePlan", plan.getKind());
    assertNotNull(plan.getSpec(), dir + ": no spec");
    assertEquals(List.of(), SpecValidator.problems(plan.getSpec()), dir + ": the operator would refuse this plan");
    // every rendered field is one the API knows: the spec survives a round trip unchanged
    assertEquals(rendered.path("spec"), SERIALIZATION.convertValue(plan.getSpec(), JsonNode.class),
        dir + ": the rendered spec has fields UpdatePlanSpec does not know (misspelt patch?)");
    assertDoesNotThrow(() -> WindowSchedule.nextOpening(plan.getSpec().maintenanceWindow, Instant.now()),
        dir + ": the maintenance window never opens");
  }

  @Test
  void theBaseIsTheZStreamTo4173OnOstree() throws Exception {
    UpdatePlan base = plan("base");
    assertEquals(UpdateType.OSTREE, base.getSpec().type);
    assertEquals("4.17.3", base.getSpec().target.version);
    assertEquals("to-4.17.3", base.getMetadata().getName(), "name the plan after its target");
    assertEquals("10", base.getMetadata().getAnnotations().get("argocd.argoproj.io/sync-wave"));
  }

  /** The overlays patch what they say, and the fleet gets exactly what the canaries got. */
  @Test
  void theOverlaysPatchTheTargetAndTheWindow() throws Exception {
    UpdatePlan base = plan("base");
    UpdatePlan canary = plan("overlays/canary");
    UpdatePlan fleet = plan("overlays/fleet");
    for (UpdatePlan overlay : List.of(canary, fleet)) {
      assertEquals(base.getMetadata().getName(), overlay.getMetadata().getName());
      assertEquals(base.getSpec().type, overlay.getSpec().type);
      assertEquals(base.getSpec().target.version, overlay.getSpec().target.version);
      assertNotNull(overlay.getSpec().target.ostreeCommit, "the overlay pins the tested commit");
      assertNotEquals(json(base.getSpec().maintenanceWindow), json(overlay.getSpec().maintenanceWindow));
    }
    assertEquals(json(canary.getSpec().target), json(fleet.getSpec().target),
        "the fleet must update to exactly what the canaries updated to");
    assertNotEquals(json(canary.getSpec().maintenanceWindow), json(fleet.getSpec().maintenanceWindow));
    assertEquals("canary", canary.getMetadata().getLabels().get("updates.microshift.io/rollout"));
    assertEquals("fleet", fleet.getMetadata().getLabels().get("updates.microshift.io/rollout"));
  }

  static UpdatePlan plan(String dir) throws Exception {
    return SERIALIZATION.convertValue(renderOne(dir), UpdatePlan.class);
  }

  static String json(Object o) {
    return SERIALIZATION.asJson(o);
  }

  static JsonNode renderOne(String dir) throws Exception {
    String out = ExternalTool.KUBECTL.check("kustomize", KUSTOMIZE + dir).stdout();
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(out)) {
      new YAMLMapper().readValues(parser, JsonNode.class).forEachRemaining(n -> {
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      });
    }
    assertEquals(1, docs.size(), "kubectl kustomize " + KUSTOMIZE + dir + " should render one object:\n" + out);
    return docs.get(0);
  }
}
