package io.microshift.update.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The bench's mock dispatcher, counting the requests it serves by kind (method, resource,
 * subresource, watch or not), with the bytes of their bodies and the dispatcher's own time: where
 * the hand-off's API traffic goes.
 */
final class CountingDispatcher extends KubernetesMixedDispatcher {
  private static final Pattern NAMES = Pattern.compile("/namespaces/[^/]+");
  private final Map<String, long[]> counts = new ConcurrentHashMap<>();

  CountingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    long start = System.nanoTime();
    long sent = request.getBody() == null ? 0 : request.getBody().size(); // before the dispatcher reads it
    MockResponse response = super.dispatch(request);
    long[] c = counts.computeIfAbsent(kind(request), k -> new long[3]);
    synchronized (c) {
      c[0]++;
      c[1] += sent;
      c[2] += System.nanoTime() - start;
    }
    return response;
  }

  /** e.g. "PUT pods/status", "GET pods watch", "POST events". */
  static String kind(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    String query = q < 0 ? "" : path.substring(q + 1);
    String[] parts = NAMES.matcher(q < 0 ? path : path.substring(0, q)).replaceFirst("").split("/");
    // /api/v1/<resource>[/<name>[/<sub>]] or /apis/<group>/<version>/<resource>[/<name>[/<sub>]]
    int base = parts.length > 1 && parts[1].equals("apis") ? 4 : 3;
    String resource = parts.length > base ? parts[base] : String.join("/", parts);
    String sub = parts.length > base + 2 ? "/" + parts[base + 2] : "";
    boolean watch = query.contains("watch=true");
    return request.getMethod() + " " + resource + sub + (watch ? " watch" : "");
  }

  /** One line per kind, the most frequent first. */
  String summary() {
    return counts.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0]))
        .map(e -> String.format(Locale.ROOT, "%6d %-28s %8.1f KB sent %7.0f ms in the dispatcher",
            e.getValue()[0], e.getKey(), e.getValue()[1] / 1e3, e.getValue()[2] / 1e6))
        .collect(Collectors.joining("\n"));
  }

  void clearCounts() {
    counts.clear();
  }
}
