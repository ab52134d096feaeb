package io.microshift.update.host;

import java.util.List;

/**
 * {@link Systemd} through {@code systemctl} (systemd/systemd src/systemctl/systemctl.c,
 * {@code systemctl_parse_argv} and the verbs table): {@code is-active --quiet UNIT} prints nothing
 * and exits 0 only when the unit is active (systemctl-is-active.c); {@code show -p ActiveState
 * --value UNIT} prints the bare value ({@code -p} is {@code --property}; systemctl-show.c);
 * {@code start}, {@code stop} and {@code restart} wait for their job (systemctl-start-unit.c);
 * {@code reboot} queues the reboot job (systemctl-start-special.c).
 */
final class Systemctl implements Systemd {
  private final CommandRunner runner;

  Systemctl(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public boolean isActive(String unit) {
    return runner.run(List.of("systemctl", "is-active", "--quiet", unit)).ok();
  }

  @Override
  public String activeState(String unit) {
    CommandRunner.Result r = runner.run(List.of("systemctl", "show", "-p", "ActiveState", "--value", unit));
    if (!r.ok()) {
      throw new HostException("cannot tell whether " + unit + " is active: systemctl show exited "
          + r.exitCode() + ": " + r.stderr().strip());
    }
    return r.stdout().strip();
  }

  @Override
  public void start(String unit) {
    runner.check(List.of("systemctl", "start", unit));
  }

  @Override
  public void stop(String unit) {
    runner.check(List.of("systemctl", "stop", unit));
  }

  @Override
  public void restart(String unit) {
    runner.check(List.of("systemctl", "restart", unit));
  }

  @Override
  public void reboot() {
    runner.check(List.of("systemctl", "reboot"));
  }
}
