package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RecordEquality} answers as the records' own equals for the fields fixed once a request is accepted. */
class RecordEqualityTest {

  @Test
  void agreesWithTheRecordsEqualsComponentByComponent() {
    UpdateRequest.Target t = new UpdateRequest.Target("4.17.3", null, null, List.of("microshift-4.17.3"),
        List.of("rhocp-4.17"), UpdateRequest.Reboot.Always, null);
    List<Object> values = new ArrayList<>(List.of(
        t,
        new UpdateRequest.Target("4.17.3", null, null, new ArrayList<>(List.of("microshift-4.17.3")),
            List.of("rhocp-4.17"), UpdateRequest.Reboot.Always, null),
        new UpdateRequest.Target("4.17.3", null, null, List.of("microshift-4.17.3"),
            List.of("rhocp-4.17"), UpdateRequest.Reboot.IfNeeded, null),
        new UpdateRequest.Target("4.17.3", null, null, List.of("microshift-4.17.3"), null, UpdateRequest.Reboot.Always,
            null),
        UpdateRequest.Target.image("4.17.3", "quay.example.com/a/b:1", true, null),
        UpdateRequest.Target.image("4.17.3", "quay.example.com/a/b:1", false, null),
        new UpdateRequest.Plan("p", "u", 1), new UpdateRequest.Plan("p", "u", 2), new UpdateRequest.Plan("p", "u", 1),
        new UpdateRequest.From("4.17.1"), new UpdateRequest.From("4.17.2"),
        UpdateRequest.Backup.takenByHost("a"), UpdateRequest.Backup.takenByHost("b"),
        new UpdateRequest.Backup("a", Markers.etcdSnapshotPath("a"), 1L, "x", 2L, Markers.dataPath("a")),
        UpdateRequest.UpdateType.RPM, "text", 3));
    values.add(null);
    for (Object a : values) {
      for (Object b : values) {
        assertEquals(java.util.Objects.equals(a, b), RecordEquality.equal(a, b), a + " vs " + b);
      }
    }
  }
}
