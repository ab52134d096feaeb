package io.microshift.update.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.sim.SimulatedDevice;
import io.microshift.update.sim.SimulatedDevice.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executes every {@code sh runnable} block of docs/procedures/ against a simulated device, so
 * the procedures cannot rot: each command must succeed, and each {@code # expect: TEXT} line
 * must be found in the output of the command before it. {@code yaml file=NAME} blocks are the
 * files the commands use.
 */
class ProceduresTest {
  static final Path DIR = Path.of("docs/procedures");
  private static final Pattern BLOCK = Pattern.compile("(?m)^( *)```([^\\n]*)\\n(.*?)^\\1```", Pattern.DOTALL);

  /** The device each procedure starts from, and the commands that bring it to that point. */
  record Setup(Supplier<Options> device, List<String> commands) {}

  static final Map<String, Setup> SETUPS = Map.of(
      "install.md", new Setup(() -> Options.ostree("4.17.1"), List.of()),
      "update-ostree.md", new Setup(() -> Options.ostree("4.17.1").versions("4.17.3", "4.18.0"), List.of()),
      "update-rpm.md", new Setup(() -> Options.rpm("4.17.1").versions("4.17.3"), List.of()),
      "update-image.md", new Setup(() -> Options.image("4.17.1").versions("4.17.3"), List.of()),
      "restore-rpm.md", new Setup(() -> Options.rpm("4.17.1").versions("4.17.3").broken("4.17.3"), List.of(
          "oc apply -f rpm-4.17.3.yaml",
          "oc wait updateplan/rpm-4.17.3 --for=jsonpath='{.status.phase}'=Failed --timeout=20m")),
      "rollback.md", new Setup(() -> Options.ostree("4.17.3").versions("4.18.0").broken("4.18.0"), List.of(
          "oc apply -f to-4.18.0.yaml",
          "oc wait updateplan/to-4.18.0 --for=jsonpath='{.status.phase}'=RolledBack --timeout=20m")),
      "recover-failed-plan.md", new Setup(() -> Options.ostree("4.17.1"), List.of(
          "oc apply -f too-far.yaml",
          "oc wait updateplan/too-far --for=jsonpath='{.status.phase}'=Failed --timeout=2m")),
      "cancel-plan.md", new Setup(() -> Options.ostree("4.17.1").pathUnitOff(), List.of()));

  /** What must hold on the device after a procedure ran, beyond each command's success. */
  static final Map<String, java.util.function.Consumer<SimulatedDevice>> AFTERWARDS = Map.of(
      "restore-rpm.md", ProceduresTest::restoredExactlyTheInstalledPackages);

  /**
   * restore-rpm.md: the downgrade put back exactly the MicroShift packages that were installed
   * (a glob would add every match), and OVN's state was cleaned first, as MicroShift's
   * pre-rollback script does.
   */
  static void restoredExactlyTheInstalledPackages(SimulatedDevice device) {
    Map<String, String> microshift = new java.util.TreeMap<>();
    device.commands().dnf().installed().forEach((name, version) -> {
      if (name.startsWith("microshift")) {
        microshift.put(name, version);
      }
    });
    assertTrue(microshift.equals(Map.of("microshift", "4.17.1", "microshift-networking", "4.17.1",
        "microshift-selinux", "4.17.1", "microshift-greenboot", "4.17.1")),
        "restore-rpm.md left these MicroShift packages: " + microshift);
    List<List<String>> calls = device.commands().calls();
    int cleanup = calls.indexOf(List.of("microshift-cleanup-data", "--ovn"));
    int start = calls.lastIndexOf(List.of("systemctl", "start", "microshift.service"));
    assertTrue(cleanup >= 0 && cleanup < start, "restore-rpm.md must run microshift-cleanup-data --ovn before"
        + " MicroShift starts again");
  }

  /** Files the setups use that no procedure shows. */
  static final Map<String, String> SETUP_FILES = Map.of("too-far.yaml", """
      apiVersion: updates.microshift.io/v1alpha1
      kind: UpdatePlan
      metadata:
        name: too-far
      spec:
        type: ostree
        target:
          version: 4.20.0
          ostreeRef: rhel-edge:rhel/9/x86_64/edge
      """);

  record Block(String info, String body) {}

  static List<Block> blocks(Path md) throws Exception {
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(md));
    while (m.find()) {
      String indent = m.group(1);
      String body = m.group(3).lines().map(l -> l.startsWith(indent) ? l.substring(indent.length()) : l)
          .reduce("", (a, b) -> a + b + "\n");
      out.add(new Block(m.group(2).trim(), body));
    }
    return out;
  }

  static Map<String, String> files() throws Exception {
    Map<String, String> files = new LinkedHashMap<>(SETUP_FILES);
    try (Stream<Path> docs = Files.list(DIR)) {
      for (Path md : docs.sorted().toList()) {
        for (Block b : blocks(md)) {
          Matcher f = Pattern.compile("^yaml file=(\\S+)$").matcher(b.info());
          if (f.matches()) {
            String previous = files.put(f.group(1), b.body());
            assertTrue(previous == null || previous.equals(b.body()),
                f.group(1) + " is shown twice with different contents");
          }
        }
      }
    }
    return files;
  }

  @TestFactory
  Stream<DynamicTest> everyRunnableBlockRunsOnTheSimulatedDevice(@TempDir Path work) throws Exception {
    for (Map.Entry<String, String> f : files().entrySet()) {
      Files.writeString(work.resolve(f.getKey()), f.getValue());
    }
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> docs = Files.list(DIR)) {
      for (Path md : docs.sorted().toList()) {
        List<Block> runnable = blocks(md).stream().filter(b -> b.info().equals("sh runnable")).toList();
        if (!runnable.isEmpty()) {
          tests.add(DynamicTest.dynamicTest(md.getFileName().toString(), () -> runProcedure(md, runnable, work)));
        }
      }
    }
    assertFalse(tests.isEmpty(), "no runnable blocks found in " + DIR);
    return tests.stream();
  }

  private static void runProcedure(Path md, List<Block> runnable, Path work) throws Exception {
    Setup setup = SETUPS.get(md.getFileName().toString());
    assertTrue(setup != null, md + " has runnable blocks but no setup in ProceduresTest.SETUPS");
    try (SimulatedDevice device = SimulatedDevice.start(setup.device().get())) {
      ProcedureShell shell = new ProcedureShell(device, work);
      for (String command : setup.commands()) {
        shell.run(command);
      }
      for (Block block : runnable) {
        String output = null;
        String command = null;
        for (String line : block.body().lines().toList()) {
          String l = line.strip();
          if (l.startsWith("# expect:")) {
            String want = l.substring("# expect:".length()).strip();
            assertTrue(output != null, md + ": '# expect' before any command");
            assertTrue(output.contains(want), md + ": `" + command + "` printed no '" + want + "':\n" + output);
          } else if (!l.isEmpty() && !l.startsWith("#")) {
            command = l;
            try {
              output = shell.run(l);
            } catch (AssertionError e) {
              throw new AssertionError(md + ": `" + l + "` failed: " + e.getMessage(), e);
            }
          }
        }
      }
      AFTERWARDS.getOrDefault(md.getFileName().toString(), d -> { }).accept(device);
    }
  }

  @Test
  void theShellSplitsLikeAShell() {
    assertTrue(ProcedureShell.split("oc get up x -o jsonpath='{.a} {.b}'").equals(
        List.of("oc", "get", "up", "x", "-o", "jsonpath={.a} {.b}")));
  }
}
