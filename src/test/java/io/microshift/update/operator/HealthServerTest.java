package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.microshift.update.api.Phase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  @Test
  void servesLivenessReadinessAndPrometheusMetrics() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new OperatorMetrics(registry).transition(new io.microshift.update.api.UpdatePlan(), Phase.Pending, Phase.Preflight,
        null, java.time.Instant.now());
    AtomicBoolean ready = new AtomicBoolean(false);
    try (HealthServer server = new HealthServer(0, ready::get, registry).start()) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      assertEquals(200, get(http, base + "/healthz").statusCode());
      assertEquals(503, get(http, base + "/readyz").statusCode());
      ready.set(true);
      assertEquals(200, get(http, base + "/readyz").statusCode());
      HttpResponse<String> metrics = get(http, base + "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains(
          "microshift_update_phase_transitions_total{from=\"Pending\",to=\"Preflight\"} 1.0"), metrics.body());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
