package io.microshift.update.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.hooks.HookRunner;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2: {@code hooks} and {@code pause} (and the port they own, {@code checkpoint}) use
 * nothing of {@code io.microshift.update.operator}: their write-ahead saves and Events go through
 * {@link PlanCheckpoint}, which the operator implements. Every class file of those packages, with
 * its nested and anonymous classes, is read through its constant pool (the names a class links
 * against, descriptors included), so an import, a parameter type or a call all count.
 */
class WorkloadPackagesLayerTest {
  private static final List<String> PACKAGES = List.of(
      "io/microshift/update/hooks", "io/microshift/update/pause", "io/microshift/update/checkpoint");
  private static final String OPERATOR = "io/microshift/update/operator/";

  @Test
  void hooksAndPauseReferenceNothingOfTheOperator() throws Exception {
    Path classes = Path.of(HookRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> scanned = new TreeSet<>();
    List<String> upward = new ArrayList<>();
    for (String pkg : PACKAGES) {
      try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
          String cls = pkg + "/" + f.getFileName().toString().replace(".class", "");
          scanned.add(cls);
          for (String s : constantPoolStrings(f)) {
            if (s.contains(OPERATOR)) {
              upward.add(cls + " -> " + s);
            }
          }
        }
      }
    }
    assertTrue(scanned.containsAll(Set.of("io/microshift/update/hooks/HookRunner",
        "io/microshift/update/pause/Pauser", "io/microshift/update/checkpoint/PlanCheckpoint")),
        "the scan reads the packages' classes: " + scanned);
    assertEquals(List.of(), upward, "hooks/pause reference the operator (use PlanCheckpoint)");
  }

  /** The UTF-8 entries of a class file's constant pool (JVMS 4.4). */
  static Set<String> constantPoolStrings(Path classFile) throws IOException {
    Set<String> out = new TreeSet<>();
    try (InputStream raw = Files.newInputStream(classFile); DataInputStream in = new DataInputStream(raw)) {
      in.skipNBytes(8); // magic, minor, major
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> out.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
          case 15 -> in.skipNBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
          case 5, 6 -> {
            in.skipNBytes(8);
            i++; // takes two slots
          }
          default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
        }
      }
    }
    return out;
  }
}
