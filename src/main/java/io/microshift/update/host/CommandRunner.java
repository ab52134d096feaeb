package io.microshift.update.host;

import java.util.List;

/** Runs an external command from an argv list (never a shell string). */
public interface CommandRunner {
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  Result run(List<String> argv);

  /** Runs and throws {@link HostException} with the command's stderr unless it exits 0. */
  default Result check(List<String> argv) {
    Result r = run(argv);
    if (!r.ok()) {
      throw new HostException(String.join(" ", argv) + " failed with exit code " + r.exitCode()
          + (r.stderr().isBlank() ? "" : ": " + lastLine(r.stderr())));
    }
    return r;
  }

  private static String lastLine(String s) {
    String t = s.strip();
    int nl = t.lastIndexOf('\n');
    return nl < 0 ? t : t.substring(nl + 1);
  }
}
