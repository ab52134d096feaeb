package io.microshift.update.cli;

import io.microshift.update.host.HostCli;
import java.util.Arrays;

/**
 * The one entry point of the jar. {@code operator} runs the in-cluster operator; every other verb
 * is the host agent ({@link HostCli}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("operator")) {
      // the operator keeps running in its own threads: no System.exit here
      runOperator(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.exit(HostCli.run(args, System.out, System.err));
  }

  /** The operator's own main lives in io.microshift.update.operator (written separately). */
  private static void runOperator(String[] args) {
    try {
      Class<?> c = Class.forName("io.microshift.update.operator.OperatorMain");
      c.getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (ClassNotFoundException e) {
      System.err.println("microshift-update: the operator is not part of this build");
      System.exit(2);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("microshift-update operator: " + cause);
      System.exit(1);
    }
  }
}
