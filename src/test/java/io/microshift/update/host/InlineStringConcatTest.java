package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.cli.Main;
import io.microshift.update.testing.ConstantPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
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
      return ConstantPool.strings(classFile).contains("makeConcatWithConstants");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
