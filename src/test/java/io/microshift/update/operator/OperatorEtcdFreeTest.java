package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.testing.ConstantPool;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 2: the operator builds no etcd client. Every project class the operator's entry
 * point ({@link OperatorMain}) can reach, followed through the class files' constant pools (the
 * names a class links against, descriptors included), is outside {@code io.microshift.update.etcd}
 * and uses no jetcd class. The etcd package is the host agent's.
 */
class OperatorEtcdFreeTest {
  private static final Pattern PROJECT_CLASS = Pattern.compile("io/microshift/update/[A-Za-z0-9_/$]+");

  @Test
  void nothingTheOperatorReachesUsesEtcd() throws IOException {
    Map<String, String> reachedFrom = reachableFrom(OperatorMain.class);
    assertTrue(reachedFrom.containsKey("io/microshift/update/operator/UpdatePlanReconciler"),
        "the scan follows the operator's classes: " + reachedFrom.keySet());
    Set<String> etcd = new TreeSet<>();
    for (Map.Entry<String, String> e : reachedFrom.entrySet()) {
      if (e.getKey().startsWith("io/microshift/update/etcd/")) {
        etcd.add(e.getKey() + " (referenced by " + e.getValue() + ")");
      }
    }
    assertTrue(etcd.isEmpty(), "the operator reaches etcd code: " + etcd);
    for (String cls : reachedFrom.keySet()) {
      for (String name : constantPoolStrings(cls)) {
        assertFalse(name.contains("io/etcd/jetcd/"), cls + " uses jetcd: " + name);
      }
    }
  }

  /** Project classes reachable from {@code root}, each with the class that first referenced it. */
  private static Map<String, String> reachableFrom(Class<?> root) throws IOException {
    Map<String, String> seen = new LinkedHashMap<>();
    Deque<String> todo = new ArrayDeque<>();
    String start = root.getName().replace('.', '/');
    seen.put(start, "(entry point)");
    todo.add(start);
    while (!todo.isEmpty()) {
      String cls = todo.poll();
      for (String s : constantPoolStrings(cls)) {
        Matcher m = PROJECT_CLASS.matcher(s);
        while (m.find()) {
          String ref = m.group();
          if (!seen.containsKey(ref) && classFile(ref) != null) {
            seen.put(ref, cls);
            todo.add(ref);
          }
        }
      }
    }
    return seen;
  }

  private static InputStream classFile(String internalName) {
    return OperatorEtcdFreeTest.class.getClassLoader().getResourceAsStream(internalName + ".class");
  }

  private static Set<String> constantPoolStrings(String internalName) throws IOException {
    try (InputStream in = classFile(internalName)) {
      return ConstantPool.strings(in, internalName);
    }
  }
}
