package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact argv of every {@link MicroShiftCli} call, checked against openshift/microshift
 * pkg/cmd/admin.go: {@code NewBackupCommand} ("backup PATH") and {@code NewRestoreCommand}
 * ("restore PATH"), one positional argument each ({@code validateArgs}).
 */
class MicroShiftCliTest {
  private final RecordingRunner runner = new RecordingRunner();
  private final MicroShiftCli cli = new MicroShiftCli(runner);

  @Test
  void backupVerbsArePresentWhenBothHelpsSucceed() {
    assertTrue(cli.hasBackupVerbs());
    assertEquals(List.of(List.of("microshift", "backup", "--help"), List.of("microshift", "restore", "--help")),
        runner.calls);
  }

  @Test
  void anOldMicroShiftHasNoBackupVerb() {
    runner.answer(1, "", "Error: unknown command \"backup\" for \"microshift\"\n");
    assertFalse(cli.hasBackupVerbs());
    assertEquals(List.of(List.of("microshift", "backup", "--help")), runner.calls);
  }

  @Test
  void backupAndRestoreNameTheDirectory() {
    cli.backup(Path.of("/var/lib/microshift-update/backups/b1/data.tmp"));
    cli.restore(Path.of("/var/lib/microshift-update/backups/b1/data"));
    assertEquals(List.of(
        List.of("microshift", "backup", "/var/lib/microshift-update/backups/b1/data.tmp"),
        List.of("microshift", "restore", "/var/lib/microshift-update/backups/b1/data")), runner.calls);
  }

  @Test
  void aRefusedBackupThrows() {
    runner.answer(1, "", "microshift.service is still active\n");
    assertThrows(HostException.class, () -> cli.backup(Path.of("/tmp/x")));
  }
}
