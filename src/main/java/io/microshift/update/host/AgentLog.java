package io.microshift.update.host;

import java.io.PrintStream;

/** One-line log records to stderr (the journal on a host). */
public final class AgentLog {
  private final PrintStream out;

  public AgentLog(PrintStream out) {
    this.out = out;
  }

  public static AgentLog stderr() {
    return new AgentLog(System.err);
  }

  public void info(String msg) {
    out.println("microshift-update: " + msg);
  }

  public void error(String msg) {
    out.println("microshift-update: ERROR: " + msg);
  }
}
