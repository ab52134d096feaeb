package io.microshift.update.host;

/** systemd's units as the agent drives them (adapter: {@link Systemctl}). */
public interface Systemd {
  /** Whether {@code unit} is active. */
  boolean isActive(String unit);

  /** The unit's ActiveState ({@code active}, {@code inactive}, {@code deactivating}, {@code failed}, ...). */
  String activeState(String unit);

  void start(String unit);

  void stop(String unit);

  void restart(String unit);

  /** Asks systemd to reboot the host; returns once the reboot is queued. */
  void reboot();
}
