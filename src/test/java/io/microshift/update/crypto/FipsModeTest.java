package io.microshift.update.crypto;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FipsModeTest {
  @TempDir Path dir;

  @Test
  void theKernelFlagAt1IsFipsModeAnythingElseOrNoFlagIsNot() throws Exception {
    Path flag = dir.resolve("fips_enabled");
    Files.writeString(flag, "1\n");
    assertTrue(FipsMode.enabled(flag));
    Files.writeString(flag, "0\n");
    assertFalse(FipsMode.enabled(flag));
    Files.writeString(flag, "");
    assertFalse(FipsMode.enabled(flag));
    assertFalse(FipsMode.enabled(dir.resolve("missing")));
  }
}
