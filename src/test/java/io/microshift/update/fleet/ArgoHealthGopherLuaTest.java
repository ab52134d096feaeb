package io.microshift.update.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.microshift.update.controlplane.ControlPlaneBinaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;

/**
 * Every case of {@link ArgoHealthTest}, with fleet/argocd/health.lua run by Argo CD's own Lua VM
 * instead of Lua 5.4: {@code argo-health} (test/controlplane/argolua, built by
 * hack/controlplane-build) calls {@code VM.ExecuteHealthLua} of github.com/argoproj/argo-cd/v3
 * util/lua, i.e. gopher-lua (Lua 5.1) with Argo CD's sandbox (package, base, table and its safe
 * os library only), the object decoded from its JSON as Argo CD decodes it, and the returned
 * table checked against Argo CD's health statuses.
 */
@Tag("controlplane")
class ArgoHealthGopherLuaTest extends ArgoHealthTest {
  @Override
  Health health(JsonNode object) throws Exception {
    Path bin = ControlPlaneBinaries.require().binary("argo-health");
    Path file = Files.createTempFile("updateplan", ".json");
    Path out = Files.createTempFile("argo-health", ".out");
    try {
      Files.writeString(file, JSON.asJson(object));
      Process p = new ProcessBuilder(List.of(bin.toString(), HEALTH.toString(), file.toString()))
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("argo-health did not finish within 30 s");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), "argo-health: " + stdout);
      return parse(stdout);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(out);
    }
  }
}
