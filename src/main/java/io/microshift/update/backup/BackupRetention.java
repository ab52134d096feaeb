package io.microshift.update.backup;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention rule for backup sets: keep the newest {@code keep} complete sets (the plan's
 * setting, default {@value #DEFAULT_KEEP}) and never the sets still referred to: the active plan's
 * and the one named in the last request.json (what the host would restore after a rollback).
 */
public final class BackupRetention {

  /** The one default of spec.backup.retention (the operator, and the host agent's green.d). */
  public static final int DEFAULT_KEEP = 2;
  private static final Logger LOG = LoggerFactory.getLogger(BackupRetention.class);

  private BackupRetention() {}

  /**
   * Prunes {@code store}.
   *
   * @param keep the plan's retention, null for the default
   * @param referencedIds ids that must survive (null entries are ignored), e.g. the active plan's
   *     backup id and the backup id in request.json
   * @return the ids deleted
   */
  public static List<String> apply(BackupStore store, Integer keep, String... referencedIds) {
    int n = keep == null ? DEFAULT_KEEP : keep;
    Set<String> protectedIds = Arrays.stream(referencedIds).filter(Objects::nonNull)
        .collect(Collectors.toUnmodifiableSet());
    List<String> deleted = store.prune(n, protectedIds);
    if (!deleted.isEmpty()) {
      LOG.info("backup retention (keep {}, protected {}): deleted {}", n, protectedIds, deleted);
    }
    return deleted;
  }
}
