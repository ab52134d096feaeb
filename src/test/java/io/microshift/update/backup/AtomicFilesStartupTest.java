package io.microshift.update.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot-path verbs write host-status.json through {@link AtomicFiles} in a fresh JVM inside
 * greenboot's budget: a write must not initialise SecureRandom and the security providers (a
 * random UUID for the temp name did, ~20-30 ms of the boot verb; hack/bench.d/host-startup).
 */
class AtomicFilesStartupTest {

  /** Writes args[0] with args[1] as its content, in a fresh JVM. */
  public static final class WriteMain {
    public static void main(String[] args) throws Exception {
      AtomicFiles.write(Path.of(args[0]), args[1].getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void aWriteInAFreshJvmLoadsNoSecureRandom(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("host-status.json");
    Path log = dir.resolve("classes.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-Xshare:off", "-Xlog:class+load:file=" + log,
        "-cp", System.getProperty("java.class.path"), WriteMain.class.getName(), target.toString(), "{}"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer JVM did not exit");
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve("out")));
    assertEquals("{}", Files.readString(target));
    String loaded = Files.readString(log);
    assertTrue(loaded.contains(AtomicFiles.class.getName() + " "), "the class log names no AtomicFiles");
    assertFalse(loaded.contains("java.security.SecureRandom "), "an atomic write initialised SecureRandom");
    try (var names = Files.list(dir)) {
      assertEquals(List.of(), names.filter(f -> f.getFileName().toString().contains(".tmp-")).toList(),
          "a temp file was left behind");
    }
  }

  @Test
  void tempNamesDifferAndNameThisProcess() {
    String a = AtomicFiles.tempSuffix();
    String b = AtomicFiles.tempSuffix();
    assertFalse(a.equals(b), a);
    assertTrue(a.startsWith(ProcessHandle.current().pid() + "-"), a);
  }
}
