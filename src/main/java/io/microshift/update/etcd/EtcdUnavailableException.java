package io.microshift.update.etcd;

/** etcd cannot be reached or used; the message says what to do. */
public class EtcdUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EtcdUnavailableException(String message) {
    super(message);
  }

  public EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
