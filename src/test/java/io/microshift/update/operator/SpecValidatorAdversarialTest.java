package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.microshift.update.api.BackupPolicy;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.MaintenanceWindow;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid specs, one mutation of a valid plan at a time: each is refused with a one-line message
 * that starts with the field's path and says what a valid value looks like.
 */
class SpecValidatorAdversarialTest {

  static UpdatePlanSpec ostree() {
    UpdatePlanSpec s = new UpdatePlanSpec();
    s.type = UpdateType.OSTREE;
    s.target = new UpdateTarget("4.17.3");
    s.target.ostreeRef = "rhel-edge:rhel/9/x86_64/edge";
    return s;
  }

  static UpdatePlanSpec rpm() {
    UpdatePlanSpec s = new UpdatePlanSpec();
    s.type = UpdateType.RPM;
    s.target = new UpdateTarget("4.17.3");
    s.target.packages = new ArrayList<>(List.of("microshift-4.17.3", "microshift-networking-4.17.3"));
    return s;
  }

  static WorkloadSelection workloads(UpdatePlanSpec s) {
    if (s.workloads == null) {
      s.workloads = new WorkloadSelection();
    }
    return s.workloads;
  }

  static LabelSelector selector(UpdatePlanSpec s) {
    if (workloads(s).selector == null) {
      workloads(s).selector = new LabelSelector();
    }
    return workloads(s).selector;
  }

  static MaintenanceWindow window(UpdatePlanSpec s) {
    s.maintenanceWindow = new MaintenanceWindow();
    s.maintenanceWindow.start = "02:00";
    s.maintenanceWindow.duration = "2h";
    return s.maintenanceWindow;
  }

  static HookPolicy hooks(UpdatePlanSpec s) {
    s.hooks = new HookPolicy();
    return s.hooks;
  }

  static BackupPolicy backup(UpdatePlanSpec s) {
    s.backup = new BackupPolicy();
    return s.backup;
  }

  static Arguments bad(String name, boolean rpm, Consumer<UpdatePlanSpec> mutate, String field) {
    return Arguments.of(name, rpm, mutate, field);
  }

  static LabelSelectorRequirement req(String key, String op, String... values) {
    return new LabelSelectorRequirement(key, op, values.length == 0 ? null : Arrays.asList(values));
  }

  static Stream<Arguments> invalidSpecs() {
    String longVersion = "4.18." + "1".repeat(300);
    return Stream.of(
        bad("no type", false, s -> s.type = null, "spec.type"),
        bad("no target", false, s -> s.target = null, "spec.target"),
        bad("no version", false, s -> s.target.version = null, "spec.target.version"),
        bad("empty version", false, s -> s.target.version = "", "spec.target.version"),
        bad("two-part version", false, s -> s.target.version = "4.18", "spec.target.version"),
        bad("v prefix", false, s -> s.target.version = "v4.18.1", "spec.target.version"),
        bad("shell injection", false, s -> s.target.version = "4.18.1; rm -rf /", "spec.target.version"),
        bad("leading dash", false, s -> s.target.version = "-4.18.1", "spec.target.version"),
        bad("option", false, s -> s.target.version = "--version", "spec.target.version"),
        bad("300 characters", false, s -> s.target.version = longVersion, "spec.target.version"),
        bad("arabic-indic digits", false, s -> s.target.version = "\u0664.\u0661\u0667.\u0663", "spec.target.version"),
        bad("fullwidth digits", false, s -> s.target.version = "\uff14.17.3", "spec.target.version"),
        bad("trailing newline", false, s -> s.target.version = "4.17.3\n", "spec.target.version"),
        bad("newline injection", false, s -> s.target.version = "4.17.3\nrm -rf /", "spec.target.version"),
        bad("leading zero", false, s -> s.target.version = "04.17.3", "spec.target.version"),
        bad("ref with ;", false, s -> s.target.ostreeRef = "rhel;reboot", "spec.target.ostreeRef"),
        bad("ref with $()", false, s -> s.target.ostreeRef = "rhel/$(id)", "spec.target.ostreeRef"),
        bad("ref with backtick", false, s -> s.target.ostreeRef = "rhel/`id`", "spec.target.ostreeRef"),
        bad("ref with space", false, s -> s.target.ostreeRef = "rhel edge", "spec.target.ostreeRef"),
        bad("ref with newline", false, s -> s.target.ostreeRef = "rhel\nedge", "spec.target.ostreeRef"),
        bad("ref with ..", false, s -> s.target.ostreeRef = "rhel/a..b", "spec.target.ostreeRef"),
        bad("ref path traversal", false, s -> s.target.ostreeRef = "../../etc/passwd", "spec.target.ostreeRef"),
        bad("ref option", false, s -> s.target.ostreeRef = "--os=x", "spec.target.ostreeRef"),
        bad("ref empty", false, s -> s.target.ostreeRef = "", "spec.target.ostreeRef"),
        bad("ref absolute", false, s -> s.target.ostreeRef = "/rhel/9", "spec.target.ostreeRef"),
        bad("ref 300 characters", false, s -> s.target.ostreeRef = "a/".repeat(150), "spec.target.ostreeRef"),
        bad("commit short", false, s -> s.target.ostreeCommit = "abc123", "spec.target.ostreeCommit"),
        bad("commit upper", false, s -> s.target.ostreeCommit = "A".repeat(64), "spec.target.ostreeCommit"),
        bad("commit option", false, s -> s.target.ostreeCommit = "-" + "a".repeat(63), "spec.target.ostreeCommit"),
        bad("commit empty", false, s -> s.target.ostreeCommit = "", "spec.target.ostreeCommit"),
        bad("ostree without ref", false, s -> s.target.ostreeRef = null, "spec.target"),
        bad("ostree with packages", false, s -> s.target.packages = List.of("microshift-4.17.3"), "spec.target.packages"),
        bad("package option", true, s -> s.target.packages.add("--setopt=reposdir=/tmp"), "spec.target.packages[2]"),
        bad("package -y", true, s -> s.target.packages.add("-y"), "spec.target.packages[2]"),
        bad("package with ;", true, s -> s.target.packages.add("microshift;reboot"), "spec.target.packages[2]"),
        bad("package with space", true, s -> s.target.packages.add("microshift networking"), "spec.target.packages[2]"),
        bad("package with newline", true, s -> s.target.packages.add("microshift\n-y"), "spec.target.packages[2]"),
        bad("package path", true, s -> s.target.packages.add("../../tmp/x.rpm"), "spec.target.packages[2]"),
        bad("package url", true, s -> s.target.packages.add("http://evil/x.rpm"), "spec.target.packages[2]"),
        bad("package glob", true, s -> s.target.packages.add("microshift*"), "spec.target.packages[2]"),
        bad("package empty", true, s -> s.target.packages.add(""), "spec.target.packages[2]"),
        bad("package null", true, s -> s.target.packages.add(null), "spec.target.packages[2]"),
        bad("package twice", true, s -> s.target.packages.add("microshift-4.17.3"), "spec.target.packages[2]"),
        bad("65 packages", true, s -> IntStream.range(0, 63).forEach(i -> s.target.packages.add("p" + i)), "spec.target.packages"),
        bad("10000 packages", true, s -> IntStream.range(0, 10000).forEach(i -> s.target.packages.add("p" + i)), "spec.target.packages"),
        bad("rpm without packages", true, s -> s.target.packages = new ArrayList<>(), "spec.target.packages"),
        bad("rpm without microshift", true, s -> s.target.packages = new ArrayList<>(List.of("microshift-4.17.2")), "spec.target.packages"),
        bad("rpm with ref", true, s -> s.target.ostreeRef = "rhel/9", "spec.target"),
        bad("namespace upper", false, s -> workloads(s).namespaces = List.of("Shop"), "spec.workloads.namespaces[0]"),
        bad("namespace injection", false, s -> workloads(s).namespaces = List.of("shop;id"), "spec.workloads.namespaces[0]"),
        bad("namespace empty", false, s -> workloads(s).namespaces = List.of(""), "spec.workloads.namespaces[0]"),
        bad("namespace leading dash", false, s -> workloads(s).namespaces = List.of("-shop"), "spec.workloads.namespaces[0]"),
        bad("namespace 64", false, s -> workloads(s).namespaces = List.of("a".repeat(64)), "spec.workloads.namespaces[0]"),
        bad("namespace twice", false, s -> workloads(s).namespaces = List.of("shop", "db", "shop"), "spec.workloads.namespaces[2]"),
        bad("257 namespaces", false, s -> workloads(s).namespaces = IntStream.range(0, 257).mapToObj(i -> "ns" + i).toList(), "spec.workloads.namespaces"),
        bad("100000 namespaces", false, s -> workloads(s).namespaces = Collections.nCopies(100000, "x"), "spec.workloads.namespaces"),
        bad("selector bad operator", false, s -> selector(s).setMatchExpressions(List.of(req("app", "Equals", "web"))), "spec.workloads.selector.matchExpressions[0].operator"),
        bad("selector no operator", false, s -> selector(s).setMatchExpressions(List.of(req("app", null, "web"))), "spec.workloads.selector.matchExpressions[0].operator"),
        bad("selector In without values", false, s -> selector(s).setMatchExpressions(List.of(req("app", "In"))), "spec.workloads.selector.matchExpressions[0].values"),
        bad("selector Exists with values", false, s -> selector(s).setMatchExpressions(List.of(req("app", "Exists", "web"))), "spec.workloads.selector.matchExpressions[0].values"),
        bad("selector bad key", false, s -> selector(s).setMatchExpressions(List.of(req("app name", "Exists"))), "spec.workloads.selector.matchExpressions[0].key"),
        bad("selector empty key", false, s -> selector(s).setMatchExpressions(List.of(req("", "Exists"))), "spec.workloads.selector.matchExpressions[0].key"),
        bad("selector null key", false, s -> selector(s).setMatchExpressions(List.of(req(null, "Exists"))), "spec.workloads.selector.matchExpressions[0].key"),
        bad("selector bad value", false, s -> selector(s).setMatchExpressions(List.of(req("app", "In", "web;id"))), "spec.workloads.selector.matchExpressions[0].values[0]"),
        bad("selector null expression", false, s -> selector(s).setMatchExpressions(Collections.singletonList(null)), "spec.workloads.selector.matchExpressions[0]"),
        bad("selector label key", false, s -> selector(s).setMatchLabels(Map.of("-app", "web")), "spec.workloads.selector.matchLabels['-app']"),
        bad("selector label prefix", false, s -> selector(s).setMatchLabels(Map.of("Example.COM/app", "web")), "spec.workloads.selector.matchLabels"),
        bad("selector label value", false, s -> selector(s).setMatchLabels(Map.of("app", "web app")), "spec.workloads.selector.matchLabels['app']"),
        bad("selector label value 64", false, s -> selector(s).setMatchLabels(Map.of("app", "a".repeat(64))), "spec.workloads.selector.matchLabels['app']"),
        bad("selector null label value", false, s -> {
          Map<String, String> m = new HashMap<>();
          m.put("app", null);
          selector(s).setMatchLabels(m);
        }, "spec.workloads.selector.matchLabels['app']"),
        bad("selector 65 labels", false, s -> {
          Map<String, String> m = new HashMap<>();
          IntStream.range(0, 65).forEach(i -> m.put("k" + i, "v"));
          selector(s).setMatchLabels(m);
        }, "spec.workloads.selector.matchLabels"),
        bad("selector 65 expressions", false, s -> selector(s).setMatchExpressions(
            IntStream.range(0, 65).mapToObj(i -> req("k" + i, "Exists")).toList()), "spec.workloads.selector.matchExpressions"),
        bad("drain negative", false, s -> workloads(s).drainTimeout = "-5m", "spec.workloads.drainTimeout"),
        bad("drain zero", false, s -> workloads(s).drainTimeout = "0s", "spec.workloads.drainTimeout"),
        bad("drain 10x", false, s -> workloads(s).drainTimeout = "10x", "spec.workloads.drainTimeout"),
        bad("drain no unit", false, s -> workloads(s).drainTimeout = "10", "spec.workloads.drainTimeout"),
        bad("drain empty", false, s -> workloads(s).drainTimeout = "", "spec.workloads.drainTimeout"),
        bad("drain spaces", false, s -> workloads(s).drainTimeout = " 5m", "spec.workloads.drainTimeout"),
        bad("drain ISO", false, s -> workloads(s).drainTimeout = "PT5M", "spec.workloads.drainTimeout"),
        bad("drain decimal", false, s -> workloads(s).drainTimeout = "1.5h", "spec.workloads.drainTimeout"),
        bad("drain too long", false, s -> workloads(s).drainTimeout = "25h", "spec.workloads.drainTimeout"),
        bad("drain overflow", false, s -> workloads(s).drainTimeout = "999999h".repeat(5000), "spec.workloads.drainTimeout"),
        bad("drain huge number", false, s -> workloads(s).drainTimeout = "99999999999999999999s", "spec.workloads.drainTimeout"),
        bad("health 5s", false, s -> s.healthCheckTimeout = "5s", "spec.healthCheckTimeout"),
        bad("health 999999h", false, s -> s.healthCheckTimeout = "999999h", "spec.healthCheckTimeout"),
        bad("health padded", false, s -> s.healthCheckTimeout = " 999999h", "spec.healthCheckTimeout"),
        bad("health trailing newline", false, s -> s.healthCheckTimeout = "10m\n", "spec.healthCheckTimeout"),
        bad("hook timeout zero", false, s -> hooks(s).defaultTimeout = "0m", "spec.hooks.defaultTimeout"),
        bad("hook timeout 0ms", false, s -> hooks(s).defaultTimeout = "0ms", "spec.hooks.defaultTimeout"),
        bad("hook timeout 500ms", false, s -> hooks(s).defaultTimeout = "500ms", "spec.hooks.defaultTimeout"),
        bad("hook timeout huge", false, s -> hooks(s).defaultTimeout = "999999h", "spec.hooks.defaultTimeout"),
        bad("hook timeout negative", false, s -> hooks(s).defaultTimeout = "-1s", "spec.hooks.defaultTimeout"),
        bad("hook parallelism 0", false, s -> hooks(s).parallelism = 0, "spec.hooks.parallelism"),
        bad("hook parallelism -1", false, s -> hooks(s).parallelism = -1, "spec.hooks.parallelism"),
        bad("hook parallelism 17", false, s -> hooks(s).parallelism = 17, "spec.hooks.parallelism"),
        bad("hook parallelism max int", false, s -> hooks(s).parallelism = Integer.MAX_VALUE, "spec.hooks.parallelism"),
        bad("retention 0", false, s -> backup(s).retention = 0, "spec.backup.retention"),
        bad("retention -1", false, s -> backup(s).retention = -1, "spec.backup.retention"),
        bad("retention 11", false, s -> backup(s).retention = 11, "spec.backup.retention"),
        bad("retention huge", false, s -> backup(s).retention = Integer.MAX_VALUE, "spec.backup.retention"),
        bad("retention min int", false, s -> backup(s).retention = Integer.MIN_VALUE, "spec.backup.retention"),
        bad("no etcd snapshot", false, s -> backup(s).etcdSnapshot = false, "spec.backup.etcdSnapshot"),
        bad("window 24:00", false, s -> window(s).start = "24:00", "spec.maintenanceWindow.start"),
        bad("window 2:00", false, s -> window(s).start = "2:00", "spec.maintenanceWindow.start"),
        bad("window 02:60", false, s -> window(s).start = "02:60", "spec.maintenanceWindow.start"),
        bad("window 2am", false, s -> window(s).start = "2am", "spec.maintenanceWindow.start"),
        bad("window seconds", false, s -> window(s).start = "02:00:00", "spec.maintenanceWindow.start"),
        bad("window no start", false, s -> window(s).start = null, "spec.maintenanceWindow.start"),
        bad("window no duration", false, s -> window(s).duration = null, "spec.maintenanceWindow.duration"),
        bad("window zero", false, s -> window(s).duration = "0h", "spec.maintenanceWindow.duration"),
        bad("window 1ms never opens", false, s -> window(s).duration = "1ms", "spec.maintenanceWindow.duration"),
        bad("window 30s never caught", false, s -> window(s).duration = "30s", "spec.maintenanceWindow.duration"),
        bad("window negative", false, s -> window(s).duration = "-2h", "spec.maintenanceWindow.duration"),
        bad("window 2 hours", false, s -> window(s).duration = "2 hours", "spec.maintenanceWindow.duration"),
        bad("window 8 days", false, s -> window(s).duration = "192h", "spec.maintenanceWindow.duration"),
        bad("window bad zone", false, s -> window(s).timeZone = "Mars/Olympus", "spec.maintenanceWindow.timeZone"),
        bad("window empty zone", false, s -> window(s).timeZone = "", "spec.maintenanceWindow.timeZone"),
        bad("window zone path", false, s -> window(s).timeZone = "../../etc/localtime", "spec.maintenanceWindow.timeZone"),
        bad("window zone long", false, s -> window(s).timeZone = "Europe/" + "B".repeat(100), "spec.maintenanceWindow.timeZone"),
        bad("window day twice", false, s -> window(s).days = List.of(MaintenanceWindow.Day.Mon, MaintenanceWindow.Day.Mon), "spec.maintenanceWindow.days[1]"),
        bad("window null day", false, s -> window(s).days = Collections.singletonList(null), "spec.maintenanceWindow.days[0]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void isRefusedNamingTheFieldAndWhatToWrite(String name, boolean rpm, Consumer<UpdatePlanSpec> mutate, String field) {
    UpdatePlanSpec s = rpm ? rpm() : ostree();
    mutate.accept(s);
    List<String> problems = SpecValidator.problems(s);
    assertFalse(problems.isEmpty(), name + ": accepted");
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(field)), name + ": no problem for " + field + " in " + problems);
    for (String p : problems) {
      assertTrue(p.startsWith("spec"), "starts with the field path: " + p);
      assertFalse(p.contains("\n") || p.contains("\r"), "one line: " + p);
      assertTrue(p.length() < 400, "short: " + p);
      assertTrue(p.matches(".*(e\\.g\\.|use |write |between|remove|at most|list each|must|needs|only for).*"),
          "says what to write: " + p);
    }
  }

  @Test
  void missingSpecSaysWhatToSet() {
    List<String> p = SpecValidator.problems(null);
    assertEquals(1, p.size());
    assertTrue(p.get(0).startsWith("spec: missing; set spec.type and spec.target") && p.get(0).contains("4.17.3"), p.get(0));
  }

  @Test
  void validEdgeValuesAreAccepted() {
    UpdatePlanSpec s = ostree();
    s.target.version = "4.18.0-rc.2";
    s.target.ostreeCommit = "a".repeat(64);
    s.healthCheckTimeout = "1h";
    workloads(s).namespaces = IntStream.range(0, 256).mapToObj(i -> "ns-" + i).toList();
    workloads(s).drainTimeout = "24h";
    selector(s).setMatchLabels(Map.of("example.com/app", "web", "tier", ""));
    selector(s).setMatchExpressions(List.of(req("app", "In", "web", "db"), req("legacy", "DoesNotExist")));
    hooks(s).defaultTimeout = "1s";
    hooks(s).parallelism = 16;
    backup(s).retention = 10;
    window(s).duration = "1m";
    s.maintenanceWindow.days = List.of(MaintenanceWindow.Day.Sat, MaintenanceWindow.Day.Sun);
    s.maintenanceWindow.timeZone = "Europe/Berlin";
    assertEquals(List.of(), SpecValidator.problems(s));
    UpdatePlanSpec r = rpm();
    r.target.packages = new ArrayList<>(IntStream.range(0, 63).mapToObj(i -> "p" + i).toList());
    r.target.packages.add("microshift-4.17.3-1.el9.x86_64");
    assertEquals(List.of(), SpecValidator.problems(r));
  }

  @Test
  void echoedValuesAreShortAndEscaped() {
    UpdatePlanSpec s = ostree();
    s.target.version = "4.17.3\u001b[31m" + "x".repeat(500);
    String p = String.join("\n", SpecValidator.problems(s));
    assertFalse(p.contains("\u001b"), p);
    assertTrue(p.contains("\\u001b"), p);
    assertTrue(p.contains("(511 characters)"), p);
    assertFalse(p.contains("x".repeat(100)), p);
  }

  @Test
  void echoedValuesLoseInvisibleCharactersPerCodePointAlsoAboveTheBmp() {
    UpdatePlanSpec s = ostree();
    s.target.version = "4.17.3\u202e\u200b\udb40\udc41\udb80\udc00\ud800";
    String p = String.join("\n", SpecValidator.problems(s));
    for (String hidden : List.of("\u202e", "\u200b", "\udb40\udc41", "\udb80\udc00", "\ud800")) {
      assertFalse(p.contains(hidden), p);
    }
    assertTrue(p.contains("'4.17.3\\u202e\\u200b\\u{e0041}\\u{f0000}\\ud800'"), p);
  }
}
