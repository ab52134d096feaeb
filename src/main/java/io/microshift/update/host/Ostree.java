package io.microshift.update.host;

import java.util.List;
import java.util.Optional;

/** The host's ostree deployments and repository, as rpm-ostree and ostree manage them (adapter: {@link RpmOstree}). */
public interface Ostree {
  /** The deployments in boot order and the registered update driver, if any. */
  RpmOstree.Status status();

  /** Deployments in boot order: the first one is the default for the next boot. */
  default List<RpmOstree.Deployment> deployments() {
    return status().deployments();
  }

  /** The deployment the next boot will use (the first listed), if it is not the booted one. */
  default Optional<RpmOstree.Deployment> pending() {
    return status().pending();
  }

  /**
   * Stages {@code ref} (at {@code commit} when not null) or, with a null ref, {@code commit} of
   * the booted ref, with its finalization locked; {@code bypassDriver} overrides a registered
   * update driver. Returns the command line it ran, for messages.
   */
  String stageLocked(String ref, String commit, boolean bypassDriver);

  /**
   * Whether ostree will leave {@code staged} unfinalized at shutdown (its finalization is locked),
   * so that the next boot runs the booted deployment again.
   */
  boolean finalizationLocked(RpmOstree.Deployment staged);

  /**
   * Lets the staged deployment whose base commit is {@code baseChecksum} take effect (unlocking
   * its finalization if it is locked) and reboots.
   */
  void finalizeDeployment(String baseChecksum);

  /** Removes the pending deployment. */
  void cleanupPending();

  /** Makes the previous deployment the default for the next boot. */
  void rollback();

  /** A file of {@code commit} in the host's repository, or empty when the commit has no such file. */
  Optional<String> cat(String commit, String path);
}
