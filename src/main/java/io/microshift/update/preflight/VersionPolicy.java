package io.microshift.update.preflight;

import java.util.Optional;

/**
 * The version jumps MicroShift supports (from MicroShift's own upgrade checks, 4.14-4.18): same
 * major only; never to a lower minor (etcd and the data dir may have been migrated); at most one
 * minor up from 4.15 and earlier, at most two from 4.16 on; any patch change within a minor, but a
 * lower patch only when the plan allows downgrades; the running version itself is no update.
 */
public final class VersionPolicy {

  private VersionPolicy() {}

  /** The kind of jump, for status and events. */
  public enum Jump {
    Z_STREAM,
    Y_STREAM,
    PATCH_DOWNGRADE
  }

  /** A verdict: the jump when allowed, or the reason and what to do. */
  public record Verdict(Jump jump, String refusal) {
    public boolean allowed() {
      return refusal == null;
    }
  }

  public static Verdict check(MicroShiftVersion from, MicroShiftVersion to, boolean allowDowngrade) {
    if (from.major() != to.major()) {
      return refuse("MicroShift cannot change major version (" + from + " -> " + to
          + "): install the new major release on a freshly provisioned device");
    }
    if (to.minor() < from.minor()) {
      return refuse("MicroShift cannot go back a minor version (" + from + " -> " + to
          + "): its data may have been migrated. Pick a target in " + from.minorStream()
          + " or later; to return to " + to.minorStream() + " restore a backup taken on it");
    }
    int maxJump = from.minor() <= 15 ? 1 : 2;
    if (to.minor() - from.minor() > maxJump) {
      String next = from.major() + "." + (from.minor() + maxJump);
      return refuse("MicroShift " + from.minorStream() + " can be upgraded at most " + maxJump
          + " minor version" + (maxJump > 1 ? "s" : "") + " at a time (" + from + " -> " + to
          + "): update to the latest " + next + ".z first, then to " + to);
    }
    if (to.minor() > from.minor()) {
      return new Verdict(Jump.Y_STREAM, null);
    }
    int c = to.compareTo(from);
    if (c == 0) {
      return refuse("MicroShift already runs " + from + ": nothing to update. Set spec.target.version"
          + " to a newer release");
    }
    if (c > 0) {
      return new Verdict(Jump.Z_STREAM, null);
    }
    if (allowDowngrade) {
      return new Verdict(Jump.PATCH_DOWNGRADE, null);
    }
    return refuse("the target " + to + " is older than the running " + from
        + ": set spec.allowDowngrade: true to go back within " + from.minorStream()
        + ", or pick a target of " + from + " or later");
  }

  private static Verdict refuse(String message) {
    return new Verdict(null, message);
  }

  public static Optional<String> describe(MicroShiftVersion from, MicroShiftVersion to, Jump jump) {
    return Optional.ofNullable(jump).map(j -> switch (j) {
      case Z_STREAM -> from + " -> " + to + " (z-stream update)";
      case Y_STREAM -> from + " -> " + to + " (y-stream upgrade)";
      case PATCH_DOWNGRADE -> from + " -> " + to + " (patch downgrade, allowed by spec.allowDowngrade)";
    });
  }
}
