package io.microshift.update.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    assertEquals(new ExecResult(0, false, null, "dumped 42 rows", "a warning"), r);
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
}
