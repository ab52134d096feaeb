package io.microshift.update.host;

import java.util.Optional;

/** The host's bootable container images, as bootc manages them (adapter: {@link Bootc}). */
public interface Image {
  /** The booted, staged and rollback boot entries. */
  Bootc.Status status();

  /** bootc's version as {@code bootc --version} prints it ({@code MAJOR.MINOR.PATCH}), or empty when it says none. */
  Optional<String> version();

  /** Pulls and stages {@code image} (finalization not locked). */
  void switchTo(String image);

  /** Locks the finalization of the staged deployment of the spec's image, pulling it if needed. */
  void lockStaged();

  /** Unlocks the staged deployment without fetching, and reboots. */
  void applyStaged();

  /** Makes the rollback deployment the default for the next boot. */
  void rollback();
}
