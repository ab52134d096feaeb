package io.microshift.update.sim;

import io.microshift.update.host.HostCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The host agent as greenboot runs it on a simulated device, with a power cut at one named crash
 * point: {@code CrashingAgentMain POINT ONCE-FILE AGENT-ARGS...}. The first time a verb reaches
 * POINT (and ONCE-FILE does not exist yet) it creates ONCE-FILE and halts the JVM at once (no
 * finally blocks, no shutdown hooks), as the power going out would.
 */
public final class CrashingAgentMain {
  private CrashingAgentMain() {}

  public static void main(String[] args) {
    String point = args[0];
    Path once = Path.of(args[1]);
    String[] agentArgs = Arrays.copyOfRange(args, 2, args.length);
    int rc = HostCli.run(agentArgs, System.out, System.err, null, reached -> {
      if (reached.equals(point) && !Files.exists(once)) {
        try {
          Files.writeString(once, point + "\n");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        System.err.println("power cut at " + point);
        System.err.flush();
        Runtime.getRuntime().halt(137);
      }
    });
    System.exit(rc);
  }
}
