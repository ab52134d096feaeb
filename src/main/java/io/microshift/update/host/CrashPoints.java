package io.microshift.update.host;

import java.util.List;

/**
 * Names of every point where a crash or power cut can be injected (see {@link
 * io.microshift.update.marker.CrashHook}). Marker writes are named {@code <step>.temp-written}:
 * the new file is on disk under its temp name, the old one still in place.
 */
public final class CrashPoints {
  private CrashPoints() {}

  public static final String APPLY_WRITE_STAGING = "apply.write-Staging.temp-written";
  public static final String APPLY_VALIDATED = "apply.validated";
  public static final String APPLY_DISK_CHECKED = "apply.disk-checked";
  public static final String APPLY_STAGED = "apply.staged";
  public static final String APPLY_WRITE_STAGED = "apply.write-Staged.temp-written";
  public static final String APPLY_STAGED_RECORDED = "apply.staged-recorded";
  public static final String APPLY_MICROSHIFT_STOPPED = "apply.microshift-stopped";
  public static final String APPLY_DATA_COPY_BEFORE_RENAME = "apply.data-copy.before-rename";
  public static final String APPLY_DATA_COPIED = "apply.data-copied";
  public static final String APPLY_WRITE_DATA_COPY = "apply.write-data-copy.temp-written";
  public static final String APPLY_DATA_COPY_RECORDED = "apply.data-copy-recorded";
  public static final String APPLY_PACKAGES_INSTALLED = "apply.packages-installed";
  public static final String APPLY_WRITE_REBOOTING = "apply.write-Rebooting.temp-written";
  public static final String APPLY_BOOT_RECORDED = "apply.boot-recorded";
  public static final String APPLY_REBOOT_REQUESTED = "apply.reboot-requested";
  /** rpm hosts that need no reboot: MicroShift restarted instead (RestartVerification). */
  public static final String APPLY_WRITE_RESTARTING = "apply.write-Restarting.temp-written";
  public static final String APPLY_MICROSHIFT_RESTARTED = "apply.microshift-restarted";
  public static final String APPLY_WRITE_RESTART_BOOTED = "apply.write-Booted.temp-written";

  public static final String PREPARE_WRITE_PREPARING = "prepare.write-Preparing.temp-written";
  public static final String PREPARE_CHECKED = "prepare.checked";
  /**
   * Image mode: {@code bootc switch} staged the target and {@code bootc upgrade --download-only}
   * has not locked it yet (Prepare, or an Apply that stages). Only image requests reach it, so it
   * is in none of the lists the ostree and rpm matrices walk.
   */
  public static final String IMAGE_SWITCHED = "stage.image-switched";
  public static final String PREPARE_STAGED = "prepare.staged";
  public static final String PREPARE_WRITE_PREPARED = "prepare.write-Prepared.temp-written";
  /** Apply after Prepare: the accepted Apply recorded (host state Staged for the Apply's sequence). */
  public static final String APPLY_AFTER_PREPARE_RECORDED = "apply.after-prepare-recorded";
  /** Apply on a request without the operator's snapshot: the agent's etcd snapshot is complete. */
  public static final String APPLY_SNAPSHOT_TAKEN = "apply.etcd-snapshot-taken";

  public static final String BOOT_WRITE_BOOTED = "boot.write-Booted.temp-written";
  public static final String BOOT_WRITE_ROLLED_BACK = "boot.write-RolledBack.temp-written";
  public static final String BOOT_ROLLED_BACK_RECORDED = "boot.rolled-back-recorded";
  public static final String BOOT_DATA_MOVED_ASIDE = "boot.data-moved-aside";
  public static final String BOOT_RESTORE_BEFORE_RENAME = "boot.restore.before-rename";
  public static final String BOOT_DATA_RESTORED = "boot.data-restored";
  public static final String BOOT_MICROSHIFT_MARKER_CLEARED = "boot.microshift-restore-marker-cleared";
  public static final String BOOT_WRITE_RESTORED = "boot.write-Restored.temp-written";

  public static final String GREENBOOT_WRITE_UNHEALTHY = "greenboot.write-Unhealthy.temp-written";
  public static final String GREENBOOT_WRITE_HEALTHY = "greenboot.write-Healthy.temp-written";
  public static final String GREENBOOT_HEALTHY_RECORDED = "greenboot.healthy-recorded";
  public static final String GREENBOOT_WRITE_COMMITTED = "greenboot.write-Committed.temp-written";

  /**
   * history.json written after a terminal host-status.json, before the in-flight flag is cleared
   * (UpdateHistoryRecorder): reached by whichever verb ends the update.
   */
  public static final String HISTORY_WRITE = "history.temp-written";

  /** Every crash point of {@code apply}, in the order an ostree apply reaches them. */
  public static final List<String> APPLY = List.of(APPLY_WRITE_STAGING, APPLY_VALIDATED,
      APPLY_DISK_CHECKED, APPLY_STAGED, APPLY_WRITE_STAGED, APPLY_STAGED_RECORDED,
      APPLY_MICROSHIFT_STOPPED, APPLY_DATA_COPY_BEFORE_RENAME, APPLY_DATA_COPIED,
      APPLY_WRITE_DATA_COPY, APPLY_DATA_COPY_RECORDED, APPLY_PACKAGES_INSTALLED,
      APPLY_WRITE_REBOOTING, APPLY_BOOT_RECORDED, APPLY_REBOOT_REQUESTED);

  /** The crash points of {@code apply}'s restart path (rpm, no reboot needed), in order. */
  public static final List<String> APPLY_RESTART = List.of(APPLY_WRITE_RESTARTING, APPLY_MICROSHIFT_RESTARTED,
      APPLY_WRITE_RESTART_BOOTED);

  /** Every crash point of a Prepare, in order (ostree; a dry run stops after the checks). */
  public static final List<String> PREPARE = List.of(PREPARE_WRITE_PREPARING, PREPARE_CHECKED, PREPARE_STAGED,
      PREPARE_WRITE_PREPARED);

  /** The crash points only an Apply after a Prepare, or one whose snapshot the agent takes, reaches. */
  public static final List<String> APPLY_AFTER_PREPARE = List.of(APPLY_AFTER_PREPARE_RECORDED, APPLY_SNAPSHOT_TAKEN);

  /** Every crash point of {@code boot}: target booted, then the rollback path. */
  public static final List<String> BOOT = List.of(BOOT_WRITE_BOOTED, BOOT_WRITE_ROLLED_BACK,
      BOOT_ROLLED_BACK_RECORDED, BOOT_DATA_MOVED_ASIDE, BOOT_RESTORE_BEFORE_RENAME,
      BOOT_DATA_RESTORED, BOOT_MICROSHIFT_MARKER_CLEARED, BOOT_WRITE_RESTORED);

  /** Every crash point of the greenboot hooks (red.d, then green.d). */
  public static final List<String> GREENBOOT = List.of(GREENBOOT_WRITE_UNHEALTHY, GREENBOOT_WRITE_HEALTHY,
      GREENBOOT_HEALTHY_RECORDED, GREENBOOT_WRITE_COMMITTED);

  public static List<String> all() {
    return java.util.stream.Stream.of(PREPARE, APPLY_AFTER_PREPARE, APPLY, APPLY_RESTART, BOOT, GREENBOOT,
        List.of(HISTORY_WRITE)).flatMap(List::stream).toList();
  }
}
