package io.microshift.update.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.hooks.HookRunner;
import io.microshift.update.testing.ConstantPool;
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
          for (String s : ConstantPool.strings(f)) {
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
}
