package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkerFilesTest {
  static final String UID = "0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60";
  static final String COMMIT = "a".repeat(64);
  static final String BOOT = "3c9f5b0e-8a1d-4c2e-9f7a-6b5d4c3b2a19";

  @TempDir Path state;

  static final int OWNER = io.microshift.update.host.TestUid.CURRENT;

  @BeforeEach
  void mode() throws Exception {
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  static UpdateRequest request() {
    return new UpdateRequest(Markers.API_VERSION, new UpdateRequest.Plan("update-4-17-3", UID, 3), 7,
        UpdateRequest.Action.Apply, UpdateRequest.UpdateType.OSTREE, new UpdateRequest.From("4.17.1"),
        new UpdateRequest.Target("4.17.3", "rhel-edge:rhel/9/x86_64/edge", COMMIT, null), false,
        new UpdateRequest.Backup("upd-1", Markers.etcdSnapshotPath("upd-1"), 1024L, "b".repeat(64), 99L,
            Markers.dataPath("upd-1")), 600, 2,
        new UpdateRequest.Verification(7, BOOT, UpdateRequest.VerificationResult.Pending, "waiting", "2026-01-31T12:00:00Z"));
  }

  static HostStatus status() {
    return new HostStatus.Builder().request(new HostStatus.RequestRef(UID, 7))
        .type(UpdateRequest.UpdateType.OSTREE).fromVersion("4.17.1").targetVersion("4.17.3")
        .bootIdBefore(BOOT).deploymentBefore(COMMIT).backupId("upd-1")
        .build().transition(HostState.Staging, "staging", "2026-01-31T12:00:00Z");
  }

  /** The JSON tree of a valid request, changed by {@code edit}, as bytes. */
  static byte[] requestWith(Consumer<ObjectNode> edit) {
    ObjectNode n = MarkerCodec.MAPPER.valueToTree(request());
    edit.accept(n);
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  static List<String> requestProblems(Consumer<ObjectNode> edit) {
    return MarkerJson.problems(MarkerCodec.Kind.REQUEST, requestWith(edit));
  }

  @Test
  void roundTripsBothFilesAtomicallyWithMode0644() throws Exception {
    MarkerFiles.writeRequest(state, request());
    MarkerFiles.writeHostStatus(state, status(), CrashHook.NONE);
    assertEquals(request(), MarkerFiles.readRequest(state, OWNER).orElseThrow());
    assertEquals(status(), MarkerFiles.readHostStatus(state, OWNER).orElseThrow());
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(MarkerFiles.requestFile(state))));
    try (Stream<Path> s = Files.list(state)) {
      assertEquals(2, s.count(), "no temp files left");
    }
    assertTrue(MarkerFiles.readHostStatus(state.resolve("missing"), OWNER).isEmpty());
  }

  @Test
  void aCrashBeforeTheRenameLeavesTheOldFileWhole() throws Exception {
    MarkerFiles.writeRequest(state, request());
    byte[] before = Files.readAllBytes(MarkerFiles.requestFile(state));
    UpdateRequest cancel = request().withAction(UpdateRequest.Action.Cancel, 8);
    assertThrows(IllegalStateException.class, () -> MarkerFiles.writeRequest(state, cancel, p -> {
      throw new IllegalStateException("power cut at " + p);
    }));
    assertEquals(new String(before), Files.readString(MarkerFiles.requestFile(state)));
    MarkerFiles.writeRequest(state, cancel);
    assertEquals(UpdateRequest.Action.Cancel, MarkerFiles.readRequest(state, OWNER).orElseThrow().action());
    try (Stream<Path> s = Files.list(state)) {
      assertEquals(1, s.count(), "the stale temp file is cleaned up by the next write");
    }
  }

  @Test
  void refusesToWriteAnInvalidRequest() {
    UpdateRequest bad = new UpdateRequest(Markers.API_VERSION, new UpdateRequest.Plan("Bad_Name", "x", 0), 0,
        UpdateRequest.Action.Apply, UpdateRequest.UpdateType.RPM, new UpdateRequest.From("4.17.1"),
        new UpdateRequest.Target("4.17.3", null, null, List.of("--installroot=/tmp")), false,
        request().backup(), 5, 0, null);
    MarkerProblems p = assertThrows(MarkerProblems.class, () -> MarkerFiles.writeRequest(state, bad));
    assertTrue(p.problems().size() >= 6, p.getMessage());
    assertEquals(p.problems(), MarkerFiles.problems(bad));
    assertEquals(List.of(), MarkerFiles.problems(request()));
    assertFalse(Files.exists(MarkerFiles.requestFile(state)));
  }

  @Test
  void readerRefusesSymlinksOtherFileTypesOwnersModesAndSize() throws Exception {
    MarkerFiles.writeRequest(state, request());
    Path real = MarkerFiles.requestFile(state);
    Path other = state.resolve("elsewhere.json");
    Files.move(real, other);
    Files.createSymbolicLink(real, other);
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER), "is a symlink");
    Files.delete(real);

    Files.createDirectory(real);
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER), "not a regular file");
    Files.delete(real);

    Files.move(other, real);
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER + 4242), "expected uid " + (OWNER + 4242));
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw-r--"));
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER), "group- or world-writable");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER), "group- or world-writable");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));

    Files.write(real, new byte[Markers.MAX_FILE_BYTES + 1]);
    assertRefused(() -> MarkerFiles.readRequest(state, OWNER), "at most 65536 allowed");
  }

  private static void assertRefused(org.junit.jupiter.api.function.Executable e, String reason) {
    MarkerProblems p = assertThrows(MarkerProblems.class, e);
    assertTrue(p.getMessage().contains(reason), p.getMessage());
  }

  @Test
  void corruptFilesAreRefusedWithAClearMessage() {
    assertEquals(List.of("not a JSON object"), MarkerJson.problems(MarkerCodec.Kind.REQUEST, "[1]".getBytes()));
    assertTrue(MarkerJson.problems(MarkerCodec.Kind.REQUEST, "{\"apiVersion\":".getBytes()).get(0).startsWith("not valid JSON"));
    byte[] dup = "{\"apiVersion\":\"a\",\"apiVersion\":\"b\"}".getBytes();
    assertTrue(MarkerJson.problems(MarkerCodec.Kind.REQUEST, dup).get(0).contains("Duplicate field"));
    byte[] trailing = (new String(requestWith(n -> {})) + "{}").getBytes();
    assertTrue(MarkerJson.problems(MarkerCodec.Kind.REQUEST, trailing).get(0).startsWith("not valid JSON"));
  }

  @Test
  void hostileRequestFieldsAreEachReported() {
    List<String> p = requestProblems(n -> {
      n.put("apiVersion", "updates.microshift.io/marker/v2");
      n.put("extra", true);
      ((ObjectNode) n.get("plan")).put("uid", "../../etc");
      ((ObjectNode) n.get("target")).put("version", "4.17.3; reboot");
      ((ObjectNode) n.get("target")).put("ostreeRef", "--repo=/tmp/evil");
      ((ObjectNode) n.get("target")).put("ostreeCommit", "abc");
      ((ObjectNode) n.get("backup")).put("id", "../../../etc");
      ((ObjectNode) n.get("backup")).put("etcdSnapshotPath", "/etc/shadow");
      ((ObjectNode) n.get("target")).put("unknownNested", 1);
      n.put("action", "Destroy");
      n.put("healthCheckTimeoutSeconds", 999999);
      n.put("backupRetention", 0);
      ((ObjectNode) n.get("verification")).put("message", "line\u0007bell");
    });
    String all = String.join("\n", p);
    for (String expected : List.of("apiVersion: 'updates.microshift.io/marker/v2' is not one of",
        "extra: unknown field", "plan.uid: '../../etc' does not match", "target.version: '4.17.3; reboot' does not match",
        "target.ostreeRef: '--repo=/tmp/evil' does not match", "target.ostreeCommit: 'abc' does not match",
        "backup.id: '../../../etc' does not match", "target.unknownNested: unknown field",
        "action: 'Destroy' is not one of Prepare, Apply, Cancel", "healthCheckTimeoutSeconds: 999999 is outside 60..3600",
        "backupRetention: 0 is outside 1..10", "verification.message: contains control characters")) {
      assertTrue(all.contains(expected), "missing '" + expected + "' in:\n" + all);
    }
    assertTrue(requestProblems(n -> ((ObjectNode) n.get("backup")).put("etcdSnapshotPath", "/etc/shadow")).get(0)
        .contains("must be /var/lib/microshift-update/backups/upd-1/etcd.snapshot"));
    assertTrue(requestProblems(n -> ((ObjectNode) n.get("target")).put("ostreeRef", "rhel/a..b")).stream()
        .anyMatch(s -> s.contains("must not contain '..'")));
  }

  @Test
  void rpmPackagesAreWhitelistedAndMustIncludeTheTargetMicroShift() {
    Consumer<ObjectNode> rpm = n -> {
      n.put("type", "rpm");
      ObjectNode t = (ObjectNode) n.get("target");
      t.remove("ostreeRef");
      t.remove("ostreeCommit");
    };
    for (String hostile : List.of("--installroot=/", "/tmp/evil.rpm", "http://example.invalid/x.rpm", "a b", "$(id)", "")) {
      List<String> p = requestProblems(rpm.andThen(n -> ((ObjectNode) n.get("target")).putArray("packages")
          .add("microshift-4.17.3").add(hostile)));
      assertTrue(p.stream().anyMatch(s -> s.startsWith("target.packages[1]")), hostile + " -> " + p);
    }
    assertEquals(List.of(), requestProblems(rpm.andThen(n -> ((ObjectNode) n.get("target")).putArray("packages")
        .add("microshift-4.17.3-202410011234.p0.el9").add("microshift-networking-4.17.3"))));
    assertEquals(List.of("target.packages: must include microshift-4.17.3"), requestProblems(
        rpm.andThen(n -> ((ObjectNode) n.get("target")).putArray("packages").add("microshift-4.17.2"))));
    ArrayNode many = MarkerCodec.MAPPER.createArrayNode();
    for (int i = 0; i < 65; i++) {
      many.add("microshift-4.17.3");
    }
    assertTrue(requestProblems(rpm.andThen(n -> ((ObjectNode) n.get("target")).set("packages", many))).get(0)
        .contains("at most 64"));
  }

  @Test
  void versionJumpsFollowMicroShiftsRules() {
    assertTrue(Versions.refusal("4.17.1", "4.17.3", false, false).isEmpty());
    assertTrue(Versions.refusal("4.16.9", "4.18.0", false, false).isEmpty(), "EUS to EUS");
    assertTrue(Versions.refusal("4.14.2", "4.16.0", false, false).isEmpty(), "the 4.16 binary accepts 4.14 data");
    assertTrue(Versions.refusal("4.15.2", "4.17.0", false, false).orElseThrow().contains("spec.allowUnsupportedPath"));
    assertTrue(Versions.refusal("4.15.2", "4.17.0", false, true).isEmpty(), "opted in");
    assertTrue(Versions.refusal("4.16.2", "4.19.0", false, true).orElseThrow().contains("refuses data more than 2"));
    assertTrue(Versions.refusal("4.17.3", "4.17.1", false, false).orElseThrow().contains("allowDowngrade"));
    assertTrue(Versions.refusal("4.17.3", "4.17.1", true, false).isEmpty());
    assertTrue(Versions.refusal("4.17.3", "5.0.0", false, true).orElseThrow().contains("refuses data more than 2"));
    assertTrue(Versions.refusal("4.18.1", "4.17.9", true, true).orElseThrow().contains("cannot go back a minor"),
        "the same rules as the operator: allowDowngrade is for patches only");
    assertTrue(Versions.refusal("4.17.3", "4.17.3", false, false).orElseThrow().contains("nothing to update"));
  }

  @Test
  void theRequestCarriesAllowUnsupportedPathAndTheValidatorHonoursIt() {
    Consumer<ObjectNode> skip = n -> {
      ((ObjectNode) n.get("from")).put("version", "4.15.2");
      ((ObjectNode) n.get("target")).put("version", "4.17.0");
    };
    assertTrue(requestProblems(skip).stream().anyMatch(p -> p.startsWith("target.version:")
        && p.contains("set spec.allowUnsupportedPath: true")), requestProblems(skip).toString());
    assertEquals(List.of(), requestProblems(skip.andThen(n -> n.put("allowUnsupportedPath", true))));
    assertEquals(List.of("allowUnsupportedPath: must be true or false"),
        requestProblems(n -> n.put("allowUnsupportedPath", "yes")));
    assertEquals(List.of(), requestProblems(n -> n.remove("allowUnsupportedPath")),
        "a request written before the field existed still reads");

    UpdateRequest r = request();
    UpdateRequest optedIn = new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(),
        r.from(), r.target(), false, r.backup(), 600, 2, r.verification(), true, false);
    UpdateRequest back = MarkerJson.parseRequest(MarkerCodec.MAPPER.valueToTree(optedIn).toString()
        .getBytes(StandardCharsets.UTF_8), "request.json");
    assertTrue(back.allowUnsupportedPath());
    assertTrue(back.withAction(UpdateRequest.Action.Cancel, 8).allowUnsupportedPath());
    assertFalse(request().allowUnsupportedPath());
  }

  @Test
  void hostStatusIsValidatedAndItsHistoryIsBounded() {
    HostStatus s = status();
    for (int i = 0; i < 120; i++) {
      s = s.transition(HostState.Booted, "boot " + i, "2026-01-31T12:00:00Z");
    }
    assertEquals(Markers.MAX_HISTORY, s.history().size());
    HostStatus huge = s;
    for (int i = 0; i < 60; i++) {
      huge = huge.transition(HostState.Unhealthy, "\u4e2d\u0085\u0007".repeat(2000), "2026-01-31T12:00:00Z");
    }
    MarkerFiles.writeHostStatus(state, huge, CrashHook.NONE); // worst case still fits in 64 KiB and validates
    assertTrue(MarkerFiles.readHostStatus(state, OWNER).orElseThrow().message().length() <= Markers.MAX_MESSAGE_CHARS);
    assertEquals("boot 119", s.history().get(Markers.MAX_HISTORY - 1).message());
    MarkerFiles.writeHostStatus(state, s, CrashHook.NONE);
    assertEquals(s, MarkerFiles.readHostStatus(state, OWNER).orElseThrow());

    ObjectNode n = MarkerCodec.MAPPER.valueToTree(status());
    n.put("state", "Exploded");
    n.put("failedDataPath", "/etc");
    n.put("greenbootAttempts", -1);
    n.put("updatedAt", "yesterday");
    ((ArrayNode) n.get("history")).addObject().put("state", "Booted").put("time", "2026-01-31T12:00:00Z").put("x", 1);
    List<String> p = MarkerJson.problems(MarkerCodec.Kind.HOST_STATUS, n.toString().getBytes());
    String all = String.join("\n", p);
    for (String expected : List.of("state: 'Exploded' is not one of", "failedDataPath: '/etc' does not match",
        "greenbootAttempts: -1 is outside", "updatedAt: 'yesterday' is not an RFC 3339", "history[1].x: unknown field")) {
      assertTrue(all.contains(expected), "missing '" + expected + "' in:\n" + all);
    }
  }

  /**
   * A reader racing the writer's atomic renames never sees a torn file, nor any refusal but the
   * reader's own "replaced while being read ... retry later" (its bounded retries all lost the
   * race), which tells the caller to read again. The writer replaces the file with hardly a pause
   * (far more often than the operator and the agent ever do), so on a loaded machine a reader
   * preempted mid-read may lose 20 rounds in a row: that answer is counted, not failed, and at
   * least one read in two must succeed at once.
   */
  @Test
  void aReaderRacingTheWritersAtomicRenamesNeverSeesATornOrRefusedFile() throws Exception {
    MarkerFiles.writeRequest(state, request());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread writer = new Thread(() -> {
      for (long seq = 8; !stop.get(); seq++) {
        MarkerFiles.writeRequest(state, request().withAction(UpdateRequest.Action.Apply, seq));
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      }
    });
    writer.start();
    int reads = 2000;
    int retryLater = 0;
    try {
      for (int i = 0; i < reads; i++) {
        try {
          assertEquals(UID, MarkerFiles.readRequest(state, OWNER).orElseThrow().plan().uid());
        } catch (MarkerProblems e) {
          if (e.problems().size() != 1 || !e.problems().get(0).contains("was replaced while being read")) {
            throw e;
          }
          retryLater++;
        }
      }
    } finally {
      stop.set(true);
      writer.join();
    }
    assertTrue(retryLater <= reads / 2, retryLater + " of " + reads + " reads lost every retry");
  }
}
