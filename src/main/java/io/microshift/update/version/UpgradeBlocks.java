package io.microshift.update.version;

import java.util.Map;
import java.util.Set;

/**
 * The edges a MicroShift release refuses: a mirror of the {@code assets/release/upgrade-blocks.json}
 * that MicroShift embeds and checks on start (openshift/microshift pkg/admin/prerun/upgrade_blocking.go,
 * {@code isUpgradeBlocked} and {@code isBlocked}). Its format is
 * {@code {"<new binary X.Y.Z>": ["<data X.Y.Z it refuses>", ...]}}: the key is the target version, the
 * list the exact versions it refuses to start from.
 *
 * <p>No release branch of openshift/microshift (release-4.14 to release-5.2, main) carries the file
 * yet; upstream then skips the check ("embedded blocked upgrades asset does not exist"). So the
 * table below is empty. When a release adds the file, copy its entries here, one line per target.
 */
public record UpgradeBlocks(Map<String, Set<String>> blockedFromByTarget) {

  /** Every release's upgrade-blocks.json, merged (each key is one release's version). */
  public static final UpgradeBlocks UPSTREAM = new UpgradeBlocks(Map.of());

  public UpgradeBlocks {
    blockedFromByTarget = Map.copyOf(blockedFromByTarget);
  }

  /** Whether the target's release refuses to start on data of {@code from} (X.Y.Z, as upstream compares). */
  public boolean blocks(MicroShiftVersion from, MicroShiftVersion to) {
    return blockedFromByTarget.getOrDefault(xyz(to), Set.of()).contains(xyz(from));
  }

  private static String xyz(MicroShiftVersion v) {
    return v.major() + "." + v.minor() + "." + v.patch();
  }
}
