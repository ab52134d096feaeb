package io.microshift.update.hooks;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.WebSocketMessage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Pods with hook annotations and exec expectations on the mock server. */
public final class Pods {
  private Pods() {}

  /** A Running pod whose containers are all ready. */
  public static Pod running(String ns, String name, Map<String, String> annotations, String... containers) {
    PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withAnnotations(annotations).endMetadata().withNewSpec().endSpec();
    for (String c : containers) {
      b.editSpec().addNewContainer().withName(c).withImage("img").endContainer().endSpec();
    }
    b.withNewStatus().withPhase("Running").endStatus();
    for (String c : containers) {
      b.editStatus().addToContainerStatuses(
          new ContainerStatusBuilder().withName(c).withReady(true).build()).endStatus();
    }
    return b.build();
  }

  public static Pod create(KubernetesClient client, Pod pod) {
    return client.resource(pod).create();
  }

  /** The exec URL path fabric8 sends for this argv (stdout and stderr captured, no stdin). */
  public static String execPath(String ns, String pod, String container, List<String> argv) {
    String commands = argv.stream()
        .map(a -> "command=" + URLEncoder.encode(a, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("&"));
    return "/api/v1/namespaces/" + ns + "/pods/" + pod + "/exec?" + commands
        + "&container=" + container + "&stdout=true&stderr=true";
  }

  /**
   * An exec that answers with these messages (output, then a status with the exit code), 30 ms
   * apart and in order, as an API server would. They are timed events, not messages on open: the
   * mock server sends messages-on-open from several threads and closes the socket as soon as none
   * is pending. Under load we still saw, rarely, the socket close before the client had processed
   * the final status (PodExec then reports "closed without an exit code", a failure): the last
   * status frame is therefore sent twice, 30 ms apart; the client completes the exit code on the
   * first it processes and ignores the second.
   */
  public static void expectExec(KubernetesMockServer server, String ns, String pod, String container,
      List<String> argv, WebSocketMessage... messages) {
    var session = server.expect().get().withPath(execPath(ns, pod, container, argv))
        .andUpgradeToWebSocket().open();
    for (int i = 0; i < messages.length; i++) {
      session = session.immediately().andEmit(delayed(30L * (i + 1), messages[i]));
    }
    WebSocketMessage last = messages[messages.length - 1];
    if (last instanceof StatusMessage) {
      session = session.immediately().andEmit(delayed(30L * (messages.length + 1), last));
    }
    session.done().always();
  }

  /**
   * An exec that sends these messages, then nothing until {@code holdMillis}, then exits 0: a
   * command that runs for a while.
   */
  public static void expectSlowExec(KubernetesMockServer server, String ns, String pod, String container,
      List<String> argv, long holdMillis, WebSocketMessage... messages) {
    var session = server.expect().get().withPath(execPath(ns, pod, container, argv))
        .andUpgradeToWebSocket().open();
    for (int i = 0; i < messages.length; i++) {
      session = session.immediately().andEmit(delayed(30L * (i + 1), messages[i]));
    }
    session.immediately().andEmit(delayed(holdMillis, exit(0))).done().always();
  }

  /** The message sent {@code delayMillis} after the session opened. */
  public static WebSocketMessage delayed(long delayMillis, WebSocketMessage message) {
    return new WebSocketMessage(delayMillis, message.getBytes(), true, true);
  }

  /** The status message the API server sends when the command exits with this code. */
  public static StatusMessage exit(int code) {
    if (code == 0) {
      return new StatusMessage(new StatusBuilder().withStatus("Success").build());
    }
    return new StatusMessage(new StatusBuilder().withStatus("Failure").withReason("NonZeroExitCode")
        .withMessage("command terminated with non-zero exit code: exit code " + code)
        .withNewDetails().addNewCause().withReason("ExitCode").withMessage(Integer.toString(code))
        .endCause().endDetails().build());
  }

  /** The paths of all exec requests the server received so far, in order. */
  public static List<String> execRequests(KubernetesMockServer server) throws InterruptedException {
    List<String> paths = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (r.getPath().contains("/exec?")) {
        paths.add(r.getPath());
      }
    }
    return paths;
  }

  public static Map<String, String> annotations(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException(Arrays.toString(keyValues));
    }
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }
}
