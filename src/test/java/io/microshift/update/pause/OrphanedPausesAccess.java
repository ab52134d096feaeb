package io.microshift.update.pause;

import java.util.Map;

/** Test access to {@link OrphanedPauses}' rule from other packages. */
public final class OrphanedPausesAccess {
  private OrphanedPausesAccess() {}

  public static boolean isOrphan(String plan, String uid, Map<String, String> plans) {
    return OrphanedPauses.isOrphan(plan, uid, plans);
  }
}
