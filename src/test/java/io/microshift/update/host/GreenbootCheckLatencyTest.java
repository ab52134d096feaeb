package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.UpdateRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 3: greenboot's required.d check reacts within a second to the operator's
 * verification in request.json: it never waits longer than that between two looks.
 */
class GreenbootCheckLatencyTest {
  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  @Test
  void theCheckLooksAtTheVerificationAtLeastOnceASecond() throws Exception {
    TestHost h = new TestHost(root, true);
    UpdateRequest req = h.request();
    h.updateAndBootTarget(req);
    Instant[] last = {h.now};
    Duration[] longest = {Duration.ZERO};
    int[] looks = {0};
    h.whileWaiting = () -> {
      Duration waited = Duration.between(last[0], h.now);
      longest[0] = waited.compareTo(longest[0]) > 0 ? waited : longest[0];
      last[0] = h.now;
      if (++looks[0] == 4) {
        h.verify(req, UpdateRequest.VerificationResult.Passed); // the operator verifies the boot
      }
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = new GreenbootCommands(h.ctx()).check(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
    assertTrue(looks[0] >= 4, "the check waited for the verification");
    assertTrue(longest[0].compareTo(Duration.ofSeconds(1)) <= 0, "the check slept " + longest[0] + " between looks");
  }
}
