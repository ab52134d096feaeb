package io.microshift.update.marker;

import java.util.List;

/**
 * Thrown when a marker file is refused (unsafe file, unparsable, or failing validation). The
 * message lists every problem, one a line; {@link #problems()} gives them as a list.
 */
public final class MarkerProblems extends RuntimeException {
  private final transient List<String> problems;

  public MarkerProblems(String subject, List<String> problems) {
    super(subject + " refused:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
