package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdatePlanStatus;
import io.microshift.update.api.UpdateType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** What the operator's /metrics endpoint says (the scrape text Prometheus reads). */
class OperatorMetricsTest {
  static final Instant NOW = Instant.parse("2026-11-25T14:30:00Z");

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final OperatorMetrics metrics = new OperatorMetrics(registry, new BuildInfo("0.1.0", "3f2c9e1"));

  static UpdatePlan plan(String name, boolean dryRun, String started) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).build());
    plan.setSpec(new UpdatePlanSpec());
    plan.getSpec().type = UpdateType.OSTREE;
    plan.getSpec().dryRun = dryRun ? true : null;
    plan.setStatus(new UpdatePlanStatus());
    plan.getStatus().acceptedSpec = plan.getSpec();
    plan.getStatus().startTime = started;
    return plan;
  }

  /** Moves the plan as PlanStateMachine does: the metric sees when it entered the phase it leaves. */
  void move(UpdatePlan plan, Phase to, Instant at) {
    Phase from = plan.getStatus().phase;
    metrics.transition(plan, from, to, plan.getStatus().phaseTransitionTime, at);
    plan.getStatus().phase = to;
    plan.getStatus().phaseTransitionTime = at.toString();
    metrics.observe(plan);
  }

  String scrape() throws Exception {
    try (HealthServer server = new HealthServer(0, () -> true, registry).start()) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      return r.body();
    }
  }

  @Test
  void aDryRunThatFoundProblemsIsLabelledSoTheFailedAlertLeavesItOut() throws Exception {
    UpdatePlan check = plan("check-4.17.3", true, "2026-11-25T14:00:00Z");
    check.getStatus().phase = Phase.Preflight;
    check.getStatus().phaseTransitionTime = "2026-11-25T14:00:00Z";
    move(check, Phase.Failed, NOW);

    String text = scrape();

    assertTrue(text.contains("microshift_update_plan_phase{dry_run=\"true\",phase=\"Failed\",plan=\"check-4.17.3\"} 1"), text);
    assertTrue(text.contains(
        "microshift_update_plans_completed_total{dry_run=\"true\",outcome=\"Failed\",type=\"ostree\"} 1.0"), text);
    assertFalse(text.contains("microshift_update_plans_completed_total{dry_run=\"false\""), text);
    assertFalse(text.matches("(?s).*microshift_update_plan_phase\\{dry_run=\"false\",phase=\"Failed\"[^}]*\\} 1.*"), text);
  }

  @Test
  void anUpdateIsTimedFromLeavingPendingToItsOutcomeInMinuteBuckets() throws Exception {
    UpdatePlan update = plan("to-4.17.3", false, "2026-11-25T14:18:00Z");
    update.getStatus().phase = Phase.Verifying;
    update.getStatus().phaseTransitionTime = "2026-11-25T14:27:00Z";
    move(update, Phase.Succeeded, NOW);

    String text = scrape();

    String series = "microshift_update_duration_seconds_bucket{dry_run=\"false\",outcome=\"Succeeded\",type=\"ostree\",le=\"";
    assertTrue(text.contains(series + "600.0\"} 0"), text);
    assertTrue(text.contains(series + "900.0\"} 1"), text);
    assertTrue(text.contains(series + "5400.0\"} 1"), text);
    assertTrue(text.contains(
        "microshift_update_duration_seconds_sum{dry_run=\"false\",outcome=\"Succeeded\",type=\"ostree\"} 720.0"), text);
  }

  @Test
  void eachPhaseALeftIsTimedWithItsName() throws Exception {
    UpdatePlan update = plan("to-4.17.3", false, "2026-11-25T14:00:00Z");
    update.getStatus().phase = Phase.Pending;
    update.getStatus().phaseTransitionTime = "2026-11-25T13:00:00Z";
    move(update, Phase.Preflight, Instant.parse("2026-11-25T14:00:00Z"));
    move(update, Phase.Pausing, Instant.parse("2026-11-25T14:00:20Z"));
    move(update, Phase.AwaitingReboot, Instant.parse("2026-11-25T14:01:50Z"));

    String text = scrape();

    assertTrue(text.contains("microshift_update_phase_duration_seconds_bucket{phase=\"Preflight\",le=\"15.0\"} 0"), text);
    assertTrue(text.contains("microshift_update_phase_duration_seconds_bucket{phase=\"Preflight\",le=\"30.0\"} 1"), text);
    assertTrue(text.contains("microshift_update_phase_duration_seconds_bucket{phase=\"Pausing\",le=\"60.0\"} 0"), text);
    assertTrue(text.contains("microshift_update_phase_duration_seconds_bucket{phase=\"Pausing\",le=\"120.0\"} 1"), text);
    assertFalse(text.contains("microshift_update_phase_duration_seconds_bucket{phase=\"Pending\""),
        "Pending waits for windows and other plans: not a phase duration");
  }

  @Test
  void buildInfoIsOneWithTheVersionAndRevision() throws Exception {
    String text = scrape();
    assertTrue(text.contains("microshift_update_build_info{revision=\"3f2c9e1\",version=\"0.1.0\"} 1"), text);
  }

  @Test
  void buildInfoReadsTheJarManifest() {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "0.1.0");
    m.getMainAttributes().putValue("Implementation-Revision", "3f2c9e1");
    assertEquals(new BuildInfo("0.1.0", "3f2c9e1"), BuildInfo.of(m));
    assertEquals(new BuildInfo("unknown", "unknown"), BuildInfo.of(null));
    assertEquals(new BuildInfo("unknown", "unknown"), BuildInfo.current(), "tests run from classes, not a jar");
  }
}
