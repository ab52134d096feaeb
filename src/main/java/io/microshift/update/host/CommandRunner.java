package io.microshift.update.host;

import io.microshift.update.marker.Markers;
import java.util.List;

/** Runs an external command from an argv list (never a shell string). */
public interface CommandRunner {
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  Result run(List<String> argv);

  /** Runs and throws {@link HostException} with the command's reason (see {@link #reason}) unless it exits 0. */
  default Result check(List<String> argv) {
    Result r = run(argv);
    if (!r.ok()) {
      String why = reason(r.stderr());
      throw new HostException(String.join(" ", argv) + " failed with exit code " + r.exitCode()
          + (why.isEmpty() ? "" : ": " + why));
    }
    return r;
  }

  /**
   * A failed command's reason from its stderr, on one line: from the first line that starts with
   * "error" (rpm-ostree's and bootc's "error: ...", dnf's "Error: ...", whose progress lines come
   * before it) to the end, else the last three lines (systemctl's "Job for X failed ..." and its
   * "See ..." line); lines joined with " / ", unprintable characters replaced, at most 500.
   * rpm-ostree's reasons run over several lines, e.g. finalize-deployment's "error: Reboot blocked
   * by a systemd inhibitor lock in `block` mode", "Held by: WHO", "Reason: WHY"
   * (src/daemon/rpmostreed-utils.cxx, {@code check_sd_inhibitor_locks}).
   */
  static String reason(String stderr) {
    List<String> lines = stderr.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    int from = Math.max(0, lines.size() - 3);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).regionMatches(true, 0, "error", 0, 5)) {
        from = i;
        break;
      }
    }
    return Markers.printable(String.join(" / ", lines.subList(from, lines.size())), 500);
  }
}
