package io.microshift.update.etcd;

/** The etcd snapshot could not be taken or verified; the message says why and what to do. */
public class SnapshotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }

  public SnapshotException(String message) {
    super(message);
  }
}
