package io.microshift.update.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.operator.OperatorClients;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The simulated device's Kubernetes API: the fabric8 mock server in CRUD mode, with exec
 * expectations answered first (as {@code KubernetesMixedDispatcher} does). Its objects stand for
 * what MicroShift keeps in etcd: {@link #dump} writes them into a file inside the data dir when
 * MicroShift stops, {@link #load} puts a (possibly restored) file back before MicroShift's API
 * serves again. Exec requests are passed to a listener first, so a hook can have a side effect.
 */
public final class SimApiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final MockDispatcher expectations = new MockDispatcher(responses);
  /** The store key of every object ever dumped, by identity: a restored file is put back under it. */
  private final Map<String, AttributeSet> keys = new ConcurrentHashMap<>();
  private final KubernetesMockServer server;
  private volatile Consumer<String> execListener = p -> {};

  public SimApiServer() {
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getPath() != null && request.getPath().contains("/exec?")) {
          execListener.accept(request.getPath());
        }
        Queue<ServerResponse> q = responses.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
        return q != null && !q.isEmpty() ? expectations.dispatch(request) : crud.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
  }

  /** For exec expectations ({@code server().expect()...}) and recorded requests. */
  public KubernetesMockServer server() {
    return server;
  }

  /** Called with the path of every exec request, before it is answered. */
  public void onExec(Consumer<String> listener) {
    this.execListener = listener;
  }

  /** A new client of this API server; the caller closes it. */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  /** A new client configured like the operator's own ({@link OperatorClients}); the caller closes it. */
  public KubernetesClient newOperatorClient() {
    return server.createClient(b -> b.withKubernetesSerialization(OperatorClients.serialization()));
  }

  private static String identity(JsonNode o) {
    JsonNode m = o.path("metadata");
    return o.path("apiVersion").asText() + "/" + o.path("kind").asText() + "/" + m.path("namespace").asText("")
        + "/" + m.path("name").asText();
  }

  /** The CRUD store's own lock (the store is a plain LinkedHashMap the server guards with it). */
  private java.util.concurrent.locks.ReadWriteLock storeLock() {
    try {
      java.lang.reflect.Field f = KubernetesCrudDispatcher.class.getDeclaredField("lock");
      f.setAccessible(true);
      return (java.util.concurrent.locks.ReadWriteLock) f.get(crud);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8's KubernetesCrudDispatcher has no lock field any more", e);
    }
  }

  /** Writes every object (JSON array) to {@code file}, atomically. */
  public synchronized void dump(Path file) {
    java.util.concurrent.locks.Lock lock = storeLock().readLock();
    lock.lock();
    try {
      ArrayNode all = JSON.createArrayNode();
      List<Map.Entry<AttributeSet, String>> entries = new ArrayList<>(crud.getMap().entrySet());
      for (Map.Entry<AttributeSet, String> e : entries) {
        JsonNode o = JSON.readTree(e.getValue());
        keys.put(identity(o), e.getKey());
        all.add(o);
      }
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces every object with those in {@code file} (uids, generations and status kept). Only
   * while no client watches: the simulated device calls it at boot, before the operator starts.
   */
  public synchronized void load(Path file) {
    java.util.concurrent.locks.Lock lock = storeLock().writeLock();
    lock.lock();
    try {
      JsonNode all = JSON.readTree(Files.readAllBytes(file));
      Map<AttributeSet, String> map = crud.getMap();
      map.clear();
      for (JsonNode o : all) {
        AttributeSet key = keys.get(identity(o));
        if (key == null) {
          throw new IllegalStateException("no store key known for " + identity(o));
        }
        map.put(key, JSON.writeValueAsString(o));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    server.destroy();
  }
}
