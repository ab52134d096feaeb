package io.microshift.update.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API's duration grammar (the CRD's pattern, Go's time.ParseDuration on what it admits) at its
 * edges, next to fabric8's {@code io.fabric8.kubernetes.api.model.Duration}, which is no Go
 * grammar and so does not replace ours.
 */
class DurationsTest {

  @Test
  void valuesBothReadAlike() throws Exception {
    for (Map.Entry<String, Duration> e : Map.of("30s", Duration.ofSeconds(30), "5m", Duration.ofMinutes(5),
        "1h30m", Duration.ofMinutes(90), "500ms", Duration.ofMillis(500), "1h1h", Duration.ofHours(2)).entrySet()) {
      assertEquals(e.getValue(), Durations.parse(e.getKey()), e.getKey());
      assertEquals(e.getValue(), io.fabric8.kubernetes.api.model.Duration.parse(e.getKey()).getDuration(), e.getKey());
    }
  }

  /** fabric8 reads these (some wrongly, against Go's grammar); the CRD's pattern and Durations refuse them. */
  @Test
  void valuesFabric8ReadsDifferentlyFromGo() throws Exception {
    Map<String, Duration> fabric8 = Map.of(
        "1.5h", Duration.ofHours(5),      // Go: 1h30m
        "-5m", Duration.ofMinutes(5),     // Go: minus five minutes
        ".5s", Duration.ofSeconds(5),     // Go: 500ms
        "1d", Duration.ofDays(1),         // Go: unknown unit "d"
        "5M", Duration.ofMinutes(5),      // Go: unknown unit "M"
        "1h 30m", Duration.ofMinutes(90), // Go: invalid
        "0s", Duration.ZERO);             // Go: 0; the API wants more than 0
    for (Map.Entry<String, Duration> e : fabric8.entrySet()) {
      assertEquals(e.getValue(), io.fabric8.kubernetes.api.model.Duration.parse(e.getKey()).getDuration(), e.getKey());
      assertThrows(IllegalArgumentException.class, () -> Durations.parse(e.getKey()), e.getKey());
    }
  }
}
