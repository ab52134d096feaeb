package io.microshift.update.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.microshift.update.api.CrdSchemaTest.By;
import io.microshift.update.controlplane.ControlPlane;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import io.microshift.update.controlplane.DeviceManifests;
import io.microshift.update.operator.SpecValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD of crds/ judged by a real kube-apiserver: every plan of {@link CrdSchemaTest} (the
 * invalid ones and the valid ones) and the example plans of the README and the docs are created
 * as {@code oc apply} would (strict field validation); the server must refuse each invalid plan
 * itself and accept each valid one, and the Java side (KubernetesSchema: a JSON Schema validator
 * with the CRD's own CEL rules run by CEL for Java, and SpecValidator) must agree with it on every case.
 */
@Tag("controlplane")
@Timeout(300)
class CrdServerConformanceTest {
  static ControlPlane cp;
  static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.builder(ControlPlaneBinaries.require()).start();
    DeviceManifests.applyCrd(cp.admin(), Path.of(""));
    CrdSchemaTest.load();
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.close();
    }
  }

  /** Creates the plan; null when the server accepted it, else the server's refusal. */
  static KubernetesClientException create(JsonNode plan) {
    ObjectNode whole = ((ObjectNode) plan).deepCopy();
    whole.put("apiVersion", "updates.microshift.io/v1alpha1").put("kind", "UpdatePlan");
    whole.putObject("metadata").put("name", "conformance-" + SEQ.incrementAndGet());
    KubernetesClient k = cp.admin();
    GenericKubernetesResource r = k.getKubernetesSerialization().unmarshal(whole.toString(),
        GenericKubernetesResource.class);
    try {
      k.genericKubernetesResources("updates.microshift.io/v1alpha1", "UpdatePlan").resource(r)
          .fieldValidation(FieldValidateable.Validation.STRICT).create();
      return null;
    } catch (KubernetesClientException e) {
      return e;
    }
  }

  static List<Arguments> invalidPlans() {
    return CrdSchemaTest.invalidPlans().toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPlans")
  void theServerRefusesWhatTheJavaSideRefuses(String name, ObjectNode plan, String field, By by) {
    KubernetesClientException refused = create(plan);
    boolean javaSchemaRefuses = !CrdSchemaTest.schema.validate(plan).isEmpty();
    if (by == By.OPERATOR_ONLY) {
      assertEquals(null, refused == null ? null : refused.getMessage(), name + ": a valid value of the API");
      assertEquals(false, javaSchemaRefuses, name);
      return;
    }
    assertTrue(refused != null, name + ": the API server accepts " + plan);
    // 422 Invalid for the schema and the CEL rules, 400 for strict field validation (unknown field)
    assertTrue(refused.getCode() == 422 || refused.getCode() == 400, name + ": " + refused.getMessage());
    assertTrue(refused.getMessage().contains(field), name + ": the server's refusal names no " + field + ": "
        + refused.getMessage());
    assertTrue(javaSchemaRefuses, name + ": the server refuses, the Java schema validator accepts");
  }

  @Test
  void theServerAcceptsTheValidPlansAndTheExamples() throws Exception {
    List<JsonNode> plans = new ArrayList<>(List.of(CrdSchemaTest.ostree(), CrdSchemaTest.rpm(), CrdSchemaTest.full()));
    for (JsonNode example : examples()) {
      ObjectNode plan = CrdSchemaTest.JSON.createObjectNode();
      plan.set("spec", example.get("spec"));
      plans.add(plan);
    }
    for (JsonNode plan : plans) {
      KubernetesClientException refused = create(plan);
      assertEquals(null, refused == null ? null : refused.getMessage(), plan.toString());
      assertEquals(List.of(), SpecValidator.problems(CrdSchemaTest.read((ObjectNode) plan).getSpec()), plan.toString());
    }
    assertTrue(plans.size() > 4, "examples found: " + plans.size());
  }

  /** Every UpdatePlan in a yaml block of README.md and docs/, and the fleet's base plan. */
  static List<JsonNode> examples() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    out.add(new YAMLMapper().readTree(Path.of("fleet/kustomize/base/updateplan.yaml").toFile()));
    List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
    try (var s = Files.walk(Path.of("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    for (Path doc : docs) {
      String text = Files.readString(doc);
      int at = 0;
      while ((at = text.indexOf("```yaml\n", at)) >= 0) {
        int end = text.indexOf("```", at + 8);
        String block = text.substring(at + 8, end);
        at = end + 3;
        for (String part : block.split("(?m)^---\\s*$")) {
          if (part.contains("kind: UpdatePlan")) {
            try {
              JsonNode n = new YAMLMapper().readTree(part);
              if (n != null && "UpdatePlan".equals(n.path("kind").asText()) && n.has("spec")) {
                out.add(n);
              }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
              // a block with placeholders: not a plan to apply
            }
          }
        }
      }
    }
    return out;
  }
}
