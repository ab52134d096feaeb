package io.microshift.update.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One control-plane process, its output in a log file; killed with the JVM at the latest. */
final class Daemon implements AutoCloseable {
  private final String name;
  private final Path log;
  private final Process process;
  private final Thread shutdownHook;

  private Daemon(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly, "kill-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  static Daemon start(String name, Path logDir, List<String> command, Map<String, String> env) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      return new Daemon(name, log, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The last lines of its output, for a failure message; when the output holds a Go panic or
   * fatal error, its first lines too (the tail of a panic is only the deepest stack frames).
   */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      int tailFrom = Math.max(0, lines.size() - 30);
      StringBuilder s = new StringBuilder(name).append(" log (").append(log).append("):\n");
      int panic = lastPanic(lines);
      if (panic >= 0 && panic < tailFrom) {
        int end = Math.min(panic + 20, tailFrom);
        s.append(String.join("\n", lines.subList(panic, end))).append("\n...\n");
      }
      return s.append(String.join("\n", lines.subList(tailFrom, lines.size()))).toString();
    } catch (IOException e) {
      return name + " log unreadable: " + e;
    }
  }

  /** The line where the last Go panic or fatal error begins, or -1. */
  static int lastPanic(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (line.startsWith("panic: ") || line.startsWith("fatal error: ")) {
        return i;
      }
    }
    return -1;
  }

  /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
  void stop(int graceSeconds) {
    process.destroy();
    try {
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  @Override
  public void close() {
    stop(10);
  }
}
