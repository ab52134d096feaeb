package io.microshift.update.host;

import io.microshift.update.marker.SafeText;
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
    out.println("microshift-update: " + safe(msg));
  }

  public void error(String msg) {
    out.println("microshift-update: ERROR: " + safe(msg));
  }

  /** No control or format characters (but newline) reach the journal: '?' instead. */
  private static String safe(String msg) {
    return msg == null ? "null" : SafeText.replaceUnsafe(msg, Integer.MAX_VALUE);
  }
}
