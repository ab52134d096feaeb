package io.microshift.update.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.operator.OperatorMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * fleet/prometheus/updateplan-alerts.yaml: the rules in its spec pass {@code promtool check rules}
 * and the unit tests of updateplan-alerts.test.yaml ({@code promtool test rules}); every alert has
 * a severity and tells the admin what to do; there is a stuck alert for each phase that can get
 * stuck; and every metric the rules query is one the operator really exposes. Needs
 * {@code promtool} (Debian package prometheus) on the PATH, or {@code $PROMTOOL}.
 */
class AlertRulesTest {
  static final Path RULE = Path.of("fleet/prometheus/updateplan-alerts.yaml");
  static final Path UNIT_TESTS = Path.of("fleet/prometheus/updateplan-alerts.test.yaml");
  static final Path FLEET_DOC = Path.of("docs/fleet.md");
  /** The name updateplan-alerts.test.yaml's rule_files expects next to it. */
  static final String RULES_FILE = "updateplan-alerts.rules.yaml";

  static Map<String, Object> prometheusRule;
  static List<Map<String, Object>> rules;
  static Path dir;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void extractRules() throws IOException {
    prometheusRule = new Yaml().load(Files.readString(RULE));
    assertEquals("monitoring.coreos.com/v1", prometheusRule.get("apiVersion"));
    assertEquals("PrometheusRule", prometheusRule.get("kind"));
    Map<String, Object> spec = (Map<String, Object>) prometheusRule.get("spec");
    rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    dir = Files.createTempDirectory("alerts");
    // promtool reads plain rule files: the PrometheusRule's spec is one (its `groups:`)
    Files.writeString(dir.resolve(RULES_FILE), new Yaml().dump(spec));
    Files.copy(UNIT_TESTS, dir.resolve(UNIT_TESTS.getFileName()));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  // ---------------------------------------------------------------- promtool

  @Test
  void promtoolCheckRulesAcceptsTheRules() throws Exception {
    String out = promtool("check", "rules", dir.resolve(RULES_FILE).toString());
    assertTrue(out.contains("SUCCESS"), out);
  }

  @Test
  void promtoolUnitTestsPass() throws Exception {
    String out = promtool("test", "rules", dir.resolve(UNIT_TESTS.getFileName()).toString());
    assertTrue(out.contains("SUCCESS"), out);
  }

  /**
   * The promtool unit tests cover what matters: every alert is expected to fire somewhere, a plan
   * stuck in Applying fires UpdatePlanStuck, a Succeeded plan (the normal case) fires nothing, and
   * a dry run that found problems (Failed, dry_run="true") does not fire UpdatePlanFailed.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theUnitTestsCoverTheImportantCases() throws IOException {
    Map<String, Object> file = new Yaml().load(Files.readString(UNIT_TESTS));
    Set<String> fired = new TreeSet<>();
    boolean stuckInApplying = false;
    boolean quietSucceeded = false;
    boolean quietFailedDryRun = false;
    for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
      String series = ((List<Map<String, Object>>) test.get("input_series")).stream()
          .map(x -> String.valueOf(x.get("series"))).collect(Collectors.joining("\n"));
      List<Map<String, Object>> checks = (List<Map<String, Object>>) test.get("alert_rule_test");
      boolean anyFires = false;
      for (Map<String, Object> check : checks) {
        List<Map<String, Object>> expected = (List<Map<String, Object>>) check.get("exp_alerts");
        if (expected == null || expected.isEmpty()) {
          continue;
        }
        anyFires = true;
        fired.add((String) check.get("alertname"));
        for (Map<String, Object> alert : expected) {
          Map<String, Object> labels = (Map<String, Object>) alert.get("exp_labels");
          stuckInApplying |= "UpdatePlanStuck".equals(check.get("alertname"))
              && "Applying".equals(labels.get("phase"));
        }
      }
      Set<String> checked = checks.stream().map(c -> (String) c.get("alertname")).collect(Collectors.toSet());
      quietFailedDryRun |= series.matches("(?s).*phase=\"Failed\",dry_run=\"true\".*")
          && checks.stream().anyMatch(c -> "UpdatePlanFailed".equals(c.get("alertname"))
              && ((List<?>) c.get("exp_alerts")).isEmpty()
              && String.valueOf(c.get("eval_time")).matches("([3-9]|[1-9][0-9])m"));
      quietSucceeded |= series.contains("phase=\"Succeeded\"") && !anyFires
          && checked.containsAll(Set.of("UpdatePlanFailed", "UpdatePlanRolledBack", "UpdatePlanStuck"));
    }
    Set<String> all = rules.stream().map(r -> (String) r.get("alert")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(all, fired, "updateplan-alerts.test.yaml should expect every alert to fire at least once");
    assertTrue(stuckInApplying, "no unit test of a plan stuck in Applying");
    assertTrue(quietSucceeded, "no unit test that a Succeeded plan fires no plan alert");
    assertTrue(quietFailedDryRun, "no unit test that a dry run that ended Failed fires no UpdatePlanFailed");
  }

  // ---------------------------------------------------------------- content

  @Test
  void everyAlertHasSeveritySummaryAndWhatToDo() {
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> rule : rules) {
      String name = (String) rule.get("alert");
      assertTrue(name != null, "only alerting rules expected: " + rule);
      names.add(name);
      Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
      assertTrue(labels != null && Set.of("critical", "warning", "info").contains(labels.get("severity")),
          name + ": severity must be critical, warning or info");
      Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
      assertTrue(annotations != null && annotations.get("summary") instanceof String s && !s.isBlank(),
          name + ": summary missing");
      String description = String.valueOf(annotations.get("description"));
      if (name.startsWith("UpdatePlan") || name.startsWith("UpdateBackup")) {
        assertTrue(description.matches("(?s).*docs/procedures/(recover-failed-plan|rollback)\\.md.*"),
            name + ": the description must point to docs/procedures/recover-failed-plan.md or rollback.md");
      }
      assertTrue(description.contains("oc "), name + ": the description should say which command to run first");
    }
    assertEquals(new TreeSet<>(List.of("UpdatePlanFailed", "UpdatePlanRolledBack", "UpdatePlanStuck",
        "UpdateBackupFailed", "OperatorDown")), names);
  }

  /** One stuck rule per phase that can hang: every non-terminal phase except Pending (waits for windows and queues). */
  @Test
  void thereIsAStuckRuleForEveryPhaseThatCanHang() {
    Set<String> expected = Arrays.stream(Phase.values())
        .filter(p -> !p.isTerminal() && p != Phase.Pending).map(Phase::name)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> actual = new TreeSet<>();
    Pattern minutes = Pattern.compile("> (\\d+) \\* 60\\)");
    for (Map<String, Object> rule : rules) {
      if (!"UpdatePlanStuck".equals(rule.get("alert"))) {
        continue;
      }
      Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
      String phase = String.valueOf(labels.get("phase"));
      String expr = String.valueOf(rule.get("expr"));
      assertTrue(expr.contains("microshift_update_plan_phase{phase=\"" + phase + "\"} == 1"),
          "the stuck rule labelled " + phase + " must select that phase: " + expr);
      Matcher m = minutes.matcher(expr);
      assertTrue(m.find(), "no limit `> N * 60` in " + expr);
      assertEquals(m.group(1) + "m", labels.get("limit"), "the limit label must match the expression for " + phase);
      assertTrue(actual.add(phase), "two stuck rules for " + phase);
    }
    assertEquals(expected, actual);
  }

  /** docs/fleet.md's alert table names every alert and every stuck limit as the rules have them. */
  @Test
  void fleetDocDescribesTheAlertsAsTheyAre() throws IOException {
    String doc = Files.readString(FLEET_DOC);
    for (Map<String, Object> rule : rules) {
      String name = (String) rule.get("alert");
      assertTrue(doc.contains("| `" + name + "` |"), "docs/fleet.md has no row for " + name);
      Map<?, ?> labels = (Map<?, ?>) rule.get("labels");
      if ("UpdatePlanStuck".equals(name)) {
        String limit = labels.get("phase") + " " + labels.get("limit");
        assertTrue(doc.contains(limit), "docs/fleet.md does not give the limit '" + limit + "'");
      }
    }
  }

  /** Every microshift_* name in the rules appears in a real scrape of the operator's registry. */
  @Test
  void theRulesQueryMetricsTheOperatorExposes() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OperatorMetrics metrics = new OperatorMetrics(registry);
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName("to-4.17.3").build());
    plan.setStatus(new UpdatePlanStatus());
    plan.getStatus().phase = Phase.Failed;
    plan.getStatus().phaseTransitionTime = "2026-11-25T14:02:00Z";
    metrics.observe(plan);
    metrics.transition(plan, Phase.Pausing, Phase.Failed, "2026-11-25T14:00:00Z", java.time.Instant.parse("2026-11-25T14:02:00Z"));
    metrics.backupFailed();
    Set<String> exposed = registry.scrape().lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));

    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("\\bmicroshift_[a-z0-9_]+").matcher(
        rules.stream().map(r -> String.valueOf(r.get("expr"))).collect(Collectors.joining("\n")));
    while (m.find()) {
      queried.add(m.group());
    }
    assertFalse(queried.isEmpty());
    queried.removeAll(exposed);
    assertEquals(Set.of(), queried, "the rules query metrics the operator does not expose; it exposes " + exposed);
  }

  // ---------------------------------------------------------------- helpers

  static String promtool(String... args) throws Exception {
    ExternalTool.Result r = ExternalTool.PROMTOOL.check(args);
    return r.stdout() + r.stderr();
  }
}
