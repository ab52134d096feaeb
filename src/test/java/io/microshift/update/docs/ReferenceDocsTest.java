package io.microshift.update.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.marker.HostState;
import io.microshift.update.operator.Conditions;
import io.microshift.update.operator.OperatorMetrics;
import io.microshift.update.operator.Reason;
import io.microshift.update.checkpoint.WorkloadReason;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/reference in step with what it documents: the CRD (every spec and status field, with
 * its type), the operator's code (every condition type and every reason it sets or records) and
 * OperatorMetrics (every metric, with its labels).
 */
class ReferenceDocsTest {
  static final Path CRD = Path.of("crds/updateplans.updates.microshift.io-v1.yml");
  static final Path UPDATEPLAN_DOC = Path.of("docs/reference/updateplan.md");
  static final Path CONDITIONS_DOC = Path.of("docs/reference/conditions-and-events.md");
  static final Path METRICS_DOC = Path.of("docs/reference/metrics.md");
  static final Path MAIN_SRC = Path.of("src/main/java/io/microshift/update");
  static final Path OPERATOR_SRC = MAIN_SRC.resolve("operator");
  static final Path METRICS_SRC = OPERATOR_SRC.resolve("OperatorMetrics.java");

  // ================================================================ updateplan.md <-> CRD

  @Test
  void updatePlanDocNamesEveryCrdFieldAndNoOther() throws IOException {
    Map<String, String> crd = crdFields();
    String doc = Files.readString(UPDATEPLAN_DOC);
    Set<String> named = new TreeSet<>();
    Matcher m = Pattern.compile("`((?:spec|status)(?:\\.[A-Za-z0-9]+(?:\\[\\])?)+)`").matcher(doc);
    while (m.find()) {
      named.add(m.group(1));
    }
    Set<String> unknown = new TreeSet<>(named);
    unknown.removeAll(crd.keySet());
    assertEquals(Set.of(), unknown, "updateplan.md names fields the CRD does not have");

    Set<String> missing = new TreeSet<>(required(crd.keySet()));
    missing.removeAll(named);
    assertEquals(Set.of(), missing, "updateplan.md does not describe these CRD fields");
  }

  @Test
  void updatePlanDocStatesEachFieldsTypeAsTheCrdDoes() throws IOException {
    Map<String, String> crd = crdFields();
    Map<String, String> rows = tableRows(Files.readString(UPDATEPLAN_DOC));
    List<String> wrong = new ArrayList<>();
    for (String field : required(crd.keySet())) {
      String row = rows.get(field);
      if (row == null) {
        wrong.add(field + ": no table row");
        continue;
      }
      String type = cell(row, 1).replace("`", "");
      if (!type.equals(crd.get(field))) {
        wrong.add(field + ": doc says '" + type + "', the CRD says '" + crd.get(field) + "'");
      }
    }
    assertEquals(List.of(), wrong);
  }

  /**
   * The fields that need their own row: all of them, except those under status.acceptedSpec,
   * which the doc describes as "exactly the fields of spec". That holds only while the two
   * schemas are the same (descriptions aside), so this checks it too.
   */
  static Set<String> required(Set<String> all) throws IOException {
    JsonNode schema = new YAMLMapper().readTree(CRD.toFile()).at("/spec/versions/0/schema/openAPIV3Schema/properties");
    ObjectNode spec = schema.path("spec").deepCopy();
    ObjectNode accepted = schema.at("/status/properties/acceptedSpec").deepCopy();
    spec.remove("description");
    accepted.remove("description");
    if (!spec.equals(accepted)) {
      return all; // they differ: every acceptedSpec field needs its own row
    }
    return all.stream().filter(f -> !f.startsWith("status.acceptedSpec.")).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every property path under spec and status, with its type as the doc writes it. */
  static Map<String, String> crdFields() throws IOException {
    JsonNode schema = new YAMLMapper().readTree(CRD.toFile()).at("/spec/versions/0/schema/openAPIV3Schema/properties");
    assertFalse(schema.isMissingNode(), "no openAPIV3Schema in " + CRD);
    Map<String, String> fields = new TreeMap<>();
    walk("spec", schema.path("spec"), fields);
    walk("status", schema.path("status"), fields);
    assertTrue(fields.containsKey("spec.target.ostreeRef") && fields.containsKey("status.hooks[].exitCode"),
        "the CRD walk missed known fields: " + fields.keySet());
    return fields;
  }

  static void walk(String prefix, JsonNode schema, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix + "." + e.getKey();
      JsonNode p = e.getValue();
      out.put(path, type(p));
      if (p.has("properties")) {
        walk(path, p, out);
      } else if (p.path("items").has("properties")) {
        walk(path + "[]", p.path("items"), out);
      }
    }
  }

  static String type(JsonNode p) {
    String t = p.path("type").asText();
    if (t.equals("array")) {
      return "[]" + type(p.path("items"));
    }
    if (t.equals("object") && p.has("additionalProperties") && !p.has("properties")) {
      return "map[string]" + type(p.path("additionalProperties"));
    }
    return t;
  }

  // ================================================================ conditions-and-events.md <-> code

  @Test
  void conditionsDocListsEveryReasonTheCodeUses() throws IOException {
    Set<String> docTokens = backticked(Files.readString(CONDITIONS_DOC));
    Set<String> missing = new TreeSet<>(reasonsInCode());
    missing.removeAll(docTokens);
    assertEquals(Set.of(), missing, "conditions-and-events.md does not list these reasons (operator.Reason,"
        + " checkpoint.WorkloadReason)");
    assertTrue(docTokens.contains("Host<state>"), "conditions-and-events.md does not explain the reasons Host<state>");
    // Host<state>: every state of host-status.json but Failed (that is HostUpdateFailed)
    Set<String> hostReasons = new TreeSet<>();
    for (HostState state : HostState.values()) {
      if (state != HostState.Failed) {
        hostReasons.add(Reason.host(state).name());
      }
    }
    assertEquals(HostState.values().length - 1, hostReasons.size());
    hostReasons.removeAll(docTokens);
    assertEquals(Set.of(), hostReasons, "conditions-and-events.md does not list these Host<state> reasons");
  }

  @Test
  void conditionsDocListsEveryConditionType() throws IOException {
    Set<String> docTokens = backticked(Files.readString(CONDITIONS_DOC));
    Set<String> types = conditionTypes();
    assertTrue(types.containsAll(Set.of("Ready", "Queued", "StepError")), "missed condition types: " + types);
    Set<String> missing = new TreeSet<>(types);
    missing.removeAll(docTokens);
    assertEquals(Set.of(), missing, "conditions-and-events.md does not list these condition types");
  }

  /** The reasons table names nothing the code does not set (a renamed reason must leave the doc). */
  @Test
  void conditionsDocListsNoReasonTheCodeLacks() throws IOException {
    Set<String> code = reasonsInCode();
    String doc = Files.readString(CONDITIONS_DOC);
    String table = doc.substring(doc.indexOf("## Reasons"), doc.indexOf("## Events"));
    Set<String> stale = new TreeSet<>();
    for (String row : table.lines().filter(l -> l.startsWith("| `")).toList()) {
      for (String reason : backticked(cell(row, 0))) {
        if (!code.contains(reason)) {
          stale.add(reason);
        }
      }
    }
    assertEquals(Set.of(), stale, "conditions-and-events.md lists reasons the code does not use");
  }

  /**
   * The operator's reasons (the {@link Reason} enum) and those of the Events that the workload hooks
   * and pausing record on their own (the {@link WorkloadReason} enum).
   */
  static Set<String> reasonsInCode() throws IOException {
    Set<String> reasons = new TreeSet<>();
    for (Reason r : Reason.values()) {
      reasons.add(r.name());
    }
    assertTrue(reasons.containsAll(Set.of("InvalidSpec", "Queued", "UpdateCommitted", "PlanAlreadyStarted",
        "ResumedFromHostStatus", "RequestWithdrawn", "PreviewReady", "HostIsUpdating", "HostStaging")),
        "operator.Reason lacks known reasons: " + reasons);
    for (WorkloadReason r : WorkloadReason.values()) {
      reasons.add(r.name());
    }
    return reasons;
  }

  /** The condition types: the String constants of {@link Conditions}. */
  static Set<String> conditionTypes() {
    Set<String> out = new TreeSet<>();
    for (Field f : Conditions.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        try {
          out.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertTrue(out.size() >= 5, "found too few constants in Conditions: " + out);
    return out;
  }

  // ================================================================ metrics.md <-> OperatorMetrics

  @Test
  void metricsDocNamesEveryMetricOfOperatorMetrics() throws IOException {
    String src = Files.readString(METRICS_SRC);
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\.builder\\(\\s*\"([a-z0-9_]+)\"").matcher(src);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertTrue(names.size() >= 5, "found too few metric names in " + METRICS_SRC + ": " + names);
    String doc = Files.readString(METRICS_DOC);
    Set<String> missing = names.stream().filter(n -> !doc.contains("`" + n)).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), missing, "metrics.md does not name these metrics of OperatorMetrics.java");
  }

  /**
   * What Prometheus sees (a real scrape; counters get _total): each exposed series name has a row
   * with its labels, and the doc names no microshift_ metric that is not exposed.
   */
  @Test
  void metricsDocMatchesWhatPrometheusScrapes() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName("to-4.17.3").build());
    plan.setStatus(new UpdatePlanStatus());
    plan.getStatus().phase = Phase.Succeeded;
    plan.getStatus().phaseTransitionTime = "2026-11-25T14:02:00Z";
    metrics.observe(plan);
    plan.getStatus().startTime = "2026-11-25T13:50:00Z";
    metrics.transition(plan, Phase.Verifying, Phase.Succeeded, "2026-11-25T14:00:00Z", java.time.Instant.parse("2026-11-25T14:02:00Z"));
    metrics.backupFailed();
    Map<String, Set<String>> exposed = new TreeMap<>();
    Matcher sample = Pattern.compile("^(microshift_[a-z0-9_]+)(?:\\{([^}]*)\\})? ", Pattern.MULTILINE)
        .matcher(registry.scrape());
    while (sample.find()) {
      Set<String> labels = exposed.computeIfAbsent(sample.group(1), k -> new TreeSet<>());
      if (sample.group(2) != null) {
        for (String pair : sample.group(2).split(",")) {
          labels.add(pair.substring(0, pair.indexOf('=')).trim());
        }
      }
    }
    assertTrue(exposed.size() >= 5, "the scrape exposed too little: " + exposed);

    Map<String, String> rows = tableRows(Files.readString(METRICS_DOC));
    List<String> wrong = new ArrayList<>();
    exposed.forEach((name, labels) -> {
      String row = rows.get(name);
      if (row == null) {
        wrong.add(name + ": no row");
        return;
      }
      Set<String> docLabels = backticked(cell(row, 2));
      if (!docLabels.equals(labels)) {
        wrong.add(name + ": doc labels " + docLabels + ", scraped " + labels);
      }
    });
    for (String token : backticked(Files.readString(METRICS_DOC))) {
      if (token.matches("microshift_[a-z0-9_]+") && !exposed.containsKey(token)) {
        wrong.add(token + ": named in metrics.md but not exposed");
      }
    }
    assertEquals(List.of(), wrong);
  }

  // ================================================================ markdown helpers

  /** Table rows by the backticked token that opens them: "| `name` | ...". */
  static Map<String, String> tableRows(String doc) {
    Map<String, String> rows = new TreeMap<>();
    Matcher m = Pattern.compile("^\\| `([^`]+)` \\|.*$", Pattern.MULTILINE).matcher(doc);
    while (m.find()) {
      rows.put(m.group(1), m.group());
    }
    return rows;
  }

  /** The n-th cell (0-based) of a table row; "\|" inside a cell is not a separator. */
  static String cell(String row, int n) {
    String[] cells = row.trim().replace("\\|", "\u0000").split("\\|");
    // cells[0] is empty (the row starts with '|')
    return n + 1 < cells.length ? cells[n + 1].replace('\u0000', '|').trim() : "";
  }

  /** The `code spans` of a markdown text, fenced code blocks left out. */
  static Set<String> backticked(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("`([^`\n]+)`").matcher(text.replaceAll("(?ms)^```.*?^```", ""));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
