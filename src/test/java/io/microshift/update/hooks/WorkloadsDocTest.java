package io.microshift.update.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.microshift.update.api.HookPolicy.OnError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The PostgreSQL example in docs/workloads.md is what the parser understands. */
class WorkloadsDocTest {

  @Test
  void thePostgresExampleParsesToTheDocumentedArgv() throws Exception {
    String doc = Files.readString(Path.of("docs/workloads.md"));
    int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
    StatefulSet sts = Serialization.unmarshal(doc.substring(start, doc.indexOf("```", start)), StatefulSet.class);
    Pod pod = new PodBuilder().withMetadata(sts.getSpec().getTemplate().getMetadata())
        .editMetadata().withNamespace("shop").withName("postgres-0").endMetadata()
        .withSpec(sts.getSpec().getTemplate().getSpec()).build();

    Optional<ParsedHook> pre = HookAnnotationParser.parse(pod, HookPhase.PRE_UPDATE,
        AnnotationFamily.ours(HookPhase.PRE_UPDATE), null);
    Optional<ParsedHook> restore = HookAnnotationParser.parse(pod, HookPhase.POST_ROLLBACK,
        AnnotationFamily.ours(HookPhase.POST_ROLLBACK), null);

    assertEquals(Optional.of(new HookDefinition(HookPhase.PRE_UPDATE, "shop", "postgres-0", "postgres",
        List.of("sh", "-c", "timeout 240 pg_dump --username=shop --dbname=shop --clean --if-exists"
            + " --file=/backup/pre-update.sql.tmp && mv /backup/pre-update.sql.tmp /backup/pre-update.sql"),
        "pre-update.hook.updates.microshift.io", OnError.Fail, "5m")), pre);
    assertEquals(Optional.of(new HookDefinition(HookPhase.POST_ROLLBACK, "shop", "postgres-0", "postgres",
        List.of("psql", "--username=shop", "--dbname=shop", "--single-transaction", "--set=ON_ERROR_STOP=1",
            "--file=/backup/pre-update.sql"),
        "post-rollback.hook.updates.microshift.io", OnError.Fail, "10m")), restore);
    assertEquals("true", sts.getMetadata().getAnnotations().get("updates.microshift.io/pause"));
  }
}
