package io.microshift.update.version;

import java.util.OptionalInt;

/**
 * The version jumps an UpdatePlan may take. The target binary decides what it accepts
 * ({@link TargetBinaryCheck}, {@link UpgradeBlocks}); the product documentation decides what is
 * supported ({@link SupportedPaths}), and an unsupported but accepted path needs
 * {@code spec.allowUnsupportedPath}. Never to a lower minor (etcd and the data dir may have been
 * migrated); a lower patch only with {@code spec.allowDowngrade}; the running version itself is no
 * update. The operator's preflight and the host agent both call this, so they always agree.
 */
public final class VersionPolicy {

  private VersionPolicy() {}

  /** The kind of jump, for status and events. */
  public enum Jump {
    Z_STREAM,
    Y_STREAM,
    PATCH_DOWNGRADE
  }

  /** A verdict: the jump and its description when allowed, or the reason and what to do. */
  public record Verdict(Jump jump, String path, String refusal) {
    public boolean allowed() {
      return refusal == null;
    }
  }

  public static Verdict check(MicroShiftVersion from, MicroShiftVersion to, boolean allowDowngrade,
      boolean allowUnsupportedPath) {
    return check(from, to, allowDowngrade, allowUnsupportedPath, UpgradeBlocks.UPSTREAM);
  }

  public static Verdict check(MicroShiftVersion from, MicroShiftVersion to, boolean allowDowngrade,
      boolean allowUnsupportedPath, UpgradeBlocks blocks) {
    MinorStream a = MinorStream.of(from);
    MinorStream b = MinorStream.of(to);
    int c = to.compareTo(from);
    if (c == 0) {
      return refuse("MicroShift already runs " + from + ": nothing to update. Set spec.target.version"
          + " to a newer release");
    }
    if (b.compareTo(a) < 0) {
      return refuse("MicroShift cannot go back a minor version (" + from + " -> " + to
          + "): its data may have been migrated. Pick a target in " + a
          + " or later; to return to " + b + " restore a backup taken on it");
    }
    if (blocks.blocks(from, to)) {
      return refuse("MicroShift " + to + " refuses to start on data of " + from + " (its release blocks"
          + " this edge in upgrade-blocks.json): pick another " + b + ".z, or update from another " + a
          + ".z first");
    }
    if (c < 0) {
      return allowDowngrade ? allow(Jump.PATCH_DOWNGRADE, from + " -> " + to
          + " (patch downgrade, allowed by spec.allowDowngrade)")
          : refuse("the target " + to + " is older than the running " + from
              + ": set spec.allowDowngrade: true to go back within " + a
              + ", or pick a target of " + from + " or later");
    }
    // compareTo, not the record's equals: the same answer without bootstrapping the record's
    // ObjectMethods method handles, which the host agent's boot verbs paid at every start
    if (a.compareTo(b) == 0) {
      return allow(Jump.Z_STREAM, from + " -> " + to + " (z-stream update)");
    }
    var binary = TargetBinaryCheck.refusal(from, to);
    if (binary.isPresent()) {
      OptionalInt d = TargetBinaryCheck.distance(a, b);
      return refuse(binary.get() + (d.isPresent() ? ": " + SupportedPaths.advice(from, to) : ""));
    }
    int distance = TargetBinaryCheck.distance(a, b).orElseThrow();
    String jump = from + " -> " + to + (a.major() == b.major() ? " (y-stream upgrade" : " (upgrade to the next major"
        + " release, one minor step as MicroShift counts it");
    String unsupported = unsupportedBecause(a, b, distance);
    if (unsupported == null) {
      return allow(Jump.Y_STREAM, jump + ")");
    }
    if (allowUnsupportedPath) {
      return allow(Jump.Y_STREAM, jump + "; " + unsupported + ", allowed by spec.allowUnsupportedPath)");
    }
    return refuse(from + " -> " + to + " " + unsupported + ": "
        + (SupportedPaths.isTechnologyPreview(a) ? "install " + SupportedPaths.FIRST_GA + " or later on a freshly"
            + " provisioned device" : SupportedPaths.advice(from, to))
        + ", or set spec.allowUnsupportedPath: true");
  }

  /** Why the documentation does not support this accepted path, or null when it does. */
  private static String unsupportedBecause(MinorStream from, MinorStream to, int distance) {
    if (SupportedPaths.isTechnologyPreview(from)) {
      return "starts from the Technology Preview " + from + ", from which no update is supported";
    }
    if (!SupportedPaths.supportedStep(from, to, distance)) {
      return "skips a minor and is supported only between EUS releases (" + SupportedPaths.FIRST_GA
          + ", 4.16, 4.18, ...)";
    }
    return null;
  }

  private static Verdict allow(Jump jump, String path) {
    return new Verdict(jump, path, null);
  }

  private static Verdict refuse(String message) {
    return new Verdict(null, null, message);
  }
}
