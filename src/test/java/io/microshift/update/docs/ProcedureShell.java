package io.microshift.update.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.sim.SimulatedDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the command lines of the procedures' runnable blocks against a {@link SimulatedDevice}:
 * {@code oc} (the subset the procedures use, answered from the device's API) and
 * {@code microshift-update} (the real host agent), and the host's {@code systemctl}, {@code rpm},
 * {@code dnf} and {@code microshift-cleanup-data} (the device's fakes of them, which behave as
 * upstream does: see FakeHostCommands and FakeDnf), and {@code cat} of a file of the device.
 * {@code <backup-id>} stands for the backup
 * set id that {@code microshift-update status} shows. Anything else is refused, so a runnable
 * block can only hold what the test really executes. While a command waits, the device does
 * what a real one does on its own: it reboots when the host agent asks and runs greenboot.
 */
final class ProcedureShell {
  static final Duration MAX_WAIT = Duration.ofMinutes(3);
  private static final Pattern JSONPATH = Pattern.compile("\\{\\.([A-Za-z0-9_.]+)}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SimulatedDevice device;
  private final Path workDir;

  ProcedureShell(SimulatedDevice device, Path workDir) {
    this.device = device;
    this.workDir = workDir;
  }

  /** Runs one command line; returns its output; throws AssertionError when it fails. */
  String run(String line) throws Exception {
    List<String> argv = split(line).stream().map(this::placeholders).toList();
    if (argv.isEmpty()) {
      return "";
    }
    return switch (argv.get(0)) {
      case "oc", "kubectl" -> oc(argv.subList(1, argv.size()));
      case "microshift-update" -> agent(argv.subList(1, argv.size()));
      case "systemctl", "rpm", "dnf", "microshift-cleanup-data", "bootc" -> host(argv);
      case "cat" -> cat(argv);
      default -> throw new AssertionError("not runnable in the simulation: " + line);
    };
  }

  private KubernetesClient kube() {
    return device.kube();
  }

  private String oc(List<String> a) throws Exception {
    String verb = a.isEmpty() ? "" : a.get(0);
    switch (verb) {
      case "apply" -> {
        require(a.size() == 3 && a.get(1).equals("-f"), "oc apply -f FILE", a);
        UpdatePlan plan = kube().getKubernetesSerialization()
            .unmarshal(Files.readString(workDir.resolve(a.get(2))), UpdatePlan.class);
        UpdatePlan existing = kube().resources(UpdatePlan.class).withName(plan.getMetadata().getName()).get();
        if (existing == null) {
          device.apply(plan);
          return "updateplan.updates.microshift.io/" + plan.getMetadata().getName() + " created";
        }
        existing.setSpec(plan.getSpec());
        kube().resource(existing).update();
        return "updateplan.updates.microshift.io/" + plan.getMetadata().getName() + " configured";
      }
      case "get" -> {
        return get(a.subList(1, a.size()));
      }
      case "wait" -> {
        return waitFor(a.subList(1, a.size()));
      }
      case "delete" -> {
        require(a.size() == 3 && isPlanKind(a.get(1)), "oc delete updateplan NAME", a);
        String name = a.get(2);
        kube().resources(UpdatePlan.class).withName(name).delete();
        drive("deletion of " + name, () -> kube().resources(UpdatePlan.class).withName(name).get() == null);
        return "updateplan.updates.microshift.io \"" + name + "\" deleted";
      }
      default -> throw new AssertionError("oc " + verb + " is not simulated");
    }
  }

  private String get(List<String> a) throws Exception {
    require(!a.isEmpty(), "oc get KIND [NAME]", a);
    if (a.get(0).equals("crd")) {
      require(a.size() == 2, "oc get crd NAME", a);
      CustomResourceDefinition crd = kube().apiextensions().v1().customResourceDefinitions().withName(a.get(1)).get();
      if (crd == null) {
        throw new AssertionError("Error from server (NotFound): customresourcedefinitions \"" + a.get(1) + "\" not found");
      }
      return "NAME                                CREATED AT\n" + crd.getMetadata().getName() + "   "
          + crd.getMetadata().getCreationTimestamp();
    }
    require(isPlanKind(a.get(0)), "oc get updateplans", a);
    if (a.size() == 1) {
      return table(kube().resources(UpdatePlan.class).list().getItems());
    }
    UpdatePlan plan = kube().resources(UpdatePlan.class).withName(a.get(1)).get();
    if (plan == null) {
      throw new AssertionError("Error from server (NotFound): updateplans \"" + a.get(1) + "\" not found");
    }
    if (a.size() == 2) {
      return table(List.of(plan));
    }
    require(a.size() == 4 && a.get(2).equals("-o") && a.get(3).startsWith("jsonpath="), "-o jsonpath=TEMPLATE", a);
    return jsonpath(plan, a.get(3).substring("jsonpath=".length()));
  }

  private String waitFor(List<String> a) throws Exception {
    require(a.size() >= 2 && a.get(0).startsWith("updateplan/"), "oc wait updateplan/NAME --for=...", a);
    String name = a.get(0).substring("updateplan/".length());
    String cond = a.stream().filter(x -> x.startsWith("--for=jsonpath=")).findFirst()
        .orElseThrow(() -> new AssertionError("oc wait needs --for=jsonpath='{...}'=VALUE"))
        .substring("--for=jsonpath=".length());
    int eq = cond.lastIndexOf('=');
    String path = cond.substring(0, eq);
    String want = cond.substring(eq + 1);
    String[] last = {""};
    drive(name + " " + path + "=" + want, () -> {
      UpdatePlan p = kube().resources(UpdatePlan.class).withName(name).get();
      last[0] = p == null ? "(no plan)" : jsonpath(p, path);
      if (!want.equals(last[0]) && p != null && p.getStatus() != null && p.getStatus().phase != null
          && p.getStatus().phase.isTerminal()) {
        throw new AssertionError("updateplan/" + name + " ended " + p.getStatus().phase + " ("
            + p.getStatus().message + "), " + path + " is '" + last[0] + "', not '" + want + "'");
      }
      return want.equals(last[0]);
    });
    return "updateplan.updates.microshift.io/" + name + " condition met";
  }

  /** Waits for {@code done}, letting the device reboot and run greenboot as it would on its own. */
  private void drive(String what, ThrowingCheck done) throws Exception {
    Instant end = Instant.now().plus(MAX_WAIT);
    while (!done.ok()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out waiting for " + what + "; device: " + device.describe());
      }
      if (device.rebootRequested()) {
        device.autopilot(Duration.ofSeconds(60));
      }
      Thread.sleep(200);
    }
  }

  /** {@code cat FILE}: a file of the device, by its absolute path on the host. */
  private String cat(List<String> argv) throws Exception {
    require(argv.size() == 2 && argv.get(1).startsWith("/"), "cat /ABSOLUTE/PATH", argv);
    Path file = device.paths().host(argv.get(1));
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("cat: " + argv.get(1) + ": No such file or directory");
    }
    return Files.readString(file);
  }

  private String agent(List<String> verb) {
    int before = device.agentLog().length();
    int rc = device.agent(verb.toArray(String[]::new));
    String out = device.agentLog().substring(before);
    if (rc != 0) {
      throw new AssertionError("microshift-update " + String.join(" ", verb) + " exited " + rc + ":\n" + out);
    }
    return out;
  }

  /** {@code <backup-id>}: the backup set of the update the host agent recorded. */
  private String placeholders(String word) {
    if (!word.equals("<backup-id>")) {
      return word;
    }
    return device.hostStatus().map(s -> s.backupId()).orElseThrow(
        () -> new AssertionError("<backup-id>: no host-status.json with a backup id"));
  }

  /** A host command, run by the device's fake of it; it must exit 0. */
  private String host(List<String> argv) {
    io.microshift.update.host.CommandRunner.Result r = device.commands().run(argv);
    String out = r.stdout() + r.stderr();
    if (!r.ok()) {
      throw new AssertionError(String.join(" ", argv) + " exited " + r.exitCode() + ":\n" + out);
    }
    if (!device.commands().unexpected().isEmpty()) {
      throw new AssertionError("not simulated: " + device.commands().unexpected());
    }
    return out;
  }

  private static String table(List<UpdatePlan> plans) {
    if (plans.isEmpty()) {
      return "No resources found";
    }
    StringBuilder b = new StringBuilder(String.format("%-20s %-7s %-8s %-15s %s%n", "NAME", "TYPE", "TARGET", "PHASE", "AGE"));
    for (UpdatePlan p : plans) {
      b.append(String.format("%-20s %-7s %-8s %-15s %s%n", p.getMetadata().getName(), p.getSpec().type.value(),
          p.getSpec().target.version, p.getStatus() == null || p.getStatus().phase == null ? "" : p.getStatus().phase,
          "1m"));
    }
    return b.toString();
  }

  private String jsonpath(UpdatePlan plan, String template) {
    JsonNode root = JSON.valueToTree(kube().getKubernetesSerialization().convertValue(plan, Map.class));
    String t = template.startsWith("'") && template.endsWith("'") ? template.substring(1, template.length() - 1) : template;
    Matcher m = JSONPATH.matcher(t);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      JsonNode n = root;
      for (String part : m.group(1).split("\\.")) {
        n = n.path(part);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(n.isMissingNode() || n.isNull() ? "" : n.isTextual() ? n.asText() : n.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static boolean isPlanKind(String kind) {
    return List.of("updateplan", "updateplans", "up").contains(kind);
  }

  private static void require(boolean ok, String usage, List<String> args) {
    if (!ok) {
      throw new AssertionError("not simulated: oc " + String.join(" ", args) + " (supported: " + usage + ")");
    }
  }

  /** Splits a command line like a shell: words, 'single' and "double" quotes; no expansion. */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : line.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(w.toString());
          w.setLength(0);
          inWord = false;
        }
      } else {
        w.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new AssertionError("unbalanced quote in: " + line);
    }
    if (inWord) {
      words.add(w.toString());
    }
    return words;
  }

  @FunctionalInterface
  interface ThrowingCheck {
    boolean ok() throws Exception;
  }
}
