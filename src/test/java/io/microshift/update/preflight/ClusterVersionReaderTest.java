package io.microshift.update.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterVersionReaderTest {
  @Test
  void parsesTheConfigMapAndRefusesGarbage() {
    assertEquals("4.17.1", ClusterVersionReader.fromData(Map.of("version", "4.17.1")).toString());
    assertEquals("4.16.0", ClusterVersionReader.fromData(Map.of("major", "4", "minor", "16", "patch", "0")).toString());
    assertThrows(IllegalStateException.class, () -> ClusterVersionReader.fromData(Map.of("minor", "1")));
  }
}
