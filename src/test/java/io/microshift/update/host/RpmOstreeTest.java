package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real host's view of deployments (rpm-ostree status --json and the ostree= kernel argument)
 * and the exact argv of every other {@link RpmOstree} call, checked against coreos/rpm-ostree
 * src/app: rpmostree-builtin-rebase.cxx ("REFSPEC [REVISION]"), rpmostree-builtin-deploy.cxx
 * ("REVISION"), both with the options "lock-finalization" and "bypass-driver";
 * rpmostree-builtin-finalize-deployment.cxx ("CHECKSUM", "allow-unlocked"); rpmostree-builtin-cleanup.cxx
 * ("pending"); rpmostree-builtin-rollback.cxx; and ostreedev/ostree src/ostree/ot-builtin-cat.c
 * ({@code ostree cat COMMIT PATH}, with the global --repo=PATH).
 */
class RpmOstreeTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);

  @TempDir Path root;

  private final List<List<String>> calls = new ArrayList<>();

  private RpmOstree with(String json) {
    return new RpmOstree(argv -> {
      calls.add(argv);
      return new CommandRunner.Result(0, json, "");
    }, new HostPaths(root));
  }

  @Test
  void parsesDeploymentsInBootOrder() {
    RpmOstree ro = with("{\"deployments\":[{\"checksum\":\"" + B + "\",\"origin\":\"edge:rhel/9/x86_64/edge\",\"staged\":true},"
        + "{\"checksum\":\"" + A + "\",\"booted\":true,\"origin\":\"edge:rhel/9/x86_64/edge\"}]}");
    assertEquals(Optional.of(new RpmOstree.Deployment(B, false, true, "edge:rhel/9/x86_64/edge")), ro.pending());
    assertEquals(Optional.of(A), ro.bootedChecksum());
    assertEquals(List.of("rpm-ostree", "status", "--json"), calls.get(0));
  }

  @Test
  void noPendingWhenTheBootedOneIsFirst() {
    assertTrue(with("{\"deployments\":[{\"checksum\":\"" + A + "\",\"booted\":true}]}").pending().isEmpty());
  }

  @Test
  void refusesAnUnexpectedChecksum() {
    assertThrows(HostException.class, () -> with("{\"deployments\":[{\"checksum\":\"; rm -rf /\"}]}").deployments());
  }

  @Test
  void crossChecksTheKernelArgument() throws Exception {
    Path deploy = root.resolve("sysroot/ostree/deploy/rhel/deploy/" + B + ".0");
    Files.createDirectories(deploy);
    Path boot = root.resolve("sysroot/ostree/boot.1/rhel/c0ffee/0");
    Files.createDirectories(boot.getParent());
    Files.createSymbolicLink(boot, deploy);
    Files.createDirectories(root.resolve("proc"));
    Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/vmlinuz ostree=/ostree/boot.1/rhel/c0ffee/0 rw\n");
    RpmOstree karg = with("{\"deployments\":[]}");
    assertEquals(Optional.of(B), karg.bootedChecksum());
    RpmOstree disagreeing = with("{\"deployments\":[{\"checksum\":\"" + A + "\",\"booted\":true}]}");
    HostException e = assertThrows(HostException.class, disagreeing::bootedChecksum);
    assertTrue(e.getMessage().contains("ostree= kernel argument points at " + B), e.getMessage());
  }

  /**
   * rpm-ostree since v2024.6 stages a locked deployment through ostree's staged metadata and
   * status --json reports no finalization-locked for it; ostree admin status does (ostreedev/ostree
   * src/ostree/ot-admin-builtin-status.c, deployment_print_status). The legacy report still counts.
   */
  @Test
  void theLockIsReadFromOstreeAdminStatusWhenRpmOstreeDoesNotReportIt() {
    String adminStatus = "  rhel " + B + ".0 (finalization locked)\n    Version: 9.4\n"
        + "    origin refspec: edge:rhel/9/x86_64/edge\n* rhel " + A + ".0\n    Version: 9.4\n";
    List<List<String>> seen = new ArrayList<>();
    RpmOstree ro = new RpmOstree(argv -> {
      seen.add(argv);
      return new CommandRunner.Result(0, adminStatus, "");
    }, new HostPaths(root));
    RpmOstree.Deployment staged = new RpmOstree.Deployment(B, false, true, "edge:rhel/9/x86_64/edge");
    assertTrue(ro.finalizationLocked(staged));
    assertEquals(List.of(List.of("ostree", "admin", "status")), seen, "the default sysroot: the booted root");
    assertFalse(ro.finalizationLocked(new RpmOstree.Deployment(A, false, true, "edge:x")), "another deployment");
    assertFalse(RpmOstree.ostreeAdminStatusSaysLocked("  rhel " + B + ".0 (staged)\n* rhel " + A + ".0\n", B));
    assertFalse(RpmOstree.ostreeAdminStatusSaysLocked("  rhel " + B.substring(1) + "0.0 (finalization locked)\n", B));
    RpmOstree failing = new RpmOstree(argv -> new CommandRunner.Result(1, "", "error: not an ostree system\n"), new HostPaths(root));
    assertFalse(failing.finalizationLocked(staged));
    assertTrue(failing.finalizationLocked(new RpmOstree.Deployment(B, false, true, "edge:x", B, null, true)),
        "the legacy lock file that rpm-ostree before v2024.6 made, reported by status --json");
  }

  private final RecordingRunner runner = new RecordingRunner();

  private RpmOstree recording() {
    return new RpmOstree(runner, new HostPaths(root));
  }

  @Test
  void stagesARefAtACommitWithItsFinalizationLocked() {
    String command = recording().stageLocked("rhel/9/x86_64/edge", A, false);
    assertEquals(List.of(List.of("rpm-ostree", "rebase", "rhel/9/x86_64/edge", A, "--lock-finalization")), runner.calls);
    assertEquals("rpm-ostree rebase rhel/9/x86_64/edge " + A + " --lock-finalization", command);
  }

  @Test
  void stagesARefAloneAndBypassesTheDriverWhenAsked() {
    recording().stageLocked("edge:rhel/9/x86_64/edge", null, true);
    assertEquals(List.of(List.of("rpm-ostree", "rebase", "edge:rhel/9/x86_64/edge", "--lock-finalization",
        "--bypass-driver")), runner.calls);
  }

  @Test
  void deploysACommitWithoutARef() {
    recording().stageLocked(null, B, false);
    assertEquals(List.of(List.of("rpm-ostree", "deploy", B, "--lock-finalization")), runner.calls);
  }

  @Test
  void finalizesCleansUpAndRollsBack() {
    RpmOstree ro = recording();
    ro.finalizeDeployment(B);
    ro.cleanupPending();
    ro.rollback();
    assertEquals(List.of(
        List.of("rpm-ostree", "finalize-deployment", "--allow-unlocked", B),
        List.of("rpm-ostree", "cleanup", "--pending"),
        List.of("rpm-ostree", "rollback")), runner.calls);
  }

  @Test
  void aRefusedStagingThrowsWithRpmOstreesReason() {
    runner.answer(1, "", "error: Transaction in progress: upgrade\n");
    HostException e = assertThrows(HostException.class, () -> recording().stageLocked(null, B, false));
    assertEquals("rpm-ostree deploy " + B + " --lock-finalization failed with exit code 1: error: Transaction in"
        + " progress: upgrade", e.getMessage());
  }

  @Test
  void catsAFileOfACommitFromTheSysrootRepository() {
    runner.answer(0, "[]", "").answer(1, "", "error: No such file or directory: usr/x\n");
    RpmOstree ro = recording();
    assertEquals(Optional.of("[]"), ro.cat(B, "/usr/lib/containers/storage/overlay-images/images.json"));
    assertEquals(Optional.empty(), ro.cat(B, "/usr/x"));
    assertEquals(List.of("ostree", "cat", "--repo=" + root.resolve("sysroot/ostree/repo"), B,
        "/usr/lib/containers/storage/overlay-images/images.json"), runner.calls.get(0));
  }

  @Test
  void aCommitThatCannotBeReadIsAnError() {
    runner.answer(1, "", "error: No such metadata object " + B + ".commit\n");
    HostException e = assertThrows(HostException.class, () -> recording().cat(B, "/usr/x"));
    assertTrue(e.getMessage().contains("ostree cat exited 1: error: No such metadata object"), e.getMessage());
  }
}
