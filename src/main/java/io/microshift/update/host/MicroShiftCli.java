package io.microshift.update.host;

import java.nio.file.Path;
import java.util.List;

/**
 * {@link MicroShiftAdmin} through the {@code microshift} CLI (openshift/microshift pkg/cmd/admin.go,
 * {@code NewBackupCommand} "backup PATH" and {@code NewRestoreCommand} "restore PATH", each with
 * exactly one argument ({@code validateArgs}); both refuse while microshift.service or
 * microshift-etcd.scope is active ({@code servicesShouldBeInactive})). A MicroShift before 4.14
 * has neither verb, and {@code microshift backup --help} then exits non-zero (cobra's unknown
 * command).
 */
final class MicroShiftCli implements MicroShiftAdmin {
  private final CommandRunner runner;

  MicroShiftCli(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public boolean hasBackupVerbs() {
    return runner.run(List.of("microshift", "backup", "--help")).ok()
        && runner.run(List.of("microshift", "restore", "--help")).ok();
  }

  @Override
  public void backup(Path target) {
    runner.check(List.of("microshift", "backup", target.toString()));
  }

  @Override
  public void restore(Path source) {
    runner.check(List.of("microshift", "restore", source.toString()));
  }
}
