package io.microshift.update.hooks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.internal.ExecWebSocketListener;
import io.fabric8.kubernetes.client.dsl.internal.PodOperationContext;
import io.fabric8.kubernetes.client.dsl.internal.PodOperationContext.StreamContext;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.impl.BaseClient;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens the Kubernetes exec WebSocket of one container, with fabric8's connection (its HTTP
 * client, authentication and TLS) and fabric8's {@link ExecWebSocketListener} for the protocol
 * (the v4.channel.k8s.io channels and the exit status), but without fabric8's readiness wait.
 *
 * <p>Why not {@code client.pods()...exec(argv)}: fabric8 7.5 {@code PodOperationsImpl.exec} ->
 * private {@code getURL} always calls {@code PodOperationUtil.waitUntilReadyOrTerminal}, an
 * informer (a LIST and a WATCH of the pod) before every exec, even with a ready-wait of 0; with
 * 200 hooks that informer cost more than the commands. {@link PodExec} checks readiness itself with
 * one GET. The request is the one fabric8's {@code PodOperationsImpl.getURL} and {@code
 * setupConnectionToPod} build: one {@code command} parameter per argv element, in order, then
 * {@link PodOperationContext#addQueryParameters} (container, stdout, stderr), subprotocol
 * v4.channel.k8s.io.
 */
final class ExecStream {
  static final String SUBPROTOCOL = "v4.channel.k8s.io";

  private final KubernetesClient client;

  ExecStream(KubernetesClient client) {
    this.client = client;
  }

  /** The exec URI for this argv: each element its own URL-encoded {@code command} parameter. */
  URI uri(String namespace, String pod, String container, List<String> argv) {
    URLUtils.URLBuilder url = new URLUtils.URLBuilder(URLUtils.join(
        client.getMasterUrl().toString(), "api", "v1", "namespaces", namespace, "pods", pod, "exec"));
    for (String arg : argv) {
      url.addQueryParameter("command", arg);
    }
    context(container, null, null).addQueryParameters(url);
    try {
      return url.build().toURI();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("no exec URI for pod " + namespace + "/" + pod, e);
    }
  }

  /**
   * Starts the exec; the returned future completes when the API server accepted the WebSocket
   * (and fails when it refused it: 403, 404, no such container). The watch's {@code exitCode()}
   * completes with the command's exit code, -1 for a Status without one, or null when the stream
   * closed without a Status; {@link Opening#end()} says which.
   */
  Opening open(String namespace, String pod, String container, List<String> argv,
      OutputStream stdout, OutputStream stderr) {
    ExecEnd end = new ExecEnd();
    ExecWebSocketListener listener = new ExecWebSocketListener(
        context(container, stdout, stderr).withExecListener(end),
        client.adapt(BaseClient.class).getExecutor(), client.getKubernetesSerialization());
    CompletableFuture<WebSocket> socket = client.getHttpClient().newWebSocketBuilder()
        .subprotocol(SUBPROTOCOL)
        .uri(uri(namespace, pod, container, argv))
        .connectTimeout(connectTimeoutMillis(), TimeUnit.MILLISECONDS)
        .buildAsync(listener);
    // as fabric8's setupConnectionToPod: a refused upgrade also fails the exit code
    socket.whenComplete((ws, failure) -> {
      if (failure != null) {
        listener.onError(ws, failure);
      }
    });
    return new Opening(socket, listener, end);
  }

  /** How long the API server may take to open the stream: the client's request timeout, else 10 s. */
  long connectTimeoutMillis() {
    Integer millis = client.getConfiguration().getRequestTimeout();
    return millis == null || millis <= 0 ? 10_000 : millis;
  }

  private static PodOperationContext context(String container, OutputStream stdout, OutputStream stderr) {
    return PodOperationContext.builder()
        .containerId(container)
        .output(stdout == null ? new StreamContext() : new StreamContext(stdout))
        .error(stderr == null ? new StreamContext() : new StreamContext(stderr))
        .build();
  }

  /** An exec being opened: the WebSocket's future, the watch that reads it, and how it ended. */
  record Opening(CompletableFuture<WebSocket> socket, ExecWatch watch, ExecEnd end) {}
}
