package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerCodec;
import io.microshift.update.marker.MarkerJson;
import io.microshift.update.marker.MarkerFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code microshift-update apply} against a hostile or corrupt request.json, end to end through
 * {@link HostCli}: exit code 1, the reason in the log, and the device untouched (nothing staged,
 * no reboot, MicroShift running, data dir and backup set unchanged). Refusals of a file that is
 * unsafe or not valid run no command at all, not even a query.
 */
class HostileRequestApplyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** Prepares a hostile request.json (or state) on a simulated host. */
  interface Hostile {
    void apply(TestHost h) throws Exception;
  }

  record Run(int exit, String log) {}

  static Run apply(TestHost h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> HostCli.run(new String[] {
        "--root", h.root.toString(), "--booted-deployment-file", h.bootedFile.toString(),
        "--marker-owner", Integer.toString(TestHost.UID), "apply"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        h.runner, CrashHook.NONE));
    return new Run(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  static Path requestFile(TestHost h) {
    return MarkerFiles.requestFile(h.paths.stateDir());
  }

  static void writeRaw(TestHost h, byte[] bytes) throws Exception {
    Files.deleteIfExists(requestFile(h));
    Files.write(requestFile(h), bytes);
    Files.setPosixFilePermissions(requestFile(h), PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** The valid request of {@code h}, edited as a JSON tree (no validation on the way). */
  static void writeEdited(TestHost h, Consumer<ObjectNode> edit) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(MarkerJson.serialize(MarkerCodec.Kind.REQUEST, h.request()));
    edit.accept(n);
    writeRaw(h, n.toString().getBytes(StandardCharsets.UTF_8));
  }

  static ObjectNode o(ObjectNode n, String field) {
    return (ObjectNode) n.get(field);
  }

  static Stream<Arguments> refusedFiles() {
    return Stream.of(
        Arguments.of("symlink to /etc/shadow", (Hostile) h -> Files.createSymbolicLink(requestFile(h), Path.of("/etc/shadow")),
            "is a symlink"),
        Arguments.of("hard link to a valid request", (Hostile) h -> {
          Path other = h.paths.stateDir().resolve("copy.json");
          Files.write(other, MarkerJson.serialize(MarkerCodec.Kind.REQUEST, h.request()));
          Files.createLink(requestFile(h), other);
        }, "hard links"),
        Arguments.of("FIFO", (Hostile) h -> {
          Process p = new ProcessBuilder("mkfifo", requestFile(h).toString()).start();
          assertEquals(0, p.waitFor());
        }, "not a regular file"),
        Arguments.of("directory", (Hostile) h -> Files.createDirectory(requestFile(h)), "not a regular file"),
        Arguments.of("world-writable file", (Hostile) h -> {
          h.writeRequest(h.request());
          Files.setPosixFilePermissions(requestFile(h), PosixFilePermissions.fromString("rw-rw-rw-"));
        }, "group- or world-writable"),
        Arguments.of("world-writable state dir", (Hostile) h -> {
          h.writeRequest(h.request());
          Files.setPosixFilePermissions(h.paths.stateDir(), PosixFilePermissions.fromString("rwxrwxrwx"));
        }, "group- or world-writable"),
        Arguments.of("100 MB file", (Hostile) h -> {
          try (RandomAccessFile f = new RandomAccessFile(requestFile(h).toFile(), "rw")) {
            f.setLength(100L * 1024 * 1024);
          }
        }, "at most 65536 allowed"),
        Arguments.of("0 bytes", (Hostile) h -> writeRaw(h, new byte[0]), "empty file"),
        Arguments.of("truncated", (Hostile) h -> writeRaw(h, "{\"apiVersion\":\"updates.micro".getBytes()), "not valid JSON"),
        Arguments.of("trailing garbage", (Hostile) h -> writeRaw(h,
            (new String(MarkerJson.serialize(MarkerCodec.Kind.REQUEST, h.request())) + "}rm -rf /").getBytes()), "not valid JSON"),
        Arguments.of("UTF-16", (Hostile) h -> writeRaw(h, new String(MarkerJson.serialize(MarkerCodec.Kind.REQUEST,
            h.request())).getBytes(StandardCharsets.UTF_16LE)), "NUL byte"),
        Arguments.of("UTF-8 BOM", (Hostile) h -> writeRaw(h, ("\ufeff" + new String(MarkerJson.serialize(
            MarkerCodec.Kind.REQUEST, h.request()))).getBytes(StandardCharsets.UTF_8)), "byte order mark"),
        Arguments.of("top level array", (Hostile) h -> writeRaw(h, "[{}]".getBytes()), "not a JSON object"),
        Arguments.of("deep nesting", (Hostile) h -> writeRaw(h, "[".repeat(100_000).getBytes()), "at most 65536"),
        Arguments.of("duplicate key", (Hostile) h -> writeRaw(h, new String(MarkerJson.serialize(MarkerCodec.Kind.REQUEST,
            h.request())).replaceFirst("\"action\" : \"Apply\"", "\"action\" : \"Cancel\", \"action\" : \"Apply\"").getBytes()),
            "Duplicate field 'action'"),
        Arguments.of("unknown field", (Hostile) h -> writeEdited(h, n -> n.put("runAfter", "curl x|sh")), "runAfter: unknown field"),
        Arguments.of("future apiVersion", (Hostile) h -> writeEdited(h, n -> n.put("apiVersion", "updates.microshift.io/marker/v2")),
            "reads marker v1 only"),
        Arguments.of("sequence as string", (Hostile) h -> writeEdited(h, n -> n.put("sequence", "1")), "sequence: must be an integer"),
        Arguments.of("missing backup", (Hostile) h -> writeEdited(h, n -> n.remove("backup")), "backup: required"),
        Arguments.of("option injection in the ref", (Hostile) h -> writeEdited(h, n -> o(n, "target").put("ostreeRef", "--sysroot=/")),
            "target.ostreeRef: '--sysroot=/' does not match"),
        Arguments.of("option injection in the commit", (Hostile) h -> writeEdited(h, n -> o(n, "target").put("ostreeCommit", "-h")),
            "target.ostreeCommit: '-h' does not match"),
        Arguments.of("shell in the version", (Hostile) h -> writeEdited(h, n -> o(n, "target").put("version", "4.17.3;reboot")),
            "target.version: '4.17.3;reboot' does not match"),
        Arguments.of("newline in the ref", (Hostile) h -> writeEdited(h, n -> o(n, "target").put("ostreeRef", "rhel\n--x")),
            "target.ostreeRef: 'rhel?--x' does not match"),
        Arguments.of("backup id outside the backups dir", (Hostile) h -> writeEdited(h, n -> o(n, "backup").put("id", "../../../etc")),
            "backup.id: '../../../etc' does not match"),
        Arguments.of("absolute snapshot path", (Hostile) h -> writeEdited(h, n -> o(n, "backup").put("etcdSnapshotPath", "/etc/shadow")),
            "backup.etcdSnapshotPath: must be"),
        Arguments.of("same version", (Hostile) h -> writeEdited(h, n -> o(n, "target").put("version", TestHost.FROM)),
            "target.version:"),
        Arguments.of("downgrade", (Hostile) h -> writeEdited(h, n -> {
          o(n, "from").put("version", "4.17.5");
          o(n, "target").put("version", "4.17.3");
        }), "set spec.allowDowngrade"),
        Arguments.of("far-future verification time", (Hostile) h -> writeEdited(h, n -> n.putObject("verification")
            .put("sequence", 1).put("bootId", "3c9f5b0e-8a1d-4c2e-9f7a-6b5d4c3b2a19").put("result", "Passed")
            .put("time", "+999999999-12-31T23:59:59Z")), "verification.time:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedFiles")
  void aRefusedRequestFileRunsNothingAndExits1(String name, Hostile hostile, String reason) throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> data = TestHost.digest(h.paths.microshiftData());
    Map<String, String> backups = TestHost.digest(h.ctx().backups().backupsDir());
    hostile.apply(h);
    Run run = apply(h);
    assertEquals(1, run.exit, name + ": " + run.log);
    assertTrue(run.log.contains(reason), name + ": " + run.log);
    assertFalse(run.log.contains("root:"), "never echoes another file");
    assertEquals(List.of(), h.runner.calls(), name + ": nothing ran, not even a query");
    assertUntouched(h, data, backups);
  }

  static Stream<Arguments> inconsistentHosts() {
    return Stream.of(
        Arguments.of("backup set missing", (Hostile) h -> io.microshift.update.backup.FileTrees.delete(
            h.ctx().backups().dir(TestHost.BACKUP_ID)), "is not complete"),
        Arguments.of("manifest missing", (Hostile) h -> Files.delete(h.ctx().backups().manifest(TestHost.BACKUP_ID)),
            "is not complete"),
        Arguments.of("snapshot missing", (Hostile) h -> Files.delete(h.ctx().backups().etcdSnapshot(TestHost.BACKUP_ID)),
            "has no etcd.snapshot"),
        Arguments.of("snapshot is a symlink", (Hostile) h -> {
          Path snap = h.ctx().backups().etcdSnapshot(TestHost.BACKUP_ID);
          Path elsewhere = h.root.resolve("elsewhere");
          Files.move(snap, elsewhere);
          Files.createSymbolicLink(snap, elsewhere);
        }, "has no etcd.snapshot"),
        Arguments.of("snapshot of another size", (Hostile) h -> Files.writeString(
            h.ctx().backups().etcdSnapshot(TestHost.BACKUP_ID), "x"), "bytes, request says"),
        Arguments.of("snapshot replaced (same size)", (Hostile) h -> Files.writeString(
            h.ctx().backups().etcdSnapshot(TestHost.BACKUP_ID), "ETCD SNAPSHOT BYTES"), "has sha256"),
        Arguments.of("sha256 file disagrees", (Hostile) h -> Files.writeString(
            h.ctx().backups().etcdSnapshotSha256(TestHost.BACKUP_ID), "0".repeat(64) + "  etcd.snapshot\n"),
            "does not record the request's sha256"),
        Arguments.of("backup set is a symlink", (Hostile) h -> {
          Path set = h.ctx().backups().dir(TestHost.BACKUP_ID);
          Path elsewhere = h.root.resolve("elsewhere-set");
          Files.move(set, elsewhere);
          Files.createSymbolicLink(set, elsewhere);
        }, "must be a real directory, not a symlink"),
        Arguments.of("backups dir is a symlink", (Hostile) h -> {
          Path dir = h.ctx().backups().backupsDir();
          Path elsewhere = h.root.resolve("elsewhere-backups");
          Files.move(dir, elsewhere);
          Files.createSymbolicLink(dir, elsewhere);
        }, "must be a real directory, not a symlink"),
        Arguments.of("another update in flight", (Hostile) h -> MarkerFiles.writeHostStatus(h.paths.stateDir(),
            new HostStatus.Builder().request(new HostStatus.RequestRef("11111111-2222-4333-8444-555555555555", 9))
                .state(HostState.Staging).build().transition(HostState.Staged, "staged", "2026-01-31T11:00:00Z"), CrashHook.NONE),
            "is in state Staged; refusing to start a new one"),
        Arguments.of("installed version differs", (Hostile) h -> Files.writeString(h.paths.microshiftVersionFile(), "4.17.2\n"),
            "installed MicroShift is 4.17.2 but the request is from 4.17.1"),
        // MicroShift writes Major.Minor.Patch only and refuses anything else there
        // (pkg/admin/prerun/version.go, versionMetadataFromString): not a version it ran
        Arguments.of("version file with a pre-release suffix MicroShift never writes",
            (Hostile) h -> Files.writeString(h.paths.microshiftVersionFile(), "4.17.1-rc.1\n"),
            "cannot read the installed MicroShift version"),
        Arguments.of("version file with a build suffix MicroShift never writes",
            (Hostile) h -> Files.writeString(h.paths.microshiftVersionFile(), "{\"version\":\"4.17.1+build.7\"}"),
            "cannot read the installed MicroShift version"),
        Arguments.of("from-version is a pre-release of another patch",
            (Hostile) h -> writeEdited(h, n -> o(n, "from").put("version", "4.17.2-rc.1")),
            "installed MicroShift is 4.17.1 but the request is from 4.17.2-rc.1 (whose version file says 4.17.2)"),
        Arguments.of("no version file", (Hostile) h -> Files.delete(h.paths.microshiftVersionFile()),
            "cannot read the installed MicroShift version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inconsistentHosts")
  void aRequestThatDoesNotMatchTheHostIsRefusedAndRecorded(String name, Hostile hostile, String reason) throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    hostile.apply(h);
    Map<String, String> data = TestHost.digest(h.paths.microshiftData());
    Map<String, String> backups = Files.isDirectory(h.ctx().backups().backupsDir())
        ? TestHost.digest(h.ctx().backups().backupsDir()) : Map.of();
    HostStatus before = h.statusIfAny().orElse(null);
    Run run = apply(h);
    assertEquals(1, run.exit, name + ": " + run.log);
    assertTrue(run.log.contains(reason), name + ": " + run.log);
    HostStatus s = h.status();
    if (before == null) {
      assertEquals(HostState.Failed, s.state(), name);
      assertTrue(s.message().contains(reason), s.message());
      assertEquals(TestHost.PLAN_UID, s.request().uid(), "recorded against the request");
    } else {
      assertEquals(before, s, "the update in flight is not overwritten");
    }
    assertEquals(List.of(), h.runner.actions(), name + ": only queries ran");
    assertUntouched(h, data, backups);
  }

  /**
   * A pre-release build writes Major.Minor.Patch in the version file (openshift/microshift Makefile,
   * PATCH; pkg/admin/prerun/version.go, versionMetadata) while kube-public/microshift-version, which
   * the operator reads the from-version from, carries the whole version: the two agree.
   */
  @org.junit.jupiter.api.Test
  void aPreReleaseFromVersionMatchesTheMajorMinorPatchItsVersionFileHolds() throws Exception {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    writeEdited(h, n -> o(n, "from").put("version", "4.17.1-ec.3"));
    Run run = apply(h);
    assertEquals(0, run.exit, run.log);
    assertEquals("4.17.1-ec.3", h.status().fromVersion());
    assertEquals(HostState.Rebooting, h.status().state(), run.log);
  }

  @org.junit.jupiter.api.Test
  void aRefusedOlderRequestNeverOverwritesTheRecordedOutcome() throws Exception {
    TestHost h = new TestHost(root, true);
    HostStatus outcome = new HostStatus.Builder().request(new HostStatus.RequestRef(TestHost.PLAN_UID, 5))
        .build().transition(HostState.Failed, "cancelled by request sequence 5", "2026-01-31T11:00:00Z");
    MarkerFiles.writeHostStatus(h.paths.stateDir(), outcome, CrashHook.NONE);
    writeEdited(h, n -> n.put("sequence", 3).put("extra", 1)); // an old request, corrupt
    Run run = apply(h);
    assertEquals(1, run.exit, run.log);
    assertTrue(run.log.contains("extra: unknown field"), run.log);
    assertEquals(outcome, h.status(), "the outcome of sequence 5 stays");

    writeEdited(h, n -> n.put("sequence", 6).put("extra", 1)); // a newer one is answered
    assertEquals(1, apply(h).exit);
    assertEquals(6, h.status().request().sequence());
    assertTrue(h.status().message().startsWith("request.json refused: extra: unknown field"), h.status().message());
    assertEquals(List.of(), h.runner.calls());
  }

  @ParameterizedTest(name = "ostree host: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void requestValuesReachTheHostsCommandsAsSingleArgvElementsNeverThroughAShell(boolean ostree) {
    TestHost h = new TestHost(root, ostree);
    h.writeRequest(h.request());
    Run run = apply(h);
    assertEquals(0, run.exit, run.log);
    List<String> fromRequest = new java.util.ArrayList<>();
    if (ostree) {
      fromRequest.add(h.request().target().ostreeRef());
      fromRequest.add(h.request().target().ostreeCommit());
      assertTrue(h.runner.calls().contains(List.of("rpm-ostree", "rebase", TestHost.REF_TARGET, h.commitTarget,
          "--lock-finalization")),
          h.runner.calls().toString());
    } else {
      fromRequest.addAll(h.request().target().packages());
      List<String> install = new java.util.ArrayList<>(List.of("dnf", "install", "-y"));
      install.addAll(h.request().target().packages());
      assertTrue(h.runner.calls().contains(install), h.runner.calls().toString());
    }
    for (List<String> argv : h.runner.calls()) {
      assertFalse(List.of("sh", "bash", "/bin/sh", "/bin/bash", "env").contains(argv.get(0)), "no shell: " + argv);
      assertFalse(argv.contains("-c"), "no shell string: " + argv);
      for (String arg : argv) {
        assertFalse(arg.contains(" ") && fromRequest.stream().anyMatch(arg::contains),
            "a request value is never joined into a larger string: " + argv);
      }
    }
    assertTrue(fromRequest.stream().noneMatch(v -> v.startsWith("-")));
  }

  @org.junit.jupiter.api.Test
  void validateRefusesAHugeFileOrAFifoWithoutReadingOrBlocking() throws Exception {
    Path huge = root.resolve("request.json");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(100L * 1024 * 1024);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(1, new ValidateCommand().run(huge, new PrintStream(out, true, StandardCharsets.UTF_8)));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("is 104857600 bytes, at most 65536 allowed"), out.toString());

    Path fifo = root.resolve("fifo.json");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    assertEquals(1, assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> new ValidateCommand().run(fifo, new PrintStream(out2, true, StandardCharsets.UTF_8))));
    assertTrue(out2.toString(StandardCharsets.UTF_8).contains("not a regular file"), out2.toString());
  }

  @org.junit.jupiter.api.Test
  void aValidRequestOlderThanTheRecordedOutcomeIsRefused() throws Exception {
    TestHost h = new TestHost(root, true);
    Map<String, String> data = TestHost.digest(h.paths.microshiftData());
    HostStatus claimed = new HostStatus.Builder().request(new HostStatus.RequestRef(TestHost.PLAN_UID, 99))
        .state(HostState.Healthy).build().transition(HostState.Committed, "done", "2026-01-31T11:00:00Z");
    MarkerFiles.writeHostStatus(h.paths.stateDir(), claimed, CrashHook.NONE);
    h.writeRequest(h.request()); // sequence 1
    Map<String, String> backups = TestHost.digest(h.ctx().backups().backupsDir());
    Run run = apply(h);
    assertEquals(1, run.exit, run.log);
    assertTrue(run.log.contains("sequence: 1 is older than sequence 99 in host-status.json"), run.log);
    assertEquals(claimed, h.status());
    assertEquals(List.of(), h.runner.calls());
    assertUntouched(h, data, backups);
  }

  private static void assertUntouched(TestHost h, Map<String, String> data, Map<String, String> backups) {
    assertTrue(h.microshiftActive, "MicroShift still runs");
    assertFalse(h.rebootRequested, "no reboot");
    assertEquals(1, h.ostreeSysroot.deployments().size(), "nothing staged");
    assertEquals(data, TestHost.digest(h.paths.microshiftData()), "data dir unchanged");
    if (!backups.isEmpty()) {
      assertEquals(backups, TestHost.digest(h.ctx().backups().backupsDir()), "backup sets unchanged");
    }
  }
}
