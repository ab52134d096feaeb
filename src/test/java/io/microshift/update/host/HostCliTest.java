package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.CrashHook;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCliTest {
  @TempDir Path root;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return HostCli.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run());
    assertEquals(2, run("frobnicate"));
    assertTrue(err.toString().contains("unknown verb frobnicate"));
    assertEquals(2, run("--root"));
    assertEquals(2, run("validate"));
    assertEquals(2, run("--bogus", "status"));
    assertEquals(2, run("status", "a", "b"));
  }

  @Test
  void validateReportsEveryProblemAndExitsOne() throws Exception {
    Path f = root.resolve("request.json");
    Files.writeString(f, "{\"apiVersion\":\"x\",\"type\":\"zip\"}");
    assertEquals(1, run("validate", f.toString()));
    String text = out.toString();
    assertTrue(text.contains("apiVersion: 'x' is not one of"), text);
    assertTrue(text.contains("type: 'zip' is not one of ostree, rpm"), text);
    assertTrue(text.contains("plan: required"), text);
  }

  @Test
  void aRefusedHostStatusMakesStatusAndBootFailClearly() throws Exception {
    Path state = root.resolve("var/lib/microshift-update");
    Files.createDirectories(state);
    Files.writeString(state.resolve("host-status.json"), "{\"apiVersion\":\"updates.microshift.io/marker/v1\"}");
    assertEquals(1, run("--root", root.toString(), "--marker-owner", String.valueOf(TestHost.UID), "status"));
    assertTrue(out.toString().contains("host status:  REFUSED: request: required"), out.toString());
    assertEquals(1, run("--root", root.toString(), "--marker-owner", String.valueOf(TestHost.UID), "boot"));
    assertTrue(err.toString().contains("host-status.json refused"), err.toString());
  }

  @Test
  void anUnexpectedExceptionIsReportedAsAnInternalErrorAndExitsOne() {
    TestHost h = new TestHost(root, false);
    h.writeRequest(h.request());
    CrashHook bug = point -> {
      throw new IllegalStateException("a bug at " + point);
    };
    int code = HostCli.run(new String[] {"--root", h.root.toString(), "--marker-owner", String.valueOf(TestHost.UID),
        "apply"}, new PrintStream(out, true), new PrintStream(err, true), h.runner, bug);
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("internal error in apply: java.lang.IllegalStateException: a bug at "),
        err.toString());
  }

  @Test
  void crashPointsAreListed() {
    assertEquals(0, run("crash-points"));
    assertEquals(CrashPoints.all().size(), out.toString().strip().split("\n").length);
  }
}
