package io.microshift.update.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.microshift.update.operator.OperatorClients;
import io.microshift.update.operator.SpecValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid UpdatePlans against the checked-in CRD's openAPIV3Schema and its CEL rules, as a real API
 * server would judge them ({@link KubernetesSchema}; the fabric8 mock server does not enforce the
 * schema), and against SpecValidator,
 * which must refuse the same values for servers and restores that let them through.
 */
class CrdSchemaTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Object REMOVE = new Object();

  /** Where a bad value is caught: by both (the default), only the schema, or only the operator. */
  enum By { BOTH, SCHEMA_ONLY, OPERATOR_ONLY }

  static final String IMAGE = "registry.example.com/edge/microshift-bootc@sha256:" + "ab".repeat(32);

  static ObjectNode image() {
    ObjectNode plan = JSON.createObjectNode();
    ObjectNode spec = plan.putObject("spec");
    spec.put("type", "image");
    spec.putObject("target").put("version", "4.17.3").put("image", IMAGE);
    return plan;
  }

  static ObjectNode imageByTag() {
    ObjectNode plan = image();
    ((ObjectNode) plan.at("/spec/target")).put("image", "registry.example.com/edge/microshift-bootc:4.17.3")
        .put("allowImageTag", true);
    return plan;
  }

  static Stream<Arguments> imageInvalidPlans() {
    String digest = "@sha256:" + "ab".repeat(32);
    return Stream.of(
        bad("image tag without opt-in", image(), "spec.target.image", By.BOTH, "/spec/target/image",
            "registry.example.com/edge/microshift-bootc:4.17.3"),
        bad("image tag opt-in false", imageByTag(), "spec.target.image", By.BOTH, "/spec/target/allowImageTag", false),
        bad("image option", image(), "spec.target.image", By.BOTH, "/spec/target/image", "-x" + digest),
        bad("image transport", image(), "spec.target.image", By.BOTH, "/spec/target/image", "docker://quay.io/a/b" + digest),
        bad("image space", image(), "spec.target.image", By.BOTH, "/spec/target/image", "quay.io/a b" + digest),
        bad("image metachar", image(), "spec.target.image", By.BOTH, "/spec/target/image", "quay.io/a/b" + digest + ";reboot"),
        bad("image short digest", image(), "spec.target.image", By.BOTH, "/spec/target/image", "quay.io/a/b@sha256:abc"),
        bad("image host without dot", image(), "spec.target.image", By.BOTH, "/spec/target/image", "registry/b" + digest),
        bad("image upper case", image(), "spec.target.image", By.BOTH, "/spec/target/image", "quay.io/A/b" + digest),
        bad("image 300 chars", image(), "spec.target.image", By.BOTH, "/spec/target/image",
            "quay.io/" + "a".repeat(250) + digest),
        bad("image without image", image(), "spec.target", By.BOTH, "/spec/target/image", REMOVE),
        bad("image with ostreeRef", image(), "spec.target", By.BOTH, "/spec/target/ostreeRef", "rhel-edge:rhel/9/x86_64/edge"),
        bad("image with packages", image(), "spec.target", By.BOTH, "/spec/target/packages", List.of("microshift-4.17.3")),
        bad("ostree with image", ostree(), "spec.target.image", By.BOTH, "/spec/target/image", IMAGE),
        bad("rpm with image", rpm(), "spec.target.image", By.BOTH, "/spec/target/image", IMAGE),
        bad("allowImageTag without image", ostree(), "spec.target.allowImageTag", By.BOTH, "/spec/target/allowImageTag", true));
  }

  /** The CRD's schema with its CEL rules, as the API server judges a plan against it. */
  static KubernetesSchema schema;

  @BeforeAll
  static void load() throws Exception {
    schema = KubernetesSchema.of(openApiV3Schema());
  }

  static JsonNode openApiV3Schema() throws Exception {
    return new YAMLMapper().readTree(Path.of("crds/updateplans.updates.microshift.io-v1.yml").toFile())
        .at("/spec/versions/0/schema/openAPIV3Schema");
  }

  static ObjectNode ostree() {
    ObjectNode plan = JSON.createObjectNode();
    ObjectNode spec = plan.putObject("spec");
    spec.put("type", "ostree");
    spec.putObject("target").put("version", "4.17.3").put("ostreeRef", "rhel-edge:rhel/9/x86_64/edge");
    return plan;
  }

  static ObjectNode rpm() {
    ObjectNode plan = JSON.createObjectNode();
    ObjectNode spec = plan.putObject("spec");
    spec.put("type", "rpm");
    ArrayNode pkgs = spec.putObject("target").put("version", "4.17.3").putArray("packages");
    pkgs.add("microshift-4.17.3").add("microshift-networking-4.17.3");
    return plan;
  }

  static ObjectNode full() {
    ObjectNode plan = ostree();
    ObjectNode spec = (ObjectNode) plan.get("spec");
    ((ObjectNode) spec.get("target")).put("ostreeCommit", "a".repeat(64));
    ObjectNode w = spec.putObject("workloads");
    w.putArray("namespaces").add("shop").add("db");
    w.put("drainTimeout", "5m");
    ObjectNode sel = w.putObject("selector");
    sel.putObject("matchLabels").put("app", "web").put("example.com/tier", "front");
    ObjectNode expr = sel.putArray("matchExpressions").addObject();
    expr.put("key", "legacy").put("operator", "DoesNotExist");
    spec.putObject("hooks").put("defaultTimeout", "5m").put("onError", "Continue").put("veleroAliases", true)
        .put("parallelism", 4).put("idempotent", false);
    spec.putObject("backup").put("etcdSnapshot", true).put("retention", 3);
    ObjectNode win = spec.putObject("maintenanceWindow").put("start", "02:00").put("duration", "2h")
        .put("timeZone", "Europe/Berlin");
    win.putArray("days").add("Sat").add("Sun");
    spec.put("healthCheckTimeout", "10m").put("allowDowngrade", false).put("resumeWorkloads", "AfterCommit")
        .put("dryRun", false);
    return plan;
  }

  /** {@code edits}: JSON pointer, value (REMOVE deletes) pairs applied to a copy of {@code base}. */
  static Arguments bad(String name, ObjectNode base, String expected, By by, Object... edits) {
    ObjectNode doc = base.deepCopy();
    for (int i = 0; i < edits.length; i += 2) {
      String pointer = (String) edits[i];
      int slash = pointer.lastIndexOf('/');
      JsonNode parent = doc.at(pointer.substring(0, slash));
      String key = pointer.substring(slash + 1);
      if (edits[i + 1] == REMOVE) {
        ((ObjectNode) parent).remove(key);
      } else if (parent.isArray()) {
        ((ArrayNode) parent).set(Integer.parseInt(key), JSON.valueToTree(edits[i + 1]));
      } else {
        ((ObjectNode) parent).set(key, JSON.valueToTree(edits[i + 1]));
      }
    }
    return Arguments.of(name, doc, expected, by);
  }

  static List<String> many(int n, String prefix) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  static Stream<Arguments> invalidPlans() {
    return Stream.concat(imageInvalidPlans(), Stream.of(
        bad("no spec", ostree(), "spec", By.BOTH, "/spec", REMOVE),
        bad("no type", ostree(), "spec.type", By.BOTH, "/spec/type", REMOVE),
        bad("no target", ostree(), "spec.target", By.BOTH, "/spec/target", REMOVE),
        bad("no version", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", REMOVE),
        bad("version 4.18", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "4.18"),
        bad("version v4.18.1", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "v4.18.1"),
        bad("version injection", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "4.18.1; rm -rf /"),
        bad("version leading dash", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "-4.18.1"),
        bad("version 300 chars", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "4.18." + "1".repeat(295)),
        bad("version unicode digits", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "\u0664.\u0661\u0668.\u0661"),
        bad("version empty", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", ""),
        bad("version number", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", 4.18),
        bad("version newline", ostree(), "spec.target.version", By.BOTH, "/spec/target/version", "4.18.1\n"),
        bad("type unknown", ostree(), "spec.type", By.BOTH, "/spec/type", "zypper"),
        bad("type upper case", ostree(), "spec.type", By.BOTH, "/spec/type", "OSTREE"),
        bad("ref metachar", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", "rhel|sh"),
        bad("ref space", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", "rhel edge"),
        bad("ref newline", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", "rhel\nedge"),
        bad("ref dotdot", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", "rhel/a..b"),
        bad("ref option", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", "-rhel"),
        bad("ref empty", ostree(), "spec.target.ostreeRef", By.BOTH, "/spec/target/ostreeRef", ""),
        bad("commit short", ostree(), "spec.target.ostreeCommit", By.BOTH, "/spec/target/ostreeCommit", "abc"),
        bad("ostree without ref", ostree(), "spec.target", By.BOTH, "/spec/target/ostreeRef", REMOVE),
        bad("ostree with packages", ostree(), "spec.target.packages", By.BOTH, "/spec/target/packages", List.of("microshift-4.17.3")),
        bad("ostree with repositories", ostree(), "spec.target.repositories", By.BOTH, "/spec/target/repositories",
            List.of("rhocp-4.18-for-rhel-9-x86_64-rpms")),
        bad("repository option", rpm(), "spec.target.repositories[0]", By.BOTH, "/spec/target/repositories",
            List.of("--setopt=x")),
        bad("repository glob", rpm(), "spec.target.repositories[0]", By.BOTH, "/spec/target/repositories",
            List.of("rhocp-*")),
        bad("repository comma list", rpm(), "spec.target.repositories[0]", By.BOTH, "/spec/target/repositories",
            List.of("a,b")),
        bad("reboot unknown", rpm(), "spec.target.reboot", By.SCHEMA_ONLY, "/spec/target/reboot", "Sometimes"),
        bad("package option", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "--setopt=x"),
        bad("package metachar", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "microshift$(id)"),
        bad("package space", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "microshift networking"),
        bad("package newline", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "a\nb"),
        bad("package empty", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", ""),
        bad("package path", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "../x.rpm"),
        bad("package duplicate", rpm(), "spec.target.packages[1]", By.BOTH, "/spec/target/packages/1", "microshift-4.17.3"),
        bad("packages 65", rpm(), "spec.target.packages", By.BOTH, "/spec/target/packages", Stream.concat(Stream.of("microshift-4.17.3"), many(64, "p").stream()).toList()),
        bad("rpm no packages", rpm(), "spec.target.packages", By.BOTH, "/spec/target/packages", List.of()),
        bad("rpm with ref", rpm(), "spec.target", By.BOTH, "/spec/target/ostreeRef", "rhel/9"),
        bad("namespaces 257", full(), "spec.workloads.namespaces", By.BOTH, "/spec/workloads/namespaces", many(257, "ns")),
        bad("namespace invalid", full(), "spec.workloads.namespaces[0]", By.BOTH, "/spec/workloads/namespaces/0", "Shop_1"),
        bad("namespace duplicate", full(), "spec.workloads.namespaces[1]", By.BOTH, "/spec/workloads/namespaces/1", "shop"),
        bad("namespace option", full(), "spec.workloads.namespaces[1]", By.BOTH, "/spec/workloads/namespaces/1", "-n"),
        bad("selector operator", full(), "spec.workloads.selector.matchExpressions[0].operator", By.BOTH, "/spec/workloads/selector/matchExpressions/0/operator", "Equals"),
        bad("selector no operator", full(), "spec.workloads.selector.matchExpressions[0].operator", By.BOTH, "/spec/workloads/selector/matchExpressions/0/operator", REMOVE),
        bad("selector no key", full(), "spec.workloads.selector.matchExpressions[0].key", By.BOTH, "/spec/workloads/selector/matchExpressions/0/key", REMOVE),
        bad("selector label value", full(), "spec.workloads.selector.matchLabels", By.BOTH, "/spec/workloads/selector/matchLabels/app", "x".repeat(64)),
        bad("selector 65 expressions", full(), "spec.workloads.selector.matchExpressions", By.BOTH, "/spec/workloads/selector/matchExpressions",
            many(65, "k").stream().map(k -> Map.of("key", k, "operator", "Exists")).toList()),
        bad("selector not an object", full(), "spec.workloads.selector", By.BOTH, "/spec/workloads/selector", "app=web"),
        bad("drain negative", full(), "spec.workloads.drainTimeout", By.BOTH, "/spec/workloads/drainTimeout", "-5m"),
        bad("drain 10x", full(), "spec.workloads.drainTimeout", By.BOTH, "/spec/workloads/drainTimeout", "10x"),
        bad("drain overflow", full(), "spec.workloads.drainTimeout", By.BOTH, "/spec/workloads/drainTimeout", "999999h".repeat(10)),
        bad("drain number", full(), "spec.workloads.drainTimeout", By.BOTH, "/spec/workloads/drainTimeout", 300),
        bad("health zero", full(), "spec.healthCheckTimeout", By.BOTH, "/spec/healthCheckTimeout", "0s"),
        bad("health too long", full(), "spec.healthCheckTimeout", By.BOTH, "/spec/healthCheckTimeout", "2h"),
        bad("hook timeout zero", full(), "spec.hooks.defaultTimeout", By.BOTH, "/spec/hooks/defaultTimeout", "0m"),
        bad("hook timeout too long", full(), "spec.hooks.defaultTimeout", By.BOTH, "/spec/hooks/defaultTimeout", "48h"),
        bad("hook onError unknown", full(), "spec.hooks.onError", By.BOTH, "/spec/hooks/onError", "Ignore"),
        bad("parallelism 0", full(), "spec.hooks.parallelism", By.BOTH, "/spec/hooks/parallelism", 0),
        bad("parallelism 17", full(), "spec.hooks.parallelism", By.BOTH, "/spec/hooks/parallelism", 17),
        bad("parallelism fraction", full(), "spec.hooks.parallelism", By.BOTH, "/spec/hooks/parallelism", 1.5),
        bad("retention 0", full(), "spec.backup.retention", By.BOTH, "/spec/backup/retention", 0),
        bad("retention -1", full(), "spec.backup.retention", By.BOTH, "/spec/backup/retention", -1),
        bad("retention 11", full(), "spec.backup.retention", By.BOTH, "/spec/backup/retention", 11),
        bad("retention huge", full(), "spec.backup.retention", By.BOTH, "/spec/backup/retention", 99999999999L),
        bad("retention string", full(), "spec.backup.retention", By.SCHEMA_ONLY, "/spec/backup/retention", "3"),
        bad("etcdSnapshot false", full(), "spec.backup.etcdSnapshot", By.OPERATOR_ONLY, "/spec/backup/etcdSnapshot", false),
        bad("window start 24:00", full(), "spec.maintenanceWindow.start", By.BOTH, "/spec/maintenanceWindow/start", "24:00"),
        bad("window no start", full(), "spec.maintenanceWindow.start", By.BOTH, "/spec/maintenanceWindow/start", REMOVE),
        bad("window no duration", full(), "spec.maintenanceWindow.duration", By.BOTH, "/spec/maintenanceWindow/duration", REMOVE),
        bad("window zero length", full(), "spec.maintenanceWindow.duration", By.BOTH, "/spec/maintenanceWindow/duration", "0m"),
        bad("window day unknown", full(), "spec.maintenanceWindow.days", By.BOTH, "/spec/maintenanceWindow/days/0", "Monday"),
        bad("window day duplicate", full(), "spec.maintenanceWindow.days[1]", By.BOTH, "/spec/maintenanceWindow/days/1", "Sat"),
        bad("window 8 days", full(), "spec.maintenanceWindow.days", By.BOTH, "/spec/maintenanceWindow/days", List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mon")),
        bad("window zone long", full(), "spec.maintenanceWindow.timeZone", By.BOTH, "/spec/maintenanceWindow/timeZone", "x".repeat(65)),
        bad("resume unknown", full(), "spec.resumeWorkloads", By.BOTH, "/spec/resumeWorkloads", "Never"),
        bad("dryRun string", full(), "spec.dryRun", By.BOTH, "/spec/dryRun", "yes"),
        bad("allowDowngrade string", full(), "spec.allowDowngrade", By.SCHEMA_ONLY, "/spec/allowDowngrade", "true"),
        bad("unknown field", full(), "spec.target.ostreeref", By.SCHEMA_ONLY, "/spec/target/ostreeref", "rhel/9")));
  }

  @Test
  void validPlansPassTheSchemaAndTheValidator() throws Exception {
    ObjectNode hostAndPort = image();
    ((ObjectNode) hostAndPort.at("/spec/target")).put("image", "myregistry:5000/edge/microshift-bootc@sha256:" + "ab".repeat(32));
    for (ObjectNode plan : List.of(ostree(), rpm(), full(), image(), imageByTag(), hostAndPort)) {
      assertEquals(List.of(), schema.validate(plan), plan.toString());
      assertEquals(List.of(), SpecValidator.problems(read(plan).getSpec()), plan.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPlans")
  void isRefusedByTheSchemaAndBySpecValidator(String name, ObjectNode plan, String field, By by) {
    List<String> errors = schema.validate(plan);
    if (by == By.OPERATOR_ONLY) {
      // spec.backup.etcdSnapshot: false is a valid value of the API that this version refuses
      assertEquals(List.of(), errors, name);
    } else {
      assertFalse(errors.isEmpty(), name + ": the CRD schema accepts " + plan);
      String all = String.join("\n", errors);
      assertTrue(all.contains(field), name + ": no schema error for " + field + " in\n" + all);
    }
    if (by == By.SCHEMA_ONLY) {
      return;
    }
    UpdatePlanSpec spec = read(plan).getSpec();
    List<String> problems = SpecValidator.problems(spec);
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(field)),
        name + ": SpecValidator has no problem for " + field + ": " + problems);
  }

  @Test
  void theExamplePlansPassTheSchemaAndTheValidator() throws Exception {
    List<JsonNode> examples = new ArrayList<>();
    examples.add(new YAMLMapper().readTree(Path.of("fleet/kustomize/base/updateplan.yaml").toFile()));
    String readme = java.nio.file.Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```yaml\napiVersion: updates.microshift.io/v1alpha1");
    examples.add(new YAMLMapper().readTree(readme.substring(start + 8, readme.indexOf("```", start + 8))));
    for (JsonNode example : examples) {
      ObjectNode plan = JSON.createObjectNode();
      plan.set("spec", example.get("spec"));
      assertEquals(List.of(), schema.validate(plan), example.toString());
      assertEquals(List.of(), SpecValidator.problems(read(plan).getSpec()), example.toString());
    }
  }

  /** The plan as the operator's informer reads it (spec through LenientReader). */
  static UpdatePlan read(ObjectNode plan) {
    ObjectNode whole = plan.deepCopy();
    whole.put("apiVersion", "updates.microshift.io/v1alpha1").put("kind", "UpdatePlan");
    whole.putObject("metadata").put("name", "p");
    return OperatorClients.serialization().unmarshal(whole.toString(), UpdatePlan.class);
  }

  @Test
  void everyCelRuleOfTheCrdCompilesInCelsStandardEnvironment() throws Exception {
    List<String> rules = new ArrayList<>();
    collectRules(openApiV3Schema(), rules);
    assertFalse(rules.isEmpty());
  }

  /** Compiles every rule under {@code node} (CelRule.compile throws for one CEL cannot type). */
  static void collectRules(JsonNode node, List<String> rules) {
    for (JsonNode v : node.path("x-kubernetes-validations")) {
      rules.add(CelRule.compile(v.path("rule").asText(), node).rule());
    }
    node.forEach(child -> collectRules(child, rules));
  }
}
