package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the host is updated. */
public enum UpdateType {
  /** rpm-ostree stages a new deployment; greenboot rolls back on failure. */
  OSTREE("ostree"),
  /** dnf installs the target package set; no automatic rollback, the backup stays. */
  RPM("rpm"),
  /**
   * Image mode: bootc stages a bootable container image (an ostree deployment underneath);
   * greenboot rolls back with {@code bootc rollback} on failure.
   */
  IMAGE("image");

  private final String value;

  UpdateType(String value) {
    this.value = value;
  }

  @JsonValue
  public String value() {
    return value;
  }
}
