package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.microshift.update.api.UpdatePlan;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plan's events are aggregated as client-go's recorder aggregates them (tools/record
 * events_cache.go: one key of source, object, type, reason and message; a repeat raises count and
 * lastTimestamp of the first Event), and the count survives a new recorder (an operator restart).
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesEventRecorderTest {
  static KubernetesClient client;

  @AfterEach
  void clear() {
    client.v1().events().inNamespace(KubernetesEventRecorder.NAMESPACE).delete();
  }

  static UpdatePlan plan(String name, String uid) {
    UpdatePlan plan = new UpdatePlan();
    plan.setMetadata(new ObjectMetaBuilder().withName(name).withUid(uid).build());
    return plan;
  }

  static Clock at(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }

  List<Event> events() {
    return client.v1().events().inNamespace(KubernetesEventRecorder.NAMESPACE).list().getItems().stream()
        .sorted(Comparator.comparing(Event::getReason).thenComparing(Event::getMessage)).toList();
  }

  @Test
  void theSameWarningAgainRaisesTheCountOfTheFirstEvent() {
    UpdatePlan plan = plan("z-stream", "uid-1");
    new KubernetesEventRecorder(client, at("2026-12-01T10:00:00Z")).warning(plan, "HostBusy", "the host is busy");
    new KubernetesEventRecorder(client, at("2026-12-01T10:01:00Z")).warning(plan, "HostBusy", "the host is busy");
    new KubernetesEventRecorder(client, at("2026-12-01T10:02:00Z")).warning(plan, "HostBusy", "the host is busy");

    List<Event> events = events();
    assertEquals(1, events.size(), events.toString());
    Event e = events.get(0);
    assertEquals(3, e.getCount());
    assertEquals("2026-12-01T10:00:00Z", e.getFirstTimestamp());
    assertEquals("2026-12-01T10:02:00Z", e.getLastTimestamp());
    assertEquals("Warning", e.getType());
    assertEquals("z-stream", e.getInvolvedObject().getName());
  }

  @Test
  void anotherMessageReasonTypeOrPlanIsAnotherEvent() {
    KubernetesEventRecorder recorder = new KubernetesEventRecorder(client, at("2026-12-01T10:00:00Z"));
    UpdatePlan plan = plan("z-stream", "uid-1");
    recorder.warning(plan, "HostBusy", "the host is busy");
    recorder.warning(plan, "HostBusy", "the host is busy with plan b");
    recorder.warning(plan, "HostGone", "the host is busy");
    recorder.normal(plan, "HostBusy", "the host is busy");
    recorder.warning(plan("z-stream", "uid-2"), "HostBusy", "the host is busy"); // a new plan of the same name

    List<Event> events = events();
    assertEquals(5, events.size(), events.toString());
    events.forEach(e -> assertEquals(1, e.getCount(), e.toString()));
  }
}
