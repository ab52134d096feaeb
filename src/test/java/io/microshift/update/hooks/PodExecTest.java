package io.microshift.update.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PodExecTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void pod() {
    Pods.create(client, Pods.running("app", "db-0", Map.of(), "db", "sidecar"));
  }

  @Test
  void sendsTheArgvAsSeparateCommandParametersAndCapturesOutputAndExitCode() throws Exception {
    List<String> argv = List.of("pg_dump", "--file", "/backup/my db.sql", "$(reboot); echo");
    Pods.expectExec(server, "app", "db-0", "sidecar", argv,
        new OutputStreamMessage("dumped 42 rows"), new ErrorStreamMessage("a warning"), Pods.exit(0));

    ExecResult r = new PodExec(client).exec("app", "db-0", "sidecar", argv, Duration.ofSeconds(5));

    String uid = client.pods().inNamespace("app").withName("db-0").get().getMetadata().getUid();
    assertEquals(new ExecResult(0, false, null, "dumped 42 rows", "a warning", uid), r);
    assertTrue(r.succeeded());
    assertEquals(List.of("/api/v1/namespaces/app/pods/db-0/exec?command=pg_dump&command=--file"
        + "&command=%2Fbackup%2Fmy%20db.sql&command=%24%28reboot%29%3B%20echo"
        + "&container=sidecar&stdout=true&stderr=true"), Pods.execRequests(server));
  }

  @Test
  void nonZeroExitIsReportedWithStderr() {
    List<String> argv = List.of("false");
    Pods.expectExec(server, "app", "db-0", "db", argv, new ErrorStreamMessage("disk full"), Pods.exit(3));

    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofSeconds(5));

    assertEquals(3, r.exitCode(), r.toString());
    assertEquals("disk full", r.stderrTail());
    assertFalse(r.succeeded());
  }

  @Test
  void aStatusWithoutAnExitCodeIsAFailureThatQuotesTheRuntime() {
    // k8s.io/kubelet pkg/cri/streaming/remotecommand/exec.go ServeExec: an error that is not the
    // command's own exit goes back as NewInternalError, a Failure Status with no ExitCode cause
    List<String> argv = List.of("pg_dump");
    Pods.expectExec(server, "app", "db-0", "db", argv, new StatusMessage(new StatusBuilder()
        .withStatus("Failure").withReason("InternalError").withCode(500)
        .withMessage("error executing command in container: exec: \"pg_dump\": executable file not found in $PATH")
        .build()));

    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofSeconds(5));

    assertNull(r.exitCode(), r.toString());
    assertFalse(r.succeeded());
    assertEquals("the exec ended without an exit code: Failure InternalError: error executing command in"
        + " container: exec: \"pg_dump\": executable file not found in $PATH", r.error());
  }

  @Test
  void timeoutClosesTheExecAndKeepsTheOutputSoFar() {
    List<String> argv = List.of("sleep", "600");
    Pods.expectSlowExec(server, "app", "db-0", "db", argv, 3_000, new OutputStreamMessage("started"));

    long start = System.nanoTime();
    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofMillis(1000));
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertTrue(r.timedOut());
    assertNull(r.exitCode());
    assertEquals("started", r.stdoutTail());
    assertTrue(millis >= 1000 && millis < 2500, "took " + millis + " ms");
  }

  @Test
  void outputIsCutToTheLastTwoKibibytes() {
    String longOutput = "x".repeat(5000) + "END";
    List<String> argv = List.of("cat", "/var/log/big");
    Pods.expectExec(server, "app", "db-0", "db", argv, new OutputStreamMessage(longOutput), Pods.exit(0));

    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofSeconds(5));

    assertEquals("[" + (5003 - PodExec.TAIL_BYTES) + " bytes cut]\n" + "x".repeat(PodExec.TAIL_BYTES - 3) + "END",
        r.stdoutTail());
  }

  @Test
  void anExecTheServerRefusesIsAFailureWithAMessage() {
    ExecResult r = new PodExec(client).exec("app", "db-0", "db", List.of("true"), Duration.ofSeconds(5));

    assertFalse(r.succeeded());
    assertNull(r.exitCode());
    assertTrue(r.error().startsWith("exec failed: "), r.error());
  }

  @Test
  void anExecOnAReadyPodReadsThePodOnceAndStartsNoInformer() throws Exception {
    List<String> argv = List.of("true");
    Pods.expectExec(server, "app", "db-0", "db", argv, Pods.exit(0));
    drainRequests();

    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofSeconds(5));

    assertTrue(r.succeeded(), r.toString());
    // fabric8's exec would LIST and WATCH the pod (an informer) before every exec
    assertEquals(List.of("GET /api/v1/namespaces/app/pods/db-0",
        "GET " + Pods.execPath("app", "db-0", "db", argv)), drainRequests());
  }

  @Test
  void anExecWaitsForAPodThatIsStillPending() throws Exception {
    client.pods().inNamespace("app").withName("db-0").delete();
    Pod pending = Pods.running("app", "db-0", Map.of(), "db");
    pending.getStatus().setPhase("Pending");
    pending.getStatus().getContainerStatuses().get(0).setReady(false);
    Pods.create(client, pending);
    List<String> argv = List.of("true");
    Pods.expectExec(server, "app", "db-0", "db", argv, Pods.exit(0));
    Thread ready = new Thread(() -> {
      sleep(400);
      client.pods().inNamespace("app").withName("db-0")
          .edit(p -> Pods.running("app", "db-0", Map.of(), "db"));
    });
    long start = System.nanoTime();
    ready.start();

    ExecResult r = new PodExec(client).exec("app", "db-0", "db", argv, Duration.ofSeconds(5));
    long millis = (System.nanoTime() - start) / 1_000_000;
    ready.join();

    assertTrue(r.succeeded(), r.toString());
    assertTrue(millis >= 400 && millis < 4000, "took " + millis + " ms");
  }

  @Test
  void anExecOnAPodThatIsGoneSaysSo() {
    ExecResult r = new PodExec(client).exec("app", "gone-0", "db", List.of("true"), Duration.ofSeconds(5));

    assertFalse(r.succeeded());
    assertEquals("exec failed: pod app/gone-0 not found", r.error());
  }

  @Test
  void anExecInAContainerThePodDoesNotHaveSaysSo() throws Exception {
    ExecResult r = new PodExec(client).exec("app", "db-0", "nope", List.of("true"), Duration.ofSeconds(5));

    assertFalse(r.succeeded());
    assertEquals("exec failed: container nope not found in pod db-0", r.error());
    assertTrue(drainRequests().stream().noneMatch(p -> p.contains("/exec?")));
  }

  /** Method and path of every request the server received since the last call. */
  private List<String> drainRequests() throws InterruptedException {
    List<String> requests = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r.getMethod() + " " + r.getPath());
    }
    return requests;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
