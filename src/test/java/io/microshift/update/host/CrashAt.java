package io.microshift.update.host;

import io.microshift.update.marker.CrashHook;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A crash hook that throws {@link SimulatedCrash} the first time one named crash point is
 * reached (then never again): a crash or power cut at that point. Shared by the host-only crash
 * matrix ({@link CrashMatrixTest}) and the end-to-end fault matrix on the simulated device.
 */
public final class CrashAt implements CrashHook {
  /**
   * What the hook throws: an Error, not an exception, because a power cut is nothing the agent
   * may catch and handle (HostCli reports unexpected runtime exceptions as internal errors).
   */
  public static final class SimulatedCrash extends Error {
    public SimulatedCrash(String point) {
      super("simulated crash at " + point);
    }
  }

  private final String point;
  private final AtomicBoolean fired = new AtomicBoolean();

  public CrashAt(String point) {
    this.point = point;
  }

  public String point() {
    return point;
  }

  /** Whether the crash happened. */
  public boolean fired() {
    return fired.get();
  }

  @Override
  public void reached(String name) {
    if (name.equals(point) && fired.compareAndSet(false, true)) {
      throw new SimulatedCrash(name);
    }
  }
}
