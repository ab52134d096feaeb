package io.microshift.update.hooks;

import io.microshift.update.api.HookPolicy.OnError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One family of hook annotations: ours ({@code pre-update.hook.updates.microshift.io/*}, ...) or a
 * Velero alias, which keeps Velero's meaning: its timeout key and its defaults.
 *
 * @param prefix the part before the slash
 * @param timeoutKey the key after the slash that holds the timeout
 * @param defaultOnError null: the plan's hooks.onError (default Fail)
 * @param defaultTimeout null: the plan's hooks.defaultTimeout (default 5m)
 * @param strictCommand the command must be a JSON array (ours); Velero also takes a plain string
 *     as a one-element argv
 */
public record AnnotationFamily(
    String prefix,
    String timeoutKey,
    OnError defaultOnError,
    Duration defaultTimeout,
    boolean strictCommand,
    boolean alias) {

  public static final String OURS_SUFFIX = ".hook.updates.microshift.io";
  public static final String VELERO_PRE_BACKUP = "pre.hook.backup.velero.io";
  public static final String VELERO_POST_RESTORE = "post.hook.restore.velero.io";

  public static AnnotationFamily ours(HookPhase phase) {
    return new AnnotationFamily(phase.value() + OURS_SUFFIX, "timeout", null, null, true, false);
  }

  /** Velero backup hooks: first container, Fail, 30s, key {@code timeout}. */
  public static AnnotationFamily veleroPreBackup() {
    return new AnnotationFamily(
        VELERO_PRE_BACKUP, "timeout", OnError.Fail, Duration.ofSeconds(30), false, true);
  }

  /** Velero restore exec hooks: first container, Continue, 30s, key {@code exec-timeout}. */
  public static AnnotationFamily veleroPostRestore() {
    return new AnnotationFamily(
        VELERO_POST_RESTORE, "exec-timeout", OnError.Continue, Duration.ofSeconds(30), false, true);
  }

  /** The families of a phase, ours first. */
  public static List<AnnotationFamily> forPhase(HookPhase phase, boolean veleroAliases) {
    List<AnnotationFamily> families = new ArrayList<>();
    families.add(ours(phase));
    if (veleroAliases) {
      switch (phase) {
        case PRE_UPDATE -> families.add(veleroPreBackup());
        case POST_ROLLBACK -> families.add(veleroPostRestore());
        case POST_UPDATE -> { }
      }
    }
    return families;
  }

  /**
   * The keys after the slash that this family has; any other key is a malformed hook (a typo such
   * as {@code timout} must not silently fall back to the default). Ours also has {@code order}
   * (hooks of a lower order finish before a higher order starts); Velero has none. Velero's restore family also has
   * {@code wait-timeout} and {@code wait-for-ready}: accepted as Velero's, but not read.
   */
  public List<String> keys() {
    List<String> keys = new ArrayList<>(List.of("command", "container", "on-error", timeoutKey));
    if (!alias) {
      keys.add("order");
    }
    if (prefix.equals(VELERO_POST_RESTORE)) {
      keys.addAll(List.of("wait-timeout", "wait-for-ready"));
    }
    return List.copyOf(keys);
  }

  public String key(String name) {
    return prefix + "/" + name;
  }
}
