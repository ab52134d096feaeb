package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MarkerJson}'s streaming reader and writer against Jackson's data binding of the same
 * records ({@link MarkerCodec#MAPPER}, which read and wrote the files before): the same tree, the
 * same records, the same bytes, the same refusals, for docs/marker.md's examples and records that
 * set every field.
 */
class MarkerBindingTest {
  private static final String UID = "0d7e1c52-3a4b-4c5d-8e9f-a0b1c2d3e4f5";
  private static final String BOOT = "7e4f0c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
  private static final String TIME = "2026-01-31T12:00:00Z";

  /** Records with every optional field set, and with none. */
  static Stream<Arguments> records() {
    UpdateRequest ostree = MarkerFilesTest.request();
    UpdateRequest rpm = new UpdateRequest(Markers.API_VERSION, new UpdateRequest.Plan("p", UID, 1), 2,
        UpdateRequest.Action.Prepare, UpdateRequest.UpdateType.RPM, new UpdateRequest.From("4.17.1"),
        new UpdateRequest.Target("4.17.3", null, null, List.of("microshift-4.17.3", "microshift-networking"),
            List.of("rhocp-4.17"), UpdateRequest.Reboot.Always, null),
        true, UpdateRequest.Backup.takenByHost("upd-2"), 60, 1, null, true, true, true);
    UpdateRequest image = new UpdateRequest(Markers.API_VERSION, new UpdateRequest.Plan("p", UID, 1), 3,
        UpdateRequest.Action.Cancel, UpdateRequest.UpdateType.IMAGE, new UpdateRequest.From("4.17.1"),
        UpdateRequest.Target.image("4.17.3", "quay.example.com/edge/microshift:4.17.3", true,
            List.of("quay.example.com/ops/operator@sha256:" + "a".repeat(64))),
        false, UpdateRequest.Backup.takenByHost("upd-3"), 3600, 10,
        new UpdateRequest.Verification(3, BOOT, UpdateRequest.VerificationResult.Failed, "line one\nline two", TIME));
    HostStatus full = MarkerFilesTest.status().toBuilder()
        .bootIdAfter(BOOT).deploymentAfter("1".repeat(64)).targetDeployment("2".repeat(64)).greenbootAttempts(2)
        .message("caf\u00e9 \"quoted\" \\ back").restoredBackupId("upd-1")
        .failedDataPath("/var/lib/microshift.failed-20260131T120000Z")
        .dataCopy(new HostStatus.DataCopy("upd-1", Markers.dataPath("upd-1"), 1L << 40, HostStatus.CopyMethod.microshift,
            BOOT, TIME))
        .prepared(new HostStatus.Prepared(true, -1, Long.MAX_VALUE,
            new HostStatus.Etcd(true, "3.5.13", 123, 456, List.of("NOSPACE")), "3".repeat(64), "4".repeat(64), true,
            "rpm-ostree-driver", List.of("microshift-4.17.3"), TIME))
        .etcdSnapshot(new HostStatus.EtcdSnapshot("upd-1", 110256160, "b".repeat(64), 1601, "2026-01-31T12:00:00.123456789Z"))
        .build().transition(HostState.Staged, "staged", TIME);
    HostStatus bare = new HostStatus.Builder().request(new HostStatus.RequestRef(UID, 1)).state(HostState.Failed)
        .updatedAt(TIME).build();
    UpdateHistory history = UpdateHistory.empty()
        .with(new UpdateHistory.Update("p", UID, 1, UpdateRequest.UpdateType.OSTREE, "4.17.1", "4.17.3",
            UpdateHistory.Outcome.RolledBack, HostState.Restored, TIME, TIME, "upd-1", "upd-1", TIME, BOOT, BOOT,
            "0".repeat(64), "1".repeat(64), "2".repeat(64), 3, "rolled back"))
        .with(new UpdateHistory.Update(null, UID, 2, null, null, null, UpdateHistory.Outcome.Failed, HostState.Failed,
            null, TIME, null, null, null, null, null, null, null, null, 0, null));
    return Stream.of(
        Arguments.of("ostree request", MarkerCodec.Kind.REQUEST, ostree),
        Arguments.of("rpm request", MarkerCodec.Kind.REQUEST, rpm),
        Arguments.of("image request", MarkerCodec.Kind.REQUEST, image),
        Arguments.of("full host status", MarkerCodec.Kind.HOST_STATUS, full),
        Arguments.of("bare host status", MarkerCodec.Kind.HOST_STATUS, bare),
        Arguments.of("history", MarkerCodec.Kind.HISTORY, history),
        Arguments.of("empty history", MarkerCodec.Kind.HISTORY, UpdateHistory.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  void writesTheBytesTheMapperWrote(String name, MarkerCodec.Kind kind, Object record) throws IOException {
    String mapper = MarkerCodec.MAPPER.writeValueAsString(record) + "\n";
    assertEquals(mapper, new String(MarkerJson.serialize(kind, record), StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  void readsTheRecordTheMapperRead(String name, MarkerCodec.Kind kind, Object record) throws IOException {
    byte[] json = MarkerCodec.MAPPER.writeValueAsBytes(record);
    assertEquals(MarkerCodec.MAPPER.readValue(json, kind.type), parse(kind, json));
    assertEquals(record, parse(kind, json));
  }

  /**
   * The fixtures above set every component of every marker record somewhere (a non-null, non-zero,
   * non-false, non-empty value), so that the comparisons with the mapper cover each field: a field
   * added to a record and not to {@link MarkerBinding} and {@link MarkerWriter} fails here until a
   * fixture sets it, and then fails those comparisons.
   */
  @Test
  void theFixturesSetEveryComponentOfEveryMarkerRecord() throws Exception {
    java.util.Map<String, Boolean> seen = new java.util.TreeMap<>();
    for (Arguments a : records().toList()) {
      visit(a.get()[2], seen);
    }
    List<String> neverSet = seen.entrySet().stream().filter(e -> !e.getValue()).map(java.util.Map.Entry::getKey)
        .toList();
    assertEquals(List.of(), neverSet, "record components no fixture sets");
  }

  private static void visit(Object value, java.util.Map<String, Boolean> seen) throws Exception {
    if (value instanceof List<?> list) {
      for (Object e : list) {
        visit(e, seen);
      }
      return;
    }
    if (value == null || !value.getClass().isRecord()) {
      return;
    }
    for (java.lang.reflect.RecordComponent c : value.getClass().getRecordComponents()) {
      Object v = c.getAccessor().invoke(value);
      String key = value.getClass().getSimpleName() + "." + c.getName();
      boolean set = v != null && !Boolean.FALSE.equals(v) && !(v instanceof Number n && n.longValue() == 0)
          && !(v instanceof List<?> l && l.isEmpty());
      seen.merge(key, set, Boolean::logicalOr);
      visit(v, seen);
    }
  }

  /** docs/marker.md's examples: the same tree, the same record, the same text back. */
  @Test
  void docsExamplesReadAndWriteAsTheMapperDid() throws IOException {
    List<String> blocks = jsonBlocks(Files.readString(Path.of("docs/marker.md")));
    assertTrue(blocks.size() >= 3, blocks.size() + " examples");
    for (String text : blocks) {
      ObjectNode tree = (ObjectNode) MarkerCodec.MAPPER.readTree(text);
      assertEquals(tree, MarkerTree.read(text));
      MarkerCodec.Kind kind = tree.has("plan") ? MarkerCodec.Kind.REQUEST
          : tree.has("updates") ? MarkerCodec.Kind.HISTORY : MarkerCodec.Kind.HOST_STATUS;
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      Object record = parse(kind, bytes);
      assertEquals(MarkerCodec.MAPPER.readValue(bytes, kind.type), record, kind + " example");
      assertEquals(MarkerCodec.MAPPER.writeValueAsString(record) + "\n",
          new String(MarkerJson.serialize(kind, record), StandardCharsets.UTF_8));
    }
  }

  static Stream<Arguments> trees() {
    return Stream.of(
        Arguments.of("{\"a\":1,\"b\":2147483648,\"c\":92233720368547758070,\"d\":1.5,\"e\":-0.0,\"f\":1e400}"),
        Arguments.of("{\"a\":[true,false,null,\"x\",{\"y\":[]}],\"b\":{},\"c\":\"\\u00e9\\n\"}"),
        Arguments.of("[1,{\"a\":2}]"),
        Arguments.of("\"x\""),
        Arguments.of("null"),
        Arguments.of(" {\"a\" : 1} \n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trees")
  void buildsTheTreeTheMapperBuilt(String text) throws IOException {
    JsonNode mine = MarkerTree.read(text);
    JsonNode theirs = MarkerCodec.MAPPER.readTree(text);
    assertEquals(theirs, mine);
    assertEquals(theirs.toString(), mine.toString());
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("{\"a\":"),
        Arguments.of("{\"a\":1"),
        Arguments.of("[1,"),
        Arguments.of("{\"a\":1}garbage"),
        Arguments.of("{\"a\":1}{\"a\":1}"),
        Arguments.of("{\"a\":1} [2]"),
        Arguments.of("{\"a\":1} 3"),
        Arguments.of("{\"a\":1,\"a\":2}"),
        Arguments.of("{\"b\":{\"a\":1,\"a\":2}}"),
        Arguments.of("// c\n{}"),
        Arguments.of("{'a':1}"),
        Arguments.of("{\"a\":NaN}"),
        Arguments.of("{\"a\":007}"),
        Arguments.of("[".repeat(2000)),
        Arguments.of("{\"a\":\"x" + "\u0001" + "\"}"),
        Arguments.of("{\"a\":1" + "9".repeat(2000) + "}"));
  }

  /** A file that is not exactly one JSON value: refused with the message the mapper gave. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesWhatTheMapperRefusedWithItsMessage(String text) {
    IOException theirs = assertThrows(IOException.class, () -> MarkerCodec.MAPPER.readTree(text));
    String ours = MarkerJson.problems(MarkerCodec.Kind.REQUEST, text.getBytes(StandardCharsets.UTF_8)).get(0);
    assertEquals("not valid JSON: " + JsonChecks.sanitize(theirs.getMessage().split("\n", 2)[0]), ours);
  }

  /** The validators let an optional boolean be null; binding it refused that, as it still does. */
  @Test
  void aNullForAPrimitiveIsRefusedAsTheMapperRefusedIt() throws IOException {
    for (String field : List.of("allowUnsupportedPath", "bypassUpdateDriver")) {
      ObjectNode n = MarkerCodec.MAPPER.valueToTree(MarkerFilesTest.request());
      n.putNull(field);
      byte[] json = n.toString().getBytes(StandardCharsets.UTF_8);
      assertEquals(List.of(), MarkerJson.problems(MarkerCodec.Kind.REQUEST, json), field);
      assertThrows(IOException.class, () -> MarkerCodec.MAPPER.readValue(json, UpdateRequest.class));
      MarkerProblems e = assertThrows(MarkerProblems.class, () -> MarkerJson.parseRequest(json, "request.json"));
      assertTrue(e.problems().get(0).startsWith("cannot bind: Cannot map `null` into type `boolean`"), e.problems().toString());
    }
  }

  private static Object parse(MarkerCodec.Kind kind, byte[] json) {
    return switch (kind) {
      case REQUEST -> MarkerJson.parseRequest(json, "test");
      case HOST_STATUS -> MarkerJson.parseHostStatus(json, "test");
      case HISTORY -> MarkerJson.parseHistory(json, "test");
    };
  }

  private static List<String> jsonBlocks(String markdown) {
    List<String> out = new ArrayList<>();
    StringBuilder b = null;
    for (String line : markdown.split("\n", -1)) {
      if (b == null && line.equals("```json")) {
        b = new StringBuilder();
      } else if (b != null && line.startsWith("```")) {
        out.add(b.toString());
        b = null;
      } else if (b != null) {
        b.append(line).append('\n');
      }
    }
    return out;
  }
}
