package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.host.DiskSpace;
import io.microshift.update.host.HostPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated device's model of MicroShift's pre-run backup against what upstream does. */
class MicroShiftPreRunBackupTest {
  private static final String F = "rhel-" + "f".repeat(64) + ".0";
  private static final String T = "rhel-" + "a".repeat(64) + ".0";
  private static final String GONE = "rhel-" + "0".repeat(64) + ".0";
  private static final String BOOT0 = "0".repeat(32);
  private static final String BOOT1 = "1".repeat(32);

  @TempDir Path root;
  HostPaths paths;
  long free = Long.MAX_VALUE / 4;
  final List<String> log = new ArrayList<>();

  @BeforeEach
  void data() throws IOException {
    paths = new HostPaths(root);
    Files.createDirectories(paths.microshiftData().resolve("etcd"));
    Files.write(paths.microshiftData().resolve("etcd/db"), new byte[100_000]);
    version(F, BOOT0);
  }

  private void version(String deployment, String boot) throws IOException {
    Files.writeString(paths.microshiftVersionFile(), "{\"version\":\"4.17.1\",\"deployment_id\":\"" + deployment
        + "\",\"boot_id\":\"" + boot + "\"}\n");
  }

  private Optional<String> run(int minor, String boot) {
    DiskSpace disk = p -> free;
    return new MicroShiftPreRunBackup(paths, disk, log::add).run(minor, boot, Set.of(F, T));
  }

  private List<String> backups() throws IOException {
    if (!Files.isDirectory(paths.microshiftBackups())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(paths.microshiftBackups())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void backsUpTheBootBeforeOnceOnANewBootAndNotInTheSameBoot() throws IOException {
    assertEquals(Optional.empty(), run(17, BOOT0));
    assertEquals(List.of(), backups(), "same boot as the version file: no backup");
    assertEquals(Optional.empty(), run(17, BOOT1));
    assertEquals(List.of(F + "_" + BOOT0), backups());
    assertTrue(Files.isRegularFile(paths.microshiftBackups().resolve(F + "_" + BOOT0 + "/etcd/db")));
    assertEquals(Optional.empty(), run(17, "2".repeat(32)), "exists already: kept as it is");
    assertEquals(List.of(F + "_" + BOOT0), backups());
  }

  @Test
  void removesOlderBackupsOfTheDeploymentAfterTheNewOneAndThoseOfGoneDeployments() throws IOException {
    for (String old : List.of(F + "_" + "9".repeat(32), GONE + "_" + "9".repeat(32), T + "_" + "8".repeat(32), "4.13")) {
      Files.createDirectories(paths.microshiftBackups().resolve(old));
    }
    assertEquals(Optional.empty(), run(18, BOOT1));
    assertEquals(List.of("4.13", T + "_" + "8".repeat(32), F + "_" + BOOT0), backups());
  }

  @Test
  void from418OnItRefusesWhenTheCopyDoesNotFitAndLeavesNothing() throws IOException {
    free = 100_000; // less than the data dir +10%
    Optional<String> failed = run(18, BOOT1);
    assertTrue(failed.orElseThrow().contains("not enough disk space in \"/var/lib/microshift-backups\" to create a backup"),
        failed.get());
    assertEquals(List.of(), backups());
  }

  @Test
  void before418CpFailsHalfwayAndLeavesAPartialBackupUnderTheFinalName() throws IOException {
    Files.write(paths.microshiftData().resolve("etcd/a-small"), new byte[10]);
    free = 50_000;
    Optional<String> failed = run(17, BOOT1);
    assertTrue(failed.orElseThrow().contains("No space left on device"), failed.get());
    assertEquals(List.of(F + "_" + BOOT0), backups(), "the partial copy stays, and counts as existing next boot");
    assertFalse(Files.exists(paths.microshiftBackups().resolve(F + "_" + BOOT0 + "/etcd/db")));
  }
}
