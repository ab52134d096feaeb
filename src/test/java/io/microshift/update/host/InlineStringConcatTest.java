package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.cli.Main;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar's classes concatenate strings with StringBuilder code (javac -XDstringConcat=inline,
 * pom.xml), not through invokedynamic: every concatenation call site of the indy form spins its
 * method handles and lambda-form classes at its first run, which the class-data archive cannot
 * hold, and the host agent's boot-path verbs pay that at every start (hack/bench.d/host-startup).
 */
class InlineStringConcatTest {

  private static final byte[] INDY_BOOTSTRAP = "makeConcatWithConstants".getBytes(StandardCharsets.UTF_8);

  @Test
  void noClassOfTheAgentBootstrapsStringConcatenation() throws IOException, URISyntaxException {
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> indy;
    int scanned;
    try (Stream<Path> all = Files.walk(classes)) {
      List<Path> files = all.filter(p -> p.toString().endsWith(".class")).toList();
      scanned = files.size();
      indy = files.stream().filter(InlineStringConcatTest::bootstrapsConcat)
          .map(p -> classes.relativize(p).toString()).sorted().toList();
    }
    assertTrue(scanned > 100, "scanned only " + scanned + " classes under " + classes);
    assertEquals(List.of(), indy, "compiled with invokedynamic string concatenation: is -XDstringConcat=inline"
        + " still in maven-compiler-plugin's compilerArgs?");
  }

  private static boolean bootstrapsConcat(Path classFile) {
    try {
      byte[] b = Files.readAllBytes(classFile);
      outer:
      for (int i = 0; i + INDY_BOOTSTRAP.length <= b.length; i++) {
        for (int j = 0; j < INDY_BOOTSTRAP.length; j++) {
          if (b[i + j] != INDY_BOOTSTRAP[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
