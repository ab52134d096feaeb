package io.microshift.update.hooks;

import static io.microshift.update.hooks.Pods.annotations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.HookPolicy.OnError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class HookDiscoveryTest {
  static final String PRE = "pre-update.hook.updates.microshift.io/";
  static final String VELERO_PRE = "pre.hook.backup.velero.io/";
  static final String VELERO_RESTORE = "post.hook.restore.velero.io/";

  KubernetesClient client;

  HookDiscovery discovery() {
    return new HookDiscovery(client, "microshift-update");
  }

  @Test
  void ourAnnotationsWithDefaultsFromThePolicyInAStableOrder() {
    Pods.create(client, Pods.running("shop", "web-1", annotations(PRE + "command", "[\"/bin/sync\"]"), "web"));
    Pods.create(client, Pods.running("app", "db-0", annotations(
        PRE + "command", "[\"pg_dump\", \"-f\", \"/backup/db.sql\"]",
        PRE + "container", "postgres",
        PRE + "timeout", "90s",
        PRE + "on-error", "Continue"), "sidecar", "postgres"));
    Pods.create(client, Pods.running("app", "cache-0", annotations(PRE + "command", "[\"redis-cli\", \"save\"]"), "redis"));
    HookPolicy policy = new HookPolicy();
    policy.defaultTimeout = "2m";

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, policy);

    assertEquals(List.of(
        new HookDefinition(HookPhase.PRE_UPDATE, "app", "cache-0", "redis", List.of("redis-cli", "save"),
            "pre-update.hook.updates.microshift.io", OnError.Fail, "2m"),
        new HookDefinition(HookPhase.PRE_UPDATE, "app", "db-0", "postgres", List.of("pg_dump", "-f", "/backup/db.sql"),
            "pre-update.hook.updates.microshift.io", OnError.Continue, "90s"),
        new HookDefinition(HookPhase.PRE_UPDATE, "shop", "web-1", "web", List.of("/bin/sync"),
            "pre-update.hook.updates.microshift.io", OnError.Fail, "2m")), d.hooks());
    assertEquals(List.of(), d.problems());
    assertTrue(discovery().discover(HookPhase.POST_UPDATE, policy).hooks().isEmpty(), "other phases see nothing");
  }

  @Test
  void veleroBackupAliasKeepsVelerosDefaults() {
    Pods.create(client, Pods.running("app", "db-0", annotations(
        VELERO_PRE + "command", "[\"/bin/uname\", \"-a\"]"), "first", "second"));
    Pods.create(client, Pods.running("app", "fs-0", annotations(
        VELERO_PRE + "command", "/sbin/fsfreeze --freeze /data"), "main"));
    HookPolicy policy = new HookPolicy();
    policy.defaultTimeout = "10m";
    policy.onError = OnError.Continue;

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, policy);

    assertEquals(List.of(
        new HookDefinition(HookPhase.PRE_UPDATE, "app", "db-0", "first", List.of("/bin/uname", "-a"),
            "pre.hook.backup.velero.io", OnError.Fail, "30s"),
        // Velero runs a non-JSON command as one program name, without a shell: so do we
        new HookDefinition(HookPhase.PRE_UPDATE, "app", "fs-0", "main", List.of("/sbin/fsfreeze --freeze /data"),
            "pre.hook.backup.velero.io", OnError.Fail, "30s")), d.hooks());
  }

  @Test
  void veleroRestoreAliasServesPostRollbackWithItsExecTimeoutAndContinueDefault() {
    Pods.create(client, Pods.running("app", "db-0", annotations(
        VELERO_RESTORE + "command", "[\"/bin/bash\", \"-c\", \"psql < /backup/db.sql\"]",
        VELERO_RESTORE + "container", "postgres",
        VELERO_RESTORE + "exec-timeout", "45s",
        VELERO_RESTORE + "wait-timeout", "5m"), "postgres"));

    Discovery d = discovery().discover(HookPhase.POST_ROLLBACK, null);

    assertEquals(List.of(new HookDefinition(HookPhase.POST_ROLLBACK, "app", "db-0", "postgres",
        List.of("/bin/bash", "-c", "psql < /backup/db.sql"), "post.hook.restore.velero.io", OnError.Continue, "45s")),
        d.hooks());
    assertTrue(discovery().discover(HookPhase.PRE_UPDATE, null).hooks().isEmpty());
  }

  @Test
  void aliasesCanBeSwitchedOffAndOurFamilyTakesPrecedence() {
    Pods.create(client, Pods.running("app", "db-0", annotations(
        VELERO_PRE + "command", "[\"velero-dump\"]",
        PRE + "command", "[\"our-dump\"]"), "db"));
    Pods.create(client, Pods.running("app", "legacy-0", annotations(VELERO_PRE + "command", "[\"velero-dump\"]"), "db"));

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, null);
    assertEquals(List.of("app/db-0 our-dump", "app/legacy-0 velero-dump"),
        d.hooks().stream().map(h -> h.namespace() + "/" + h.pod() + " " + String.join(" ", h.command())).toList());
    assertEquals(List.of("app/db-0: pre.hook.backup.velero.io/* ignored, pre-update.hook.updates.microshift.io/* takes precedence"),
        d.ignored());

    HookPolicy off = new HookPolicy();
    off.veleroAliases = false;
    assertEquals(List.of("app/db-0 our-dump"), discovery().discover(HookPhase.PRE_UPDATE, off).hooks().stream()
        .map(h -> h.namespace() + "/" + h.pod() + " " + String.join(" ", h.command())).toList());
  }

  @Test
  void malformedAnnotationsAreReportedPerPodWithClearMessages() {
    Pods.create(client, Pods.running("app", "a-badjson", annotations(PRE + "command", "[\"pg_dump\", "), "db"));
    Pods.create(client, Pods.running("app", "b-container", annotations(
        PRE + "command", "[\"pg_dump\"]", PRE + "container", "postgress"), "db", "metrics"));
    Pods.create(client, Pods.running("app", "c-duration", annotations(
        PRE + "command", "[\"pg_dump\"]", PRE + "timeout", "5 minutes", PRE + "on-error", "Continue"), "db"));
    Pods.create(client, Pods.running("app", "d-onerror", annotations(
        PRE + "command", "[\"pg_dump\"]", PRE + "on-error", "Ignore"), "db"));
    Pods.create(client, Pods.running("app", "e-string", annotations(PRE + "command", "pg_dump -f x"), "db"));
    Pods.create(client, Pods.running("app", "f-nocommand", annotations(PRE + "timeout", "1m"), "db"));
    Pods.create(client, Pods.running("app", "g-numbers", annotations(PRE + "command", "[\"sleep\", 5]"), "db"));

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, null);

    assertEquals(List.of(), d.hooks());
    Map<String, HookProblem> byPod = new java.util.HashMap<>();
    d.problems().forEach(p -> byPod.put(p.pod(), p));
    assertEquals(7, d.problems().size(), d.problems().toString());
    assertTrue(byPod.get("a-badjson").message().contains(PRE + "command: invalid JSON '[\"pg_dump\", '"),
        byPod.get("a-badjson").message());
    assertEquals("malformed hook annotations: " + PRE + "container: unknown container \"postgress\" (the pod has: db, metrics)",
        byPod.get("b-container").message());
    assertEquals("malformed hook annotations: " + PRE + "timeout: invalid duration \"5 minutes\" (expected e.g. 30s, 5m, 1h30m)",
        byPod.get("c-duration").message());
    assertEquals(OnError.Continue, byPod.get("c-duration").onError(), "a readable on-error is kept");
    assertEquals("malformed hook annotations: " + PRE + "on-error: \"Ignore\" is not Fail or Continue",
        byPod.get("d-onerror").message());
    assertEquals(OnError.Fail, byPod.get("d-onerror").onError(), "an unreadable on-error counts as Fail");
    assertTrue(byPod.get("e-string").message().contains("must be a JSON array of strings"));
    assertEquals("malformed hook annotations: " + PRE + "command is missing or empty", byPod.get("f-nocommand").message());
    assertTrue(byPod.get("g-numbers").message().contains("every element must be a string; got 5"));
  }

  /** Annotations that a lenient parser would take as something else than they say: each is Invalid. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> sloppyAnnotations() {
    return java.util.stream.Stream.of(
        args("trailing words after the array", PRE, PRE + "command", "[\"pg_dump\"] --all-databases",
            "invalid JSON"),
        args("a second array", PRE, PRE + "command", "[\"a\"] [\"rm\",\"-rf\",\"/\"]", "invalid JSON"),
        args("a second value after an object-free array", PRE, PRE + "command", "[\"a\"]\n{}", "invalid JSON"),
        args("trailing comma inside", PRE, PRE + "command", "[\"a\",]", "invalid JSON"),
        args("Velero family: trailing content after the array", VELERO_PRE, VELERO_PRE + "command",
            "[\"fsfreeze\"] ; reboot", "invalid JSON"),
        args("NUL in an argument", PRE, PRE + "command", "[\"pg_dump\", \"-f\\u0000x\"]", "NUL character"),
        args("Velero plain command with a NUL", VELERO_PRE, VELERO_PRE + "command", "fsfreeze\u0000", "NUL character"),
        args("a misspelt key", PRE, PRE + "timout", "1h", PRE + "timout: unknown annotation"),
        args("an unknown Velero key", VELERO_PRE, VELERO_PRE + "exec-timeout", "1m",
            VELERO_PRE + "exec-timeout: unknown annotation"),
        args("an empty container", PRE, PRE + "container", " ", PRE + "container is empty"),
        args("a timeout with spaces around it", PRE, PRE + "timeout", " 5m ", "has spaces around it"),
        args("a timeout with a trailing newline", PRE, PRE + "timeout", "5m\n", "has spaces around it"),
        args("on-error in lower case", PRE, PRE + "on-error", "fail", "is not Fail or Continue"),
        args("on-error with a trailing space", PRE, PRE + "on-error", "Fail ", "is not Fail or Continue"),
        // issue 14 item 5: oversize or absurd values are refused, not run and not copied into status
        args("a command of 1 MiB", PRE, PRE + "command", "[\"sh\", \"-c\", \"" + "x".repeat(1 << 20) + "\"]",
            PRE + "command: 1048592 characters, more than the 4096 bytes it may have"),
        args("a command just over 4096 bytes in UTF-8", PRE, PRE + "command", "[\"" + "\u00e9".repeat(2047) + "\"]",
            PRE + "command: 4098 bytes, more than the 4096 bytes it may have"),
        args("a Velero command of 1 MiB", VELERO_PRE, VELERO_PRE + "command", "x".repeat(1 << 20),
            "more than the 4096 bytes it may have"),
        args("257 arguments", PRE, PRE + "command", "[" + "\"a\",".repeat(256) + "\"a\"]", "more than 256 arguments"),
        args("a container name of 64 KiB", PRE, PRE + "container", "c".repeat(1 << 16),
            PRE + "container: 65536 characters, more than the 256 bytes it may have"),
        args("a timeout of 114 years", PRE, PRE + "timeout", "999999h", "is longer than 24h, the longest a hook may run"),
        args("a timeout just over a day", PRE, PRE + "timeout", "24h1s", "is longer than 24h"),
        args("a negative order", PRE, PRE + "order", "-1", PRE + "order: \"-1\" is not a whole number from 0 to 1000"),
        args("an order over 1000", PRE, PRE + "order", "1001", "is not a whole number from 0 to 1000"),
        args("an order with a sign", PRE, PRE + "order", "+2", "is not a whole number"),
        args("an order with a leading zero", PRE, PRE + "order", "07", "is not a whole number"),
        args("an order on a Velero alias", VELERO_PRE, VELERO_PRE + "order", "1", VELERO_PRE + "order: unknown annotation"));
  }

  private static org.junit.jupiter.params.provider.Arguments args(String name, String family, String key,
      String value, String expected) {
    return org.junit.jupiter.params.provider.Arguments.of(name, family, key, value, expected);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("sloppyAnnotations")
  void everyAnnotationIsParsedStrictlyAndFullyOrIsInvalid(String name, String family, String key, String value,
      String expected) {
    Map<String, String> a = new java.util.HashMap<>();
    a.put(family + "command", "[\"pg_dump\"]");
    a.put(key, value);
    Pod pod = Pods.running("app", "db-0", a, "db");
    AnnotationFamily f = family.equals(PRE) ? AnnotationFamily.ours(HookPhase.PRE_UPDATE)
        : AnnotationFamily.veleroPreBackup();
    ParsedHook parsed = HookAnnotationParser.parse(pod, HookPhase.PRE_UPDATE, f, null).orElseThrow();
    assertTrue(parsed instanceof HookProblem, name + ": accepted as " + parsed);
    String message = ((HookProblem) parsed).message();
    assertTrue(message.contains(expected), name + ": " + message);
    assertTrue(message.chars().allMatch(c -> c >= 0x20 && c < 0x7f), name + ": printable only: " + message);
  }

  @Test
  void theOrderAnnotationIsReadAndDefaultsToZero() {
    ParsedHook ordered = HookAnnotationParser.parse(Pods.running("app", "db-0",
        annotations(PRE + "command", "[\"pg_dump\"]", PRE + "order", "10"), "db"),
        HookPhase.PRE_UPDATE, AnnotationFamily.ours(HookPhase.PRE_UPDATE), null).orElseThrow();
    assertEquals(10, ((HookDefinition) ordered).order());
    ParsedHook plain = HookAnnotationParser.parse(Pods.running("app", "db-0",
        annotations(PRE + "command", "[\"pg_dump\"]", PRE + "timeout", "24h"), "db"),
        HookPhase.PRE_UPDATE, AnnotationFamily.ours(HookPhase.PRE_UPDATE), null).orElseThrow();
    assertEquals(0, ((HookDefinition) plain).order());
    assertEquals("24h", ((HookDefinition) plain).timeout(), "24h is the longest timeout, and allowed");
  }

  @Test
  void theStrictParserStillTakesWhatTheDocsShow() {
    assertEquals(List.of("pg_dump", "-f", "/backup/db.sql"),
        HookAnnotationParser.parseCommand("  [\"pg_dump\", \"-f\", \"/backup/db.sql\"]\n", true));
    assertEquals(List.of("sh", "-c", "line 1\nline 2"),
        HookAnnotationParser.parseCommand("[\"sh\", \"-c\", \"line 1\\nline 2\"]", true));
    assertEquals(List.of("/usr/bin/fsfreeze"), HookAnnotationParser.parseCommand("/usr/bin/fsfreeze", false));
    Map<String, String> a = annotations(VELERO_RESTORE + "command", "[\"psql\"]",
        VELERO_RESTORE + "wait-timeout", "1m", VELERO_RESTORE + "wait-for-ready", "true");
    ParsedHook parsed = HookAnnotationParser.parse(Pods.running("app", "db-0", a, "db"), HookPhase.POST_ROLLBACK,
        AnnotationFamily.veleroPostRestore(), null).orElseThrow();
    assertTrue(parsed instanceof HookDefinition, "Velero's own restore keys are accepted: " + parsed);
  }

  @Test
  void systemAndOperatorNamespacesAreNeverHooked() {
    Map<String, String> hook = annotations(PRE + "command", "[\"true\"]");
    for (String ns : List.of("kube-system", "openshift-dns", "openshift", "microshift-update", "default")) {
      Pods.create(client, Pods.running(ns, "p", hook, "c"));
    }

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, null);

    assertEquals(List.of("default"), d.hooks().stream().map(HookDefinition::namespace).toList());
  }

  @Test
  void podsNotRunningAreWaitedForAndFinishedOrTerminatingPodsAreIgnored() {
    Map<String, String> hook = annotations(PRE + "command", "[\"true\"]");
    Pods.create(client, new PodBuilder(Pods.running("app", "pending", hook, "c"))
        .editStatus().withPhase("Pending").withContainerStatuses().endStatus().build());
    Pod unready = Pods.running("app", "unready", hook, "c");
    unready.getStatus().getContainerStatuses().get(0).setReady(false);
    Pods.create(client, unready);
    Pods.create(client, new PodBuilder(Pods.running("app", "done", hook, "c"))
        .editStatus().withPhase("Succeeded").endStatus().build());

    Discovery d = discovery().discover(HookPhase.PRE_UPDATE, null);

    assertEquals(List.of(), d.hooks());
    assertEquals(List.of("pending: the pod is not running (phase Pending)", "unready: container c is not ready"),
        d.notReady().stream().map(p -> p.pod() + ": " + p.message()).toList());
    assertEquals(List.of("app/done: pre-update.hook.updates.microshift.io/* not run, the pod has finished (Succeeded)"),
        d.ignored());
  }
}
