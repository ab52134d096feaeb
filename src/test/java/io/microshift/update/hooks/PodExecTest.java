package io.microshift.update.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PodExecTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  @Test
  void probe() throws Exception {
    client.pods().inNamespace("app").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("db-0").withNamespace("app").endMetadata()
      .withNewSpec().addNewContainer().withName("db").endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
    server.expect().get().withPath("/api/v1/namespaces/app/pods/db-0/exec?command=pg_dump&command=-f&command=%2Fbackup%2Fa%20b.sql&container=db&stdout=true&stderr=true")
        .andUpgradeToWebSocket().open(new OutputStreamMessage("dumped"), new StatusMessage(0)).done().always();
    ExecResult r = new PodExec(client).exec("app", "db-0", "db", List.of("pg_dump", "-f", "/backup/a b.sql"), Duration.ofSeconds(2));
    System.out.println(r);
    for (int i = 0; i < server.getRequestCount(); i++) { }
    System.out.println(server.getLastRequest().getPath());
    assertEquals(0, r.exitCode());
  }
}
