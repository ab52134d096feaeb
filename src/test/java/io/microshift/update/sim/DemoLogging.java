package io.microshift.update.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The demo's output is for an administrator: the frameworks' own log lines (JOSDK, fabric8, netty,
 * the mock API server's java.util.logging, the operator's and agent's SLF4J logs) go to a file
 * instead. The SLF4J binding on the classpath is slf4j-simple, which reads its settings from system
 * properties before simplelogger.properties: this must run before the first logger is created.
 */
final class DemoLogging {
  static final Path DIR = Path.of("target", "demo");
  static final Path FRAMEWORK_LOG = DIR.resolve("framework.log");
  static final Path JUL_LOG = DIR.resolve("jul.log");

  private DemoLogging() {}

  static void toFiles() {
    try {
      Files.createDirectories(DIR);
      Files.deleteIfExists(FRAMEWORK_LOG);
      System.setProperty("org.slf4j.simpleLogger.logFile", FRAMEWORK_LOG.toString());
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      Logger root = Logger.getLogger("");
      for (Handler h : root.getHandlers()) {
        root.removeHandler(h);
      }
      FileHandler file = new FileHandler(JUL_LOG.toString());
      file.setFormatter(new SimpleFormatter());
      file.setLevel(Level.INFO);
      root.addHandler(file);
      root.setLevel(Level.INFO);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the demo's framework logs under " + DIR, e);
    }
  }
}
