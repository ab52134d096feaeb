package io.microshift.update.marker;

import static io.microshift.update.marker.HostState.Booted;
import static io.microshift.update.marker.HostState.Checked;
import static io.microshift.update.marker.HostState.Committed;
import static io.microshift.update.marker.HostState.Failed;
import static io.microshift.update.marker.HostState.Healthy;
import static io.microshift.update.marker.HostState.Prepared;
import static io.microshift.update.marker.HostState.Preparing;
import static io.microshift.update.marker.HostState.Rebooting;
import static io.microshift.update.marker.HostState.Restarting;
import static io.microshift.update.marker.HostState.Restored;
import static io.microshift.update.marker.HostState.RolledBack;
import static io.microshift.update.marker.HostState.Staged;
import static io.microshift.update.marker.HostState.Staging;
import static io.microshift.update.marker.HostState.Unhealthy;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one table of the host agent's moves in host-status.json (docs/marker.md), as the verbs of
 * {@code host/} make them; {@link HostStatus#transition} refuses any other. A state may always be
 * written again (a new boot id, one more greenboot attempt, a crash before the next step).
 */
public final class HostTransitions {
  /** The first state of a request (no status for it yet): prepare, apply, or a status rebuilt by LostStatus. */
  private static final Set<HostState> FIRST = EnumSet.of(Preparing, Checked, Staging, Booted, RolledBack, Failed);
  private static final Map<HostState, Set<HostState>> ALLOWED = new EnumMap<>(HostState.class);

  static {
    // prepare: staged while the workloads run; apply takes it over (a higher sequence) or cancels it
    ALLOWED.put(Preparing, EnumSet.of(Prepared, Staged, Failed, Restored));
    ALLOWED.put(Prepared, EnumSet.of(Staged, Failed, Restored));
    // restore BACKUP-ID (a manual restore) is refused only in flight and after Committed
    ALLOWED.put(Checked, EnumSet.of(Restored));
    // apply; boot records the target booted from any state before it
    ALLOWED.put(Staging, EnumSet.of(Staged, Booted, Failed));
    ALLOWED.put(Staged, EnumSet.of(Rebooting, Restarting, Booted, Failed));
    ALLOWED.put(Rebooting, EnumSet.of(Booted, RolledBack, Failed));
    ALLOWED.put(Restarting, EnumSet.of(Booted, Failed));
    // greenboot red.d/green.d, and boot on the next boot (the target again, or greenboot's rollback)
    ALLOWED.put(Booted, EnumSet.of(Healthy, Unhealthy, RolledBack, Failed, Restored));
    ALLOWED.put(Healthy, EnumSet.of(Committed, Unhealthy, Booted, RolledBack, Failed, Restored));
    ALLOWED.put(Unhealthy, EnumSet.of(Healthy, Booted, RolledBack, Failed, Restored));
    ALLOWED.put(RolledBack, EnumSet.of(Restored, Failed));
    // boot, on the boot right after the commit only: grub fell back before it recorded the
    // target's boot as good (host/BootCommand afterCommit)
    ALLOWED.put(Committed, EnumSet.of(RolledBack));
    ALLOWED.put(Restored, EnumSet.noneOf(HostState.class));
    ALLOWED.put(Failed, EnumSet.of(Restored));
  }

  private HostTransitions() {}

  /** Whether the agent moves from {@code from} (null: no status for this request yet) to {@code to}. */
  public static boolean allowed(HostState from, HostState to) {
    if (from == null) {
      return FIRST.contains(to);
    }
    return from == to || ALLOWED.get(from).contains(to);
  }

  /** Refuses a move the agent never makes, naming both states. */
  static void check(HostState from, HostState to) {
    if (!allowed(from, to)) {
      throw new IllegalStateException("host-status.json cannot move from " + (from == null ? "no state" : from)
          + " to " + to + ": the host agent never makes that move (marker/HostTransitions)");
    }
  }
}
