package io.microshift.update.fleet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool the fleet tests run (lua5.4, promtool, kubectl). Output goes to files so
 * the timeout really bounds the run; a missing tool fails the test with what to install.
 */
record ExternalTool(String command, String debianPackage, String envVar) {

  static final ExternalTool LUA = of("lua5.4", "lua5.4", "LUA");
  static final ExternalTool PROMTOOL = of("promtool", "prometheus", "PROMTOOL");
  static final ExternalTool KUBECTL = of("kubectl", "kubernetes-client", "KUBECTL");

  record Result(String command, int exitCode, String stdout, String stderr) {}

  static ExternalTool of(String command, String debianPackage, String envVar) {
    return new ExternalTool(System.getenv().getOrDefault(envVar, command), debianPackage, envVar);
  }

  /** Runs the tool (at most 60 s) and returns what it did; the caller judges the exit code. */
  Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.addAll(List.of(args));
    String line = String.join(" ", cmd);
    Path out = Files.createTempFile("tool", ".out");
    Path err = Files.createTempFile("tool", ".err");
    try {
      Process p;
      try {
        p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError("cannot run '" + command + "' (" + e.getMessage() + "): install the"
            + " Debian package " + debianPackage + " (hack/lib/deps.sh does) or set " + envVar, e);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(line + " did not finish in 60 s");
      }
      return new Result(line, p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Runs the tool and fails the test, with its output, unless it exits 0. */
  Result check(String... args) throws IOException, InterruptedException {
    Result r = run(args);
    if (r.exitCode() != 0) {
      fail(r.command() + " exited " + r.exitCode() + ":\n" + r.stderr() + r.stdout());
    }
    return r;
  }
}
