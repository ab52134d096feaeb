package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An attacker who can write into the state dir (a compromised operator pod) or a corrupt disk:
 * every hostile request.json or host-status.json is refused, with a message naming the file or
 * field, before anything acts on it. See docs/marker.md, "What the agent refuses".
 */
class HostileMarkerTest {
  static final int OWNER = io.microshift.update.host.TestUid.CURRENT;

  @TempDir Path state;

  @BeforeEach
  void mode() throws Exception {
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Path request() {
    return MarkerFiles.requestFile(state);
  }

  private static String refusal(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(MarkerProblems.class, e).getMessage();
  }

  // ---------- the file itself ----------

  /** Sets up an unsafe request.json (or state dir) under the state dir. */
  interface Setup {
    void apply(Path state, Path request) throws Exception;
  }

  static Stream<Arguments> unsafeFiles() {
    return Stream.of(
        Arguments.of("symlink to /etc/shadow", (Setup) (s, r) -> Files.createSymbolicLink(r, Path.of("/etc/shadow")),
            "is a symlink"),
        Arguments.of("symlink to a valid file", (Setup) (s, r) -> {
          Path other = s.resolve("other.json");
          Files.write(other, MarkerJson.serialize(MarkerCodec.Kind.REQUEST, MarkerFilesTest.request()));
          Files.createSymbolicLink(r, other);
        }, "is a symlink"),
        Arguments.of("symlink to a dir", (Setup) (s, r) -> Files.createSymbolicLink(r, Path.of("/etc")), "is a symlink"),
        Arguments.of("dangling symlink", (Setup) (s, r) -> Files.createSymbolicLink(r, s.resolve("nowhere")),
            "is a symlink"),
        Arguments.of("hard link", (Setup) (s, r) -> {
          Path other = s.resolve("other.json");
          Files.write(other, MarkerJson.serialize(MarkerCodec.Kind.REQUEST, MarkerFilesTest.request()));
          Files.createLink(r, other);
        }, "hard links"),
        Arguments.of("FIFO", (Setup) (s, r) -> mkfifo(r), "not a regular file"),
        Arguments.of("directory", (Setup) (s, r) -> Files.createDirectory(r), "not a regular file"),
        Arguments.of("group-writable", (Setup) (s, r) -> writeValid(r, "rw-rw-r--"), "group- or world-writable"),
        Arguments.of("world-writable", (Setup) (s, r) -> writeValid(r, "rw-r--rw-"), "group- or world-writable"),
        Arguments.of("world-writable state dir", (Setup) (s, r) -> {
          writeValid(r, "rw-r--r--");
          Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxrwxrwx"));
        }, "group- or world-writable"),
        Arguments.of("100 MB sparse file", (Setup) (s, r) -> {
          try (RandomAccessFile f = new RandomAccessFile(r.toFile(), "rw")) {
            f.setLength(100L * 1024 * 1024);
          }
        }, "at most 65536 allowed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsafeFiles")
  void unsafeFilesAreRefusedWithoutBlockingOrReadingThem(String name, Setup setup, String reason) throws Exception {
    setup.apply(state, request());
    String m = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> refusal(() -> MarkerFiles.readRequest(state, OWNER)), name + " must not block");
    assertTrue(m.contains(reason), m);
    assertTrue(m.contains(request().toString()) || m.contains(state.toString()), "names the file: " + m);
    assertFalse(m.contains("root:"), "never echoes another file's content: " + m);
  }

  @Test
  void aFifoRenamedOverTheFileAfterItsChecksNeverBlocksTheReader() throws Exception {
    writeValid(request(), "rw-r--r--");
    Path fifo = state.resolve(".fifo");
    java.util.concurrent.atomic.AtomicBoolean swapped = new java.util.concurrent.atomic.AtomicBoolean();
    MarkerReader reader = new MarkerReader(OWNER, () -> {
      if (swapped.compareAndSet(false, true)) { // the worst moment: checked, not yet opened
        try {
          mkfifo(fifo);
          Files.move(fifo, request(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    try {
      long start = System.nanoTime();
      String m = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> refusal(() -> reader.readRequest(request())), "the reader must not block on a FIFO");
      assertTrue(swapped.get(), "the FIFO was swapped in");
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "refused within the bound");
      assertTrue(m.contains(request().toString()), "names the file: " + m);
      assertTrue(m.contains("not a regular file"), m);
    } finally {
      unblock(request());
    }
  }

  @Test
  void aFifoHeldOpenByAWriterThatNeverWritesIsRefusedWithinTheBound() throws Exception {
    writeValid(request(), "rw-r--r--");
    Path fifo = state.resolve(".fifo");
    mkfifo(fifo);
    // a writer holds the FIFO open: the reader's open succeeds at once, its read would wait forever
    try (var holder = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.util.concurrent.atomic.AtomicBoolean swapped = new java.util.concurrent.atomic.AtomicBoolean();
      MarkerReader reader = new MarkerReader(OWNER, () -> {
        if (swapped.compareAndSet(false, true)) {
          try {
            Files.move(fifo, request(), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      String m = assertTimeoutPreemptively(Duration.ofSeconds(10),
          () -> refusal(() -> reader.readRequest(request())), "the reader must not block on a FIFO");
      assertTrue(m.contains("not a regular file") && m.contains("gave up after 2 s"), m);
    } // closing the only writer gives the abandoned read its end of file
  }

  /** Opens a FIFO read-write (which never blocks on Linux), so that a reader stuck on it returns. */
  static void unblock(Path fifo) throws Exception {
    if (Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo)) {
      try (var ch = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ,
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}));
      }
    }
  }

  @Test
  void wrongOwnerIsRefused() throws Exception {
    writeValid(request(), "rw-r--r--");
    String m = refusal(() -> MarkerFiles.readRequest(state, OWNER + 4242));
    assertTrue(m.contains("expected uid " + (OWNER + 4242)), m);
  }

  @Test
  void aStateDirThatIsASymlinkIsRefused() throws Exception {
    Path real = state.resolve("real");
    Files.createDirectory(real);
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    writeValid(MarkerFiles.requestFile(real), "rw-r--r--");
    Path link = state.resolve("link");
    Files.createSymbolicLink(link, real);
    String m = refusal(() -> MarkerFiles.readRequest(link, OWNER));
    assertTrue(m.contains("must be a real directory, not a symlink"), m);
  }

  @Test
  void nothingIsWrittenThroughAStateDirThatIsASymlink() throws Exception {
    Path real = state.resolve("real");
    Files.createDirectory(real);
    Path link = state.resolve("link");
    Files.createSymbolicLink(link, real);
    java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
        () -> MarkerFiles.writeHostStatus(link, MarkerFilesTest.status(), CrashHook.NONE));
    assertTrue(e.getCause().getMessage().contains("is a symlink"), e.getCause().getMessage());
    try (Stream<Path> files = Files.list(real)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void aDeviceFileIsRefusedWithoutReadingIt() {
    String m = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> refusal(() -> new MarkerReader(0).readRequest(Path.of("/dev/zero"))));
    assertTrue(m.contains("not a regular file"), m);
  }

  static void writeValid(Path file, String mode) throws Exception {
    Files.write(file, MarkerJson.serialize(MarkerCodec.Kind.REQUEST, MarkerFilesTest.request()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", "-m", "0644", p.toString()).inheritIO().start();
    assertEquals(0, proc.waitFor());
  }

  // ---------- bytes that are not one JSON object in plain UTF-8 ----------

  static byte[] valid() {
    return MarkerJson.serialize(MarkerCodec.Kind.REQUEST, MarkerFilesTest.request());
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static Stream<Arguments> corruptBytes() {
    byte[] v = valid();
    String s = new String(v, StandardCharsets.UTF_8);
    byte[] nonUtf8 = s.replace("\"update-4-17-3\"", "\"update-\u00e9\"").getBytes(StandardCharsets.ISO_8859_1);
    byte[] nul = v.clone();
    nul[s.indexOf("Apply")] = 0;
    return Stream.of(
        Arguments.of("0 bytes", new byte[0], "empty"),
        Arguments.of("whitespace only", " \n\t\n".getBytes(), "empty"),
        Arguments.of("truncated", java.util.Arrays.copyOf(v, v.length / 2), "not valid JSON"),
        Arguments.of("trailing garbage", concat(v, "garbage".getBytes()), "not valid JSON"),
        Arguments.of("two documents", concat(v, v), "not valid JSON"),
        Arguments.of("non-UTF-8 bytes", nonUtf8, "not valid UTF-8"),
        Arguments.of("UTF-8 BOM", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, v), "byte order mark"),
        Arguments.of("UTF-16LE", s.getBytes(StandardCharsets.UTF_16LE), "NUL"),
        Arguments.of("UTF-16 with BOM", s.getBytes(StandardCharsets.UTF_16), "byte order mark"),
        Arguments.of("NUL byte", nul, "NUL"),
        Arguments.of("top level array", "[1,2]".getBytes(), "not a JSON object"),
        Arguments.of("top level string", "\"x\"".getBytes(), "not a JSON object"),
        Arguments.of("top level number", "42".getBytes(), "not a JSON object"),
        Arguments.of("top level null", "null".getBytes(), "not a JSON object"),
        Arguments.of("top level true", "true".getBytes(), "not a JSON object"),
        Arguments.of("100k nested arrays", "[".repeat(100_000).getBytes(), "at most 65536 allowed"),
        Arguments.of("60k nested arrays", "[".repeat(60_000).getBytes(), "nesting depth"),
        Arguments.of("60k nested objects in a field", ("{\"plan\":" + "{\"a\":".repeat(10_000)).getBytes(),
            "not valid JSON"),
        Arguments.of("comment", ("// hi\n" + s).getBytes(), "not valid JSON"),
        Arguments.of("single quotes", s.replace('"', '\'').getBytes(), "not valid JSON"),
        Arguments.of("NaN", s.replace("\"sequence\" : 7", "\"sequence\" : NaN").getBytes(), "not valid JSON"),
        Arguments.of("leading zeros", s.replace("\"sequence\" : 7", "\"sequence\" : 007").getBytes(), "not valid JSON"),
        Arguments.of("duplicate top-level key", s.replaceFirst("\"sequence\" : 7,", "\"sequence\" : 7, \"sequence\" : 8,")
            .getBytes(), "Duplicate field 'sequence'"),
        Arguments.of("duplicate nested key", s.replaceFirst("\"version\" : \"4.17.3\",",
            "\"version\" : \"4.17.3\", \"version\" : \"4.18.0\",").getBytes(), "Duplicate field 'version'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptBytes")
  void corruptContentIsRefusedWithAClearMessage(String name, byte[] bytes, String reason) throws Exception {
    List<String> p = MarkerJson.problems(MarkerCodec.Kind.REQUEST, bytes);
    assertFalse(p.isEmpty(), name + " accepted");
    assertTrue(String.join("\n", p).contains(reason), name + ": " + p);
    assertTrue(String.join("\n", MarkerJson.problems(MarkerCodec.Kind.HOST_STATUS, bytes)).contains(reason));
    Files.write(request(), bytes);
    Files.setPosixFilePermissions(request(), PosixFilePermissions.fromString("rw-r--r--"));
    String m = refusal(() -> MarkerFiles.readRequest(state, OWNER));
    assertTrue(m.startsWith(request() + " refused:"), m);
    assertTrue(m.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), "printable message: " + m);
  }

  // ---------- fields: types, required, unknown, version ----------

  static List<String> problems(Consumer<ObjectNode> edit) {
    return MarkerFilesTest.requestProblems(edit);
  }

  /** Makes the request an rpm one; returns its target. */
  static ObjectNode rpm(ObjectNode n) {
    n.put("type", "rpm");
    ObjectNode t = o(n, "target");
    t.remove("ostreeRef");
    t.remove("ostreeCommit");
    t.putArray("packages").add("microshift-4.17.3");
    return t;
  }

  static ObjectNode o(ObjectNode n, String field) {
    return (ObjectNode) n.get(field);
  }

  static Stream<Arguments> badFields() {
    List<Arguments> a = new ArrayList<>();
    // wrong types
    a.add(Arguments.of("sequence as string", (Consumer<ObjectNode>) n -> n.put("sequence", "7"), "sequence: must be an integer"));
    a.add(Arguments.of("bool as string", (Consumer<ObjectNode>) n -> n.put("allowDowngrade", "false"),
        "allowDowngrade: must be true or false"));
    a.add(Arguments.of("bool as number", (Consumer<ObjectNode>) n -> n.put("allowDowngrade", 0),
        "allowDowngrade: must be true or false"));
    a.add(Arguments.of("float for int", (Consumer<ObjectNode>) n -> n.put("sequence", 7.0), "sequence: must be an integer"));
    a.add(Arguments.of("float for int nested", (Consumer<ObjectNode>) n -> o(n, "backup").put("etcdSnapshotBytes", 1.5),
        "backup.etcdSnapshotBytes: must be an integer"));
    a.add(Arguments.of("negative", (Consumer<ObjectNode>) n -> n.put("sequence", -1), "sequence: -1 is outside"));
    a.add(Arguments.of("zero", (Consumer<ObjectNode>) n -> o(n, "plan").put("generation", 0), "plan.generation: 0 is outside"));
    a.add(Arguments.of("overflowing long", (Consumer<ObjectNode>) n -> n.put("sequence",
        new java.math.BigInteger("99999999999999999999999")), "sequence: must be an integer"));
    a.add(Arguments.of("int overflow", (Consumer<ObjectNode>) n -> n.put("healthCheckTimeoutSeconds", 4294967896L),
        "healthCheckTimeoutSeconds: 4294967896 is outside"));
    a.add(Arguments.of("huge snapshot size", (Consumer<ObjectNode>) n -> o(n, "backup").put("etcdSnapshotBytes", Long.MAX_VALUE),
        "backup.etcdSnapshotBytes: " + Long.MAX_VALUE + " is outside"));
    a.add(Arguments.of("object for string", (Consumer<ObjectNode>) n -> o(n, "target").putObject("version"),
        "target.version: must be a string"));
    a.add(Arguments.of("array for object", (Consumer<ObjectNode>) n -> n.putArray("plan"), "plan: must be an object"));
    a.add(Arguments.of("object for enum", (Consumer<ObjectNode>) n -> n.putObject("action"), "action: '' is not one of Prepare, Apply, Cancel"));
    a.add(Arguments.of("lower-case enum", (Consumer<ObjectNode>) n -> n.put("action", "apply"), "action: 'apply' is not one of"));
    a.add(Arguments.of("packages not an array", (Consumer<ObjectNode>) n -> o(n, "target").put("packages", "microshift"),
        "target.packages: must be an array"));
    a.add(Arguments.of("repository as an option", (Consumer<ObjectNode>) n -> rpm(n).putArray("repositories").add("--setopt=x"),
        "target.repositories[0]: '--setopt=x' does not match"));
    a.add(Arguments.of("repository glob", (Consumer<ObjectNode>) n -> rpm(n).putArray("repositories").add("rhocp-*"),
        "target.repositories[0]: 'rhocp-*' does not match"));
    a.add(Arguments.of("unknown reboot policy", (Consumer<ObjectNode>) n -> rpm(n).put("reboot", "Sometimes"),
        "target.reboot: 'Sometimes' is not one of Always, IfNeeded"));
    a.add(Arguments.of("repositories on ostree", (Consumer<ObjectNode>) n -> o(n, "target").putArray("repositories")
        .add("rhocp-4.18-for-rhel-9-x86_64-rpms"), "target: repositories and reboot are only for type rpm"));
    // unknown fields: refused at any depth, never ignored
    a.add(Arguments.of("unknown top-level field", (Consumer<ObjectNode>) n -> n.put("spec", 1), "spec: unknown field"));
    a.add(Arguments.of("unknown nested field", (Consumer<ObjectNode>) n -> o(n, "backup").put("path", "/"),
        "backup.path: unknown field"));
    a.add(Arguments.of("hostile unknown field name", (Consumer<ObjectNode>) n -> n.put("a\u0000\nb", 1),
        "a??b: unknown field"));
    // versions of the protocol
    a.add(Arguments.of("future apiVersion", (Consumer<ObjectNode>) n -> n.put("apiVersion", "updates.microshift.io/marker/v2"),
        "reads marker v1 only"));
    a.add(Arguments.of("no apiVersion", (Consumer<ObjectNode>) n -> n.remove("apiVersion"), "apiVersion: required"));
    // times
    a.add(Arguments.of("far-future time", (Consumer<ObjectNode>) n -> o(n, "verification").put("time", "+999999999-12-31T23:59:59Z"),
        "verification.time: '+999999999-12-31T23:59:59Z' is not an RFC 3339"));
    a.add(Arguments.of("five-digit year", (Consumer<ObjectNode>) n -> o(n, "verification").put("time", "+10000-01-01T00:00:00Z"),
        "is not an RFC 3339"));
    a.add(Arguments.of("far-past time", (Consumer<ObjectNode>) n -> o(n, "verification").put("time", "-1000000-01-01T00:00:00Z"),
        "is not an RFC 3339"));
    a.add(Arguments.of("time with an offset", (Consumer<ObjectNode>) n -> o(n, "verification").put("time", "2026-01-31T12:00:00+01:00"),
        "is not an RFC 3339"));
    a.add(Arguments.of("time with a newline", (Consumer<ObjectNode>) n -> o(n, "verification").put("time", "2026-01-31T12:00:00Z\n"),
        "is not an RFC 3339"));
    for (String t : List.of("2026-01-31T24:00:00Z", "2026-01-31T24:30:00Z", "2026-01-31T25:00:00Z",
        "2026-01-31T12:60:00Z", "2026-01-31T23:59:60Z", "2026-02-30T12:00:00Z", "2026-13-01T12:00:00Z",
        "2026-00-10T12:00:00Z", "2026-01-00T12:00:00Z", "2026-01-31t12:00:00z", "2026-01-31T12:00:00.Z",
        "2026-01-31T12:00:00.1234567890Z", "2026-01-31 12:00:00Z", "2026-01-31T12:00Z",
        "\uff12026-01-31T12:00:00Z")) {
      a.add(Arguments.of("time " + t, (Consumer<ObjectNode>) n -> o(n, "verification").put("time", t),
          "is not an RFC 3339"));
    }
    // consistency inside the file
    a.add(Arguments.of("same version", (Consumer<ObjectNode>) n -> o(n, "target").put("version", "4.17.1"),
        "target.version: "));
    a.add(Arguments.of("downgrade", (Consumer<ObjectNode>) n -> o(n, "target").put("version", "4.17.0"),
        "allowDowngrade"));
    a.add(Arguments.of("backup id outside the backup dir", (Consumer<ObjectNode>) n -> o(n, "backup").put("id", ".."),
        "backup.id: '..' does not match"));
    a.add(Arguments.of("snapshot path elsewhere", (Consumer<ObjectNode>) n -> o(n, "backup")
        .put("etcdSnapshotPath", "/var/lib/microshift-update/backups/upd-1/../../../../etc/shadow"),
        "backup.etcdSnapshotPath: must be /var/lib/microshift-update/backups/upd-1/etcd.snapshot"));
    a.add(Arguments.of("data path elsewhere", (Consumer<ObjectNode>) n -> o(n, "backup").put("dataPath", "/var/lib/microshift"),
        "backup.dataPath: must be /var/lib/microshift-update/backups/upd-1/data"));
    a.add(Arguments.of("verification of a later request", (Consumer<ObjectNode>) n -> o(n, "verification").put("sequence", 8),
        "verification.sequence: 8 is newer"));
    a.add(Arguments.of("very long plan name", (Consumer<ObjectNode>) n -> o(n, "plan").put("name", "a".repeat(60_000)),
        "plan.name: longer than 253 characters"));
    a.add(Arguments.of("bidi override in a message", (Consumer<ObjectNode>) n -> o(n, "verification")
        .put("message", "ok \u202edeliaf"), "verification.message: contains control characters"));
    a.add(Arguments.of("zero-width space in a message", (Consumer<ObjectNode>) n -> o(n, "verification")
        .put("message", "pass\u200bed"), "verification.message: contains control characters"));
    // outside the BMP and the other invisible categories, checked per code point
    for (String[] c : new String[][] {
        {"tag characters (U+E0000 block)", "ok\udb40\udc41\udb40\udc42"},
        {"language tag U+E0001", "ok\udb40\udc01"},
        {"a format character above U+FFFF (U+1BCA0)", "ok\ud82f\udca0"},
        {"supplementary private use (U+F0000)", "ok\udb80\udc00"},
        {"BMP private use (U+E000)", "ok\ue000"},
        {"an unassigned code point (U+0378)", "ok\u0378"},
        {"a line separator", "ok\u2028not"},
        {"a C1 control", "ok\u009b2J"}}) {
      a.add(Arguments.of(c[0] + " in a message", (Consumer<ObjectNode>) n -> o(n, "verification")
          .put("message", c[1]), "verification.message: contains control characters"));
    }
    a.add(Arguments.of("very long message", (Consumer<ObjectNode>) n -> o(n, "verification").put("message", "a".repeat(2000)),
        "verification.message: longer than 1024 characters"));
    // every required field
    for (String f : List.of("apiVersion", "plan", "sequence", "action", "type", "from", "target", "allowDowngrade",
        "backup", "healthCheckTimeoutSeconds", "backupRetention")) {
      a.add(Arguments.of("missing " + f, (Consumer<ObjectNode>) n -> n.remove(f), f + ": required"));
      a.add(Arguments.of("null " + f, (Consumer<ObjectNode>) n -> n.putNull(f), f + ": required"));
    }
    for (String f : List.of("id", "etcdSnapshotPath", "etcdSnapshotBytes", "etcdSnapshotSha256", "etcdRevision", "dataPath")) {
      a.add(Arguments.of("missing backup." + f, (Consumer<ObjectNode>) n -> o(n, "backup").remove(f), "backup." + f + ": required"));
    }
    for (String f : List.of("name", "uid", "generation")) {
      a.add(Arguments.of("missing plan." + f, (Consumer<ObjectNode>) n -> o(n, "plan").remove(f), "plan." + f + ": required"));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFields")
  void badFieldsAreRefusedNamingTheField(String name, Consumer<ObjectNode> edit, String expected) {
    List<String> p = problems(edit);
    assertTrue(String.join("\n", p).contains(expected), name + ": missing '" + expected + "' in " + p);
    assertTrue(p.stream().allMatch(s -> s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)), "printable: " + p);
  }

  // ---------- values that reach argv or paths ----------

  static final List<String> HOSTILE_VALUES = List.of("; reboot", "$(id)", "`id`", "a b", "a\nb", "a\tb", "../../etc",
      "/etc/shadow", "-x", "--sysroot=/tmp/x", "a\u0000b", "\u0000", "", " ", "x|y", "x>y", "x&y", "*",
      "~root", "a'b", "a\"b", "a\\b", "\u0441ore", // Cyrillic es
      "\uff14.17.3", // fullwidth digit
      "\u202emicroshift", "x".repeat(20_000));

  static Stream<Arguments> hostileValues() {
    List<Arguments> a = new ArrayList<>();
    for (String v : HOSTILE_VALUES) {
      a.add(Arguments.of("target.version", v));
      a.add(Arguments.of("target.ostreeRef", v));
      a.add(Arguments.of("target.ostreeCommit", v));
      a.add(Arguments.of("target.packages[1]", v));
      a.add(Arguments.of("backup.id", v));
      a.add(Arguments.of("plan.name", v));
      a.add(Arguments.of("plan.uid", v));
      a.add(Arguments.of("from.version", v));
      a.add(Arguments.of("verification.bootId", v));
    }
    for (String v : List.of("-", "-rf", "--installroot=/tmp", "microshift-4.17.3.rpm", "./x.rpm", "evil.rpm",
        "http://x/y", "@group", "microshift-*", "pkg>=1")) {
      a.add(Arguments.of("target.packages[1]", v));
    }
    for (String v : List.of("-", "--repo=/tmp", "rhel//edge", "rhel/../x", "rhel/9/..", ":rhel", "remote:", "/rhel")) {
      a.add(Arguments.of("target.ostreeRef", v));
    }
    // image mode: target.image reaches bootc switch's argv
    for (String v : HOSTILE_VALUES) {
      a.add(Arguments.of("target.image", v));
    }
    String digest = "@sha256:" + "ab".repeat(32);
    for (String v : List.of("--apply", "-x" + digest, "docker://quay.io/a/b" + digest, "oci:/tmp/x",
        "containers-storage:quay.io/a/b" + digest, "ostree-unverified-registry:quay.io/a/b" + digest,
        "quay.io/a/b@sha256:abc", "quay.io/a/b@sha256:" + "AB".repeat(32), "quay.io/a/b" + digest + "; reboot",
        "quay.io/a/b" + digest + "\n", "Quay.io/a/b" + digest, "quay.io/A/b" + digest, "quay.io/../b" + digest,
        "quay.io//b" + digest, "quay.io/a/b", "b" + digest, "registry/b" + digest, "quay.io/a/b:4.18.2",
        "quay.io/a/b:-x", "quay.io/a/b:" + "t".repeat(200), "quay.io/" + "a".repeat(300) + digest)) {
      a.add(Arguments.of("target.image", v));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("hostileValues")
  void hostileValuesThatCouldReachACommandOrAPathAreRefused(String field, String value) {
    Consumer<ObjectNode> edit = n -> {
      if (field.equals("target.image")) {
        n.put("type", "image");
        o(n, "target").remove("ostreeRef");
        o(n, "target").remove("ostreeCommit");
        o(n, "target").put("image", value);
      } else if (field.startsWith("target.packages")) {
        n.put("type", "rpm");
        o(n, "target").remove("ostreeRef");
        o(n, "target").remove("ostreeCommit");
        o(n, "target").putArray("packages").add("microshift-4.17.3").add(value);
      } else {
        String[] parts = field.split("\\.");
        o(n, parts[0]).put(parts[1], value);
      }
    };
    List<String> p = problems(edit);
    assertTrue(p.stream().anyMatch(s -> s.startsWith(field + ":") || s.startsWith(field + " ")
        || (field.startsWith("backup") && s.startsWith("backup."))), field + "=" + JsonChecks.sanitize(value) + " -> " + p);
    assertTrue(p.stream().allMatch(s -> s.length() < 400 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)),
        "bounded, printable: " + p);
  }

  // ---------- host-status.json, as the operator reads it ----------

  static Stream<Arguments> badStatus() {
    return Stream.of(
        Arguments.of("unknown state", (Consumer<ObjectNode>) n -> n.put("state", "Succeeded"), "state: 'Succeeded' is not one of"),
        Arguments.of("future apiVersion", (Consumer<ObjectNode>) n -> n.put("apiVersion", "updates.microshift.io/marker/v2"),
            "reads marker v1 only"),
        Arguments.of("no request", (Consumer<ObjectNode>) n -> n.remove("request"), "request: required"),
        Arguments.of("request uid not a uuid", (Consumer<ObjectNode>) n -> o(n, "request").put("uid", "*"),
            "request.uid: '*' does not match"),
        Arguments.of("sequence as string", (Consumer<ObjectNode>) n -> o(n, "request").put("sequence", "7"),
            "request.sequence: must be an integer"),
        Arguments.of("failed data path elsewhere", (Consumer<ObjectNode>) n -> n.put("failedDataPath", "/"),
            "failedDataPath: '/' does not match"),
        Arguments.of("far-future updatedAt", (Consumer<ObjectNode>) n -> n.put("updatedAt", "+99999-01-01T00:00:00Z"),
            "updatedAt: '+99999-01-01T00:00:00Z' is not an RFC 3339"),
        Arguments.of("updatedAt at hour 24", (Consumer<ObjectNode>) n -> n.put("updatedAt", "2026-01-31T24:00:00Z"),
            "updatedAt: '2026-01-31T24:00:00Z' is not an RFC 3339"),
        Arguments.of("history time at hour 24", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("history").get(0))
            .put("time", "2026-01-31T24:00:00Z"), "history[0].time: '2026-01-31T24:00:00Z' is not an RFC 3339"),
        Arguments.of("history time on February 29 of a common year", (Consumer<ObjectNode>) n ->
            ((ObjectNode) n.get("history").get(0)).put("time", "2026-02-29T12:00:00Z"), "is not an RFC 3339"),
        Arguments.of("tag characters in the message", (Consumer<ObjectNode>) n -> n.put("message", "ok\udb40\udc41"),
            "message: contains control characters"),
        Arguments.of("tag characters in a history message", (Consumer<ObjectNode>) n -> ((ObjectNode) n.get("history")
            .get(0)).put("message", "ok\udb40\udc41"), "history[0].message: contains control characters"),
        Arguments.of("control characters in the message", (Consumer<ObjectNode>) n -> n.put("message", "\u001b[2J"),
            "message: contains control characters"),
        Arguments.of("unknown field", (Consumer<ObjectNode>) n -> n.put("success", true), "success: unknown field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badStatus")
  void aHostileHostStatusIsRefusedToTheOperator(String name, Consumer<ObjectNode> edit, String expected) throws Exception {
    ObjectNode n = MarkerCodec.MAPPER.valueToTree(MarkerFilesTest.status());
    edit.accept(n);
    Path file = MarkerFiles.hostStatusFile(state);
    Files.write(file, n.toString().getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String m = refusal(() -> MarkerFiles.readHostStatus(state, OWNER));
    assertTrue(m.contains(expected), name + ": " + m);
  }

  private static io.microshift.update.api.UpdatePlan plan(String uid) {
    io.microshift.update.api.UpdatePlan p = new io.microshift.update.api.UpdatePlan();
    p.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("update-4-17-3").withUid(uid).build());
    return p;
  }

  @Test
  void theOperatorIgnoresOrRefusesAStatusClaimingSuccessForAnotherRequest() throws Exception {
    MarkerFiles.writeRequest(state, MarkerFilesTest.request()); // sequence 7
    var handoff = new io.microshift.update.operator.adapter.MarkerHostHandoff(state, OWNER, java.time.Clock.systemUTC());
    HostStatus committed = MarkerFilesTest.status().toBuilder().state(HostState.Healthy).build()
        .transition(HostState.Committed, "done", "2026-01-31T12:30:00Z");
    MarkerFiles.writeHostStatus(state, committed, CrashHook.NONE);
    assertEquals("Committed", handoff.read(plan(MarkerFilesTest.UID)).answer().orElseThrow().state().name());

    assertTrue(handoff.read(plan("11111111-2222-4333-8444-555555555555")).answer().isEmpty(),
        "a status about another plan is not this plan's outcome");

    HostStatus forged = committed.toBuilder().request(new HostStatus.RequestRef(MarkerFilesTest.UID, 8)).build();
    MarkerFiles.writeHostStatus(state, forged, CrashHook.NONE);
    // a refused status is data in the reading, the refusal says why
    String m = handoff.read(plan(MarkerFilesTest.UID)).refusal().orElseThrow();
    assertTrue(m.contains("request.sequence: 8 is newer than request.json's sequence 7"), m);
  }

  @Test
  void theOperatorsRequestCarriesThePlansAllowUnsupportedPath() {
    io.microshift.update.api.UpdatePlan p = plan(MarkerFilesTest.UID);
    p.getMetadata().setGeneration(1L);
    io.microshift.update.api.UpdatePlanSpec spec = new io.microshift.update.api.UpdatePlanSpec();
    spec.type = io.microshift.update.api.UpdateType.OSTREE;
    spec.target = new io.microshift.update.api.UpdateTarget("4.17.0");
    spec.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    spec.allowUnsupportedPath = true;
    p.setSpec(spec);
    p.setStatus(new io.microshift.update.api.UpdatePlanStatus());
    p.getStatus().fromVersion = "4.15.2";
    p.getStatus().backup = new io.microshift.update.api.BackupStatus();
    p.getStatus().backup.id = "upd-1";
    p.getStatus().backup.etcdSnapshot = true;
    p.getStatus().backup.etcdSha256 = "b".repeat(64);
    p.getStatus().backup.etcdSizeBytes = 1024L;
    p.getStatus().backup.etcdRevision = 9L;
    var handoff = new io.microshift.update.operator.adapter.MarkerHostHandoff(state, OWNER, java.time.Clock.systemUTC());
    handoff.writeRequest(p, 1, UpdateRequest.Action.Apply);
    assertTrue(MarkerFiles.readRequest(state, OWNER).orElseThrow().allowUnsupportedPath(),
        "4.15 -> 4.17 is written (and read back) only with the plan's opt-in");
    spec.allowUnsupportedPath = null;
    String m = refusal(() -> handoff.writeRequest(p, 2, UpdateRequest.Action.Apply));
    assertTrue(m.contains("set spec.allowUnsupportedPath: true"), m);
  }

  @Test
  void thousandsOfProblemsAreCappedSoTheLogIsNotFlooded() {
    List<String> p = problems(n -> {
      for (int i = 0; i < 5000; i++) {
        n.put("f" + i, 0);
      }
    });
    assertEquals(MarkerJson.MAX_PROBLEMS + 1, p.size(), p.toString());
    assertTrue(p.get(MarkerJson.MAX_PROBLEMS).matches("\\.\\.\\. and [0-9]+ more problems"), p.get(MarkerJson.MAX_PROBLEMS));
  }

  @Test
  void theAgentsOwnMessagesLoseControlAndFormatCharactersSoItsWritesStayValid() throws Exception {
    HostStatus s = MarkerFilesTest.status().transition(HostState.Failed,
        "staging failed: dnf said \u202eevil\u200b\u0007 done\nsecond line", "2026-01-31T12:00:00Z");
    MarkerFiles.writeHostStatus(state, s, CrashHook.NONE);
    assertEquals("staging failed: dnf said ?evil?? done\nsecond line",
        MarkerFiles.readHostStatus(state, OWNER).orElseThrow().message());
  }

  @Test
  void theAgentsOwnMessagesLoseInvisibleCharactersAboveTheBmpPerCodePoint() throws Exception {
    HostStatus s = MarkerFilesTest.status().transition(HostState.Failed,
        "dnf said \udb40\udc41\udb40\udc42 tags, \udb80\udc00 private, \ud800 lone, \u2028 sep, \ud83d\ude00 ok",
        "2026-01-31T12:00:00Z");
    MarkerFiles.writeHostStatus(state, s, CrashHook.NONE);
    assertEquals("dnf said ?? tags, ? private, ? lone, ? sep, \ud83d\ude00 ok",
        MarkerFiles.readHostStatus(state, OWNER).orElseThrow().message());
    // a cut never splits a surrogate pair
    String cut = HostStatus.truncate("a".repeat(1020) + "\ud83d\ude00".repeat(3), 1024);
    assertEquals("a".repeat(1020) + "...", cut);
    assertEquals("??", Markers.printable("\udb40\udc41\udb40\udc42", 80), "one '?' per code point");
  }

  @Test
  void aValidFileStillReadsAfterAllThis() throws Exception {
    writeValid(request(), "rw-r--r--");
    assertEquals(MarkerFilesTest.request(), MarkerFiles.readRequest(state, OWNER).orElseThrow());
    // lone surrogates can only come as JSON escapes: refused per code point (Cs)
    for (String lone : List.of("\\ud800", "\\udc00x", "\\udbff\\u0041")) {
      byte[] l = new String(valid(), StandardCharsets.UTF_8).replace("\"waiting\"", "\"ok" + lone + "\"")
          .getBytes(StandardCharsets.UTF_8);
      assertEquals(List.of("verification.message: contains control characters (or invisible format characters)"),
          MarkerJson.problems(MarkerCodec.Kind.REQUEST, l), lone);
    }
    // plain UTF-8 beyond ASCII in a free-text message is fine
    byte[] b = new String(valid(), StandardCharsets.UTF_8).replace("\"waiting\"", "\"warte auf \u00fcberpr\u00fcfung\"")
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(List.of(), MarkerJson.problems(MarkerCodec.Kind.REQUEST, b));
  }
}
