package io.microshift.update.sim;

/** Sleeping in the simulated device's loops and waits. */
final class Sleeps {
  private Sleeps() {}

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
