package io.microshift.update.operator;

import static io.microshift.update.api.Phase.AwaitingReboot;
import static io.microshift.update.api.Phase.Applying;
import static io.microshift.update.api.Phase.BackingUp;
import static io.microshift.update.api.Phase.Failed;
import static io.microshift.update.api.Phase.Pausing;
import static io.microshift.update.api.Phase.Pending;
import static io.microshift.update.api.Phase.Preflight;
import static io.microshift.update.api.Phase.Preparing;
import static io.microshift.update.api.Phase.RolledBack;
import static io.microshift.update.api.Phase.RollingBack;
import static io.microshift.update.api.Phase.Succeeded;
import static io.microshift.update.api.Phase.Verifying;

import io.microshift.update.api.Phase;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The one table of allowed phase transitions (docs/architecture.md, "The state machine"). */
public final class Transitions {
  private static final Map<Phase, Set<Phase>> ALLOWED = new EnumMap<>(Phase.class);

  static {
    ALLOWED.put(Pending, EnumSet.of(Preflight, Failed));
    ALLOWED.put(Preflight, EnumSet.of(Preparing, Failed));
    // Succeeded straight from Preparing: a dry run ends there, with the host's view
    ALLOWED.put(Preparing, EnumSet.of(BackingUp, Succeeded, Failed));
    ALLOWED.put(BackingUp, EnumSet.of(Pausing, Failed));
    ALLOWED.put(Pausing, EnumSet.of(AwaitingReboot, Failed));
    ALLOWED.put(AwaitingReboot, EnumSet.of(Applying, Verifying, RollingBack, Failed));
    ALLOWED.put(Applying, EnumSet.of(Verifying, RollingBack, Failed));
    ALLOWED.put(Verifying, EnumSet.of(Succeeded, RollingBack, Failed));
    ALLOWED.put(RollingBack, EnumSet.of(RolledBack, Failed));
    ALLOWED.put(Succeeded, EnumSet.noneOf(Phase.class));
    ALLOWED.put(RolledBack, EnumSet.noneOf(Phase.class));
    ALLOWED.put(Failed, EnumSet.noneOf(Phase.class));
  }

  private Transitions() {}

  public static boolean allowed(Phase from, Phase to) {
    return from == to || ALLOWED.get(from).contains(to);
  }

  /** Where a plan that the host has already acted on belongs, whatever status says (etcd restore). */
  public static boolean isBeforeHandoff(Phase phase) {
    return phase == Pending || phase == Preflight || phase == Preparing || phase == BackingUp || phase == Pausing
        || phase == AwaitingReboot;
  }
}
