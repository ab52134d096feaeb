package io.microshift.update.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The real runner: ProcessBuilder with an argv list, no shell, stdin closed. */
public final class ProcessCommandRunner implements CommandRunner {
  private static final int MAX_CAPTURE = 4 * 1024 * 1024;

  @Override
  public Result run(List<String> argv) {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Process p = pb.start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      int code = p.waitFor();
      return new Result(code, out.join(), err.join());
    } catch (IOException e) {
      return new Result(127, "", "cannot run " + argv.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostException("interrupted while running " + argv.get(0), e);
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (b.size() < MAX_CAPTURE) {
          b.write(buf, 0, Math.min(n, MAX_CAPTURE - b.size()));
        }
      }
      return b.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
