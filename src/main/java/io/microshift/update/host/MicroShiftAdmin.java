package io.microshift.update.host;

import java.nio.file.Path;

/** MicroShift's own admin verbs, backup and restore of its data dir (adapter: {@link MicroShiftCli}). */
public interface MicroShiftAdmin {
  /** Whether the installed MicroShift has both verbs (4.14 and later). */
  boolean hasBackupVerbs();

  /** Copies /var/lib/microshift to {@code target}, which must not exist; MicroShift must be stopped. */
  void backup(Path target);

  /** Replaces /var/lib/microshift with the copy in {@code source}; MicroShift must be stopped. */
  void restore(Path source);
}
