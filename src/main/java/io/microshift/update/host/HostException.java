package io.microshift.update.host;

/** A host-side failure with a message meant for an administrator. */
public class HostException extends RuntimeException {
  public HostException(String message) {
    super(message);
  }

  public HostException(String message, Throwable cause) {
    super(message, cause);
  }
}
