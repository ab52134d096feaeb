package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * hack/demo's output is for an administrator: run as hack/demo runs it (a fresh JVM, its own
 * logging set-up) with the z-stream story, it has no line over 120 columns, no terminal escape, no
 * framework log line (those are in target/demo/framework.log, which it names), says what is real,
 * simulated and staged, and shows the plan's conditions, hooks, paused workloads and the Events on
 * the workload and the hooks' pods.
 */
class DemoOutputTest {
  /** slf4j-simple's lines (levelInBrackets), java.util.logging's SimpleFormatter, etcd's JSON. */
  static final Pattern FRAMEWORK_LINE = Pattern.compile(
      "\\[(TRACE|DEBUG|INFO|WARN|ERROR)\\] |^(INFO|WARN|WARNING|SEVERE|ERROR|DEBUG)[: ]|\\{\"level\":"
          + "|(INFO|WARN|ERROR|DEBUG) +(io\\.javaoperatorsdk|io\\.fabric8|io\\.netty|io\\.grpc|okhttp3|io\\.etcd)"
          + "|^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+.*(io\\.javaoperatorsdk|io\\.fabric8|io\\.netty)");

  @Test
  void theZStreamStoryReadsAsAnAdministratorWantsIt() throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path out = Files.createTempFile("demo", ".txt");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, Demo.class.getName(), "--story", "z-stream")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the demo did not finish in 5 minutes");
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.deleteIfExists(out);
    assertEquals(0, p.exitValue(), text);

    List<String> problems = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.length() > WrappingOutput.COLUMNS) {
        problems.add("over " + WrappingOutput.COLUMNS + " columns (" + line.length() + "): " + line);
      }
      if (line.indexOf('\u001b') >= 0) {
        problems.add("terminal escape: " + line.replace("\u001b", "ESC"));
      }
      if (FRAMEWORK_LINE.matcher(line).find()) {
        problems.add("framework log line: " + line);
      }
    }
    assertEquals(List.of(), problems);
    for (String expected : List.of("  real       the operator and the host agent", "  simulated  the Kubernetes API server",
        "  staged     in story 2, 4.18.0 is marked broken",
        "--- after Pausing", "--- after the reboot into 4.17.3", "--- at the end ---",
        "$ oc describe updateplan z-stream-4-17-3", "Conditions:", "Hooks:", "Paused workloads:",
        "Deployment shop/web  Paused", "Deployment shop/web  Resumed", "PausedByUpdatePlan", "ResumedByUpdatePlan",
        "UpdateHookSucceeded", "framework logs: " + DemoLogging.FRAMEWORK_LOG, "every story ended as expected")) {
      assertTrue(text.contains(expected), "the demo's output lacks '" + expected + "':\n" + text);
    }
    String frameworkLog = Files.readString(DemoLogging.FRAMEWORK_LOG);
    assertTrue(frameworkLog.contains("[INFO]"), "the framework logs went nowhere: " + DemoLogging.FRAMEWORK_LOG
        + " has no INFO line");
  }

  @Test
  void longLinesAreWrappedAtASpaceWithTheirIndentationAndNothingIsLost() {
    String line = "    " + "word ".repeat(60).trim();
    String wrapped = WrappingOutput.wrap(line);
    for (String l : wrapped.split("\n")) {
      assertTrue(l.length() <= WrappingOutput.COLUMNS, l);
      assertTrue(l.startsWith("    "), l);
    }
    assertTrue(wrapped.split("\n")[1].startsWith("        word"), wrapped);
    assertEquals(line.strip(), String.join(" ", wrapped.lines().map(String::strip).toList()));
    String unbroken = "x".repeat(300);
    assertEquals(unbroken, String.join("", WrappingOutput.wrap(unbroken).lines().map(String::strip).toList()));
    assertEquals("short\n", WrappingOutput.wrap("short"));
  }
}
