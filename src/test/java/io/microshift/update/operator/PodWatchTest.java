package io.microshift.update.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 6: the operator keeps no pod. Pod changes wake the plans through a watch that
 * starts at the current resource version (a list of one pod), not through an informer that lists
 * and caches every pod of the cluster.
 */
@EnableKubernetesMockClient(crud = true)
class PodWatchTest {
  static KubernetesClient client;
  static KubernetesMockServer server;

  @AfterEach
  void clear() {
    client.pods().inAnyNamespace().delete();
  }

  @Test
  void aPodGoneIsReportedAndNothingAfterTheWatchIsClosed() {
    for (int i = 0; i < 3; i++) {
      client.resource(pod("shop", "existing-" + i)).create();
    }
    AtomicInteger changes = new AtomicInteger();
    PodWatch w = PodWatch.start(client, changes::incrementAndGet);
    try {
      assertTrue(w.isWatching());
      // the mock server answers a watch from a resource version with ADDED events for the existing
      // pods (a real API server does not): wait for those before the change under test
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
      int before = changes.get();
      client.pods().inNamespace("shop").withName("existing-1").delete();
      await().atMost(Duration.ofSeconds(2)).until(() -> changes.get() > before);
    } finally {
      w.close();
    }
    assertTrue(!w.isWatching(), "closed");
    int closedAt = changes.get();
    client.pods().inNamespace("shop").withName("existing-2").delete();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> changes.get() == closedAt);
  }

  @Test
  void theOperatorListsAtMostOnePodAndWatchesFromThatVersion() throws Exception {
    MockCluster.prepare(client);
    for (int i = 0; i < 5; i++) {
      client.resource(pod("shop", "pod-" + i)).create();
    }
    drainRequests();
    FakeHost host = new FakeHost();
    RecordingWorkloads work = new RecordingWorkloads();
    OperatorRuntime runtime = new OperatorRuntime(client, new Ports(work, work, host), new SimpleMeterRegistry(),
        Clock.systemUTC(), null);
    try {
      runtime.start();
      await().atMost(Duration.ofSeconds(10)).until(runtime::isHealthy);
      List<String> pods = new ArrayList<>();
      for (String path : drainRequests()) {
        if (path.startsWith("/api/v1/pods")) {
          pods.add(path);
        }
      }
      assertTrue(pods.stream().anyMatch(p -> p.contains("watch=true")), "pods are watched: " + pods);
      for (String p : pods) {
        assertTrue(p.contains("watch=true") || p.contains("limit=1"),
            "a list of every pod of the cluster (an informer's cache): " + p);
      }
      assertEquals(1, pods.stream().filter(p -> !p.contains("watch=true")).count(),
          "one list, for the resource version: " + pods);
    } finally {
      runtime.close();
      MockCluster.clear(client);
    }
  }

  /**
   * CPU to ready (issue 16 item 6): the watch reads pods without fabric8's Pod model, so Jackson
   * builds no deserializer for the pod graph before the operator is ready (it was a third of the
   * start's CPU). A client whose mapper records every bean type it builds a deserializer for.
   */
  @Test
  void theWatchBindsNoPodModel() {
    client.resource(pod("shop", "existing")).create();
    Set<Class<?>> built = ConcurrentHashMap.newKeySet();
    SimpleModule recorder = new SimpleModule();
    recorder.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription bean,
          JsonDeserializer<?> deserializer) {
        built.add(bean.getBeanClass());
        return deserializer;
      }
    });
    ObjectMapper mapper = new ObjectMapper().registerModule(recorder);
    try (KubernetesClient recording = new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withKubernetesSerialization(new KubernetesSerialization(mapper, false)).build()) {
      AtomicInteger changes = new AtomicInteger();
      PodWatch w = PodWatch.start(recording, changes::incrementAndGet);
      try {
        assertTrue(w.isWatching());
        client.resource(pod("shop", "new")).create();
        await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() > 0);
      } finally {
        w.close();
      }
    }
    assertTrue(built.stream().noneMatch(c -> c.getPackageName().equals("io.fabric8.kubernetes.api.model")
            && c.getSimpleName().startsWith("Pod")),
        "deserializers built for fabric8's pod model: " + built);
  }

  private static List<String> drainRequests() throws InterruptedException {
    List<String> paths = new ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null; ) {
      paths.add(r.getPath());
    }
    return paths;
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String ns, String name) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("app").endContainer().endSpec().build();
  }
}
