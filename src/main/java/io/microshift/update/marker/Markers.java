package io.microshift.update.marker;

import io.microshift.update.api.Patterns;
import io.microshift.update.backup.BackupStore;
import java.util.regex.Pattern;

/**
 * Constants of marker protocol v1: file names, the api version, limits and whitelist regexes. The
 * regexes that the CRD's schema has too are compiled from the one text in {@link Patterns}.
 */
public final class Markers {
  private Markers() {}

  public static final String API_VERSION = "updates.microshift.io/marker/v1";
  public static final String REQUEST_FILE = "request.json";
  public static final String HOST_STATUS_FILE = "host-status.json";
  /** The host agent's record of the updates that ended, newest last (docs/marker.md). */
  public static final String HISTORY_FILE = "history.json";
  /** history.json keeps the last this many updates. */
  public static final int MAX_UPDATES = 20;
  /** The state dir on a host; tests put it under a root dir. */
  public static final String STATE_DIR = "/var/lib/microshift-update";
  public static final int MAX_FILE_BYTES = 64 * 1024;
  public static final int MAX_MESSAGE_CHARS = 1024;
  public static final int MAX_HISTORY = 50;
  public static final int MAX_PACKAGES = 64;
  public static final int MAX_REPOSITORIES = 16;
  public static final int MIN_HEALTH_CHECK_TIMEOUT_SECONDS = 60;
  public static final int MAX_HEALTH_CHECK_TIMEOUT_SECONDS = 3600;
  public static final int MIN_BACKUP_RETENTION = 1;
  public static final int MAX_BACKUP_RETENTION = 10;

  /** MicroShift version: X.Y.Z with an optional pre-release or build suffix. */
  public static final Pattern VERSION =
      Pattern.compile("^[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}([-~+][0-9A-Za-z._~+-]{1,64})?$");
  /** ostree ref, optionally prefixed by a remote ({@code remote:a/b/c}); never starts with '-'. */
  public static final Pattern OSTREE_REF = Pattern.compile(Patterns.OSTREE_REF);
  /** ostree commit or deployment checksum. */
  public static final Pattern CHECKSUM = Pattern.compile(Patterns.OSTREE_COMMIT);
  /** rpm package spec: name or name-version[-release][.arch]; no paths, URLs or options. */
  public static final Pattern PACKAGE = Pattern.compile(Patterns.PACKAGE);
  /** dnf repository id; never starts with '-', no globs or commas. */
  public static final Pattern REPOSITORY = Pattern.compile(Patterns.REPOSITORY);
  /** Kubernetes object name (DNS-1123 subdomain). */
  public static final Pattern NAME =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  public static final Pattern UUID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  public static final Pattern SHA256 = CHECKSUM;
  /** A container image by digest, {@code registry/repository@sha256:<64 hex>} (no tag, no spaces). */
  public static final Pattern IMAGE_BY_DIGEST =
      Pattern.compile("^[a-z0-9][a-z0-9._-]*(?::[0-9]{1,5})?(?:/[a-z0-9][a-z0-9._-]*)+@sha256:[0-9a-f]{64}$");
  /**
   * An image-mode target pinned by digest (the CRD's Patterns.TARGET_IMAGE_BY_DIGEST): an
   * unambiguous registry host ('.' or localhost, optional port), lower-case path components,
   * {@code @sha256:} and 64 hex digits. It reaches bootc's argv: never a '-', a space, a
   * transport prefix or a shell character.
   */
  public static final Pattern TARGET_IMAGE_BY_DIGEST = Pattern.compile(io.microshift.update.api.Patterns.TARGET_IMAGE_BY_DIGEST);
  /** An image-mode target by tag (Patterns.TARGET_IMAGE_BY_TAG): only with target.allowImageTag. */
  public static final Pattern TARGET_IMAGE_BY_TAG = Pattern.compile(io.microshift.update.api.Patterns.TARGET_IMAGE_BY_TAG);
  /** The longest target.image. */
  public static final int MAX_TARGET_IMAGE_CHARS = io.microshift.update.api.Patterns.TARGET_IMAGE_MAX_LENGTH;
  /** At most this many target.requiredImages. */
  public static final int MAX_REQUIRED_IMAGES = 8;
  /** Backup set ids, as {@link io.microshift.update.backup.BackupStore#ID}. */
  public static final Pattern BACKUP_ID = io.microshift.update.backup.BackupStore.ID;

  /** Host path of a backup set's etcd snapshot; request.json must name exactly this path. */
  public static String etcdSnapshotPath(String backupId) {
    return STATE_DIR + "/" + BackupStore.BACKUPS_DIR + "/" + backupId + "/" + BackupStore.ETCD_SNAPSHOT;
  }

  /** Host path of a backup set's copy of /var/lib/microshift. */
  public static String dataPath(String backupId) {
    return STATE_DIR + "/" + BackupStore.BACKUPS_DIR + "/" + backupId + "/" + BackupStore.DATA_DIR;
  }

  /** Printable ASCII only ('?' for anything else), at most {@code max} characters ("..." after): for text from outside in messages. */
  public static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    int[] codePoints = s.codePoints().toArray(); // one '?' per code point, also above U+FFFF
    for (int i = 0; i < codePoints.length && b.length() < max; i++) {
      int c = codePoints[i];
      b.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
    }
    return codePoints.length > max ? b + "..." : b.toString();
  }
}
