package io.microshift.update.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's class-data archive (issue 16 item 6, CPU to ready): JAVA_TOOL_OPTIONS maps the
 * archive that operator/Containerfile builds, from the class list the repository keeps current,
 * and a missing or unusable archive only costs start-up time.
 */
class OperatorClassArchiveTest {
  static final Path CLASSLIST = Path.of("operator/microshift-update-operator.classlist");
  static final Pattern ARCHIVE_FLAG = Pattern.compile("-XX:SharedArchiveFile=(\\S+)");

  /** The operator container's JAVA_TOOL_OPTIONS in manifests/deployment.yaml (ManifestsTest: the Containerfile's too). */
  static String jvmOptions() throws IOException {
    JsonNode container = new YAMLMapper().readTree(Path.of("manifests/deployment.yaml").toFile())
        .at("/spec/template/spec/containers/0");
    for (JsonNode e : container.path("env")) {
      if ("JAVA_TOOL_OPTIONS".equals(e.path("name").asText())) {
        return e.path("value").asText().strip();
      }
    }
    throw new AssertionError("manifests/deployment.yaml sets no JAVA_TOOL_OPTIONS");
  }

  static String archiveInImage() throws IOException {
    Matcher m = ARCHIVE_FLAG.matcher(jvmOptions());
    assertTrue(m.find(), "JAVA_TOOL_OPTIONS maps no class-data archive (-XX:SharedArchiveFile)");
    return m.group(1);
  }

  @Test
  void theJvmMapsTheArchiveTheContainerfileBuildsAndToleratesItsAbsence() throws IOException {
    String options = jvmOptions();
    assertTrue(options.contains("-Xshare:auto"), "a missing or stale archive must not stop the JVM: " + options);
    String archive = archiveInImage();
    String containerfile = Files.readString(ManifestsTest.CONTAINERFILE).replace("\\\n", " ");
    assertTrue(Pattern.compile("RUN .*MICROSHIFT_UPDATE_CLASSLIST=/deployments/microshift-update-operator\\.classlist"
        + "\\s+build-class-archive /deployments/microshift-update\\.jar " + Pattern.quote(archive) + "\\s*\n")
        .matcher(containerfile).find(), "operator/Containerfile builds " + archive + " for the jar it runs");
    assertTrue(containerfile.contains("COPY " + CLASSLIST + " /deployments/microshift-update-operator.classlist"),
        "operator/Containerfile copies " + CLASSLIST);
    assertTrue(containerfile.contains("COPY src/host/lib/build-class-archive "), "the agent's archive builder");
  }

  @Test
  void theClassListNamesOnlyClassesTheOperatorStillHasAndItsReconciler() throws IOException {
    List<String> stale = new ArrayList<>();
    List<String> ours = new ArrayList<>();
    for (String line : Files.readAllLines(CLASSLIST)) {
      String name = line.split("\\s+")[0];
      if (name.startsWith("io/microshift/update/")) {
        ours.add(name);
        if (!Files.exists(Path.of("target/classes", name + ".class"))) {
          stale.add(name);
        }
      }
    }
    assertEquals(List.of(), stale, CLASSLIST + " names classes that are gone: run hack/update-operator-classlist");
    for (String entry : List.of("io/microshift/update/operator/OperatorMain",
        "io/microshift/update/operator/UpdatePlanReconciler", "io/microshift/update/operator/PodWatch")) {
      assertTrue(ours.contains(entry), CLASSLIST + " lacks " + entry + ": run hack/update-operator-classlist");
    }
  }

  /** The image's flags with the archive missing, then with garbage in its place: the JVM runs. */
  @Test
  void aMissingOrUnusableArchiveOnlyCostsStartUpTime(@TempDir Path dir) throws Exception {
    Path garbage = dir.resolve("garbage.jsa");
    Files.write(garbage, new byte[4096]);
    for (Path archive : List.of(dir.resolve("missing.jsa"), garbage)) {
      String options = jvmOptions()
          .replace("-XX:SharedArchiveFile=" + archiveInImage(), "-XX:SharedArchiveFile=" + archive);
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(List.of(options.strip().split("\\s+")));
      cmd.add("-version");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -version did not end");
      assertEquals(0, p.exitValue(), archive + ": " + out);
      assertTrue(out.contains("openjdk version") || out.contains("java version"), out);
    }
  }
}
