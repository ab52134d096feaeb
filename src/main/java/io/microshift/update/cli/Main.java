package io.microshift.update.cli;

import io.microshift.update.host.HostCli;
import io.microshift.update.operator.OperatorMain;
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

  private static void runOperator(String[] args) {
    try {
      OperatorMain.main(args);
    } catch (Exception e) {
      System.err.println("microshift-update operator: " + e);
      System.exit(1);
    }
  }
}
