package io.microshift.update.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.Watch;
import io.microshift.update.api.Phase;
import io.microshift.update.api.UpdatePlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The other side of {@code hack/bench.d/operator-footprint} (issue 7 c), which runs the operator as
 * the container does, in its own JVM: this process serves what the operator talks to, on loopback.
 *
 * <ul>
 *   <li>{@code jvm-options <deployment.yaml>}: prints the container's {@code JAVA_TOOL_OPTIONS} and,
 *       on a second line, its memory limit in bytes, on a third its {@code MALLOC_ARENA_MAX} (empty
 *       when unset), so the bench cannot drift from the manifest.
 *   <li>{@code serve <repo> <work dir> <workloads> <lifetime s>}: starts the fabric8 mock API
 *       server (CRUD, with exec expectations) holding the UpdatePlan CRD, MicroShift's version ConfigMap, and
 *       {@code workloads} hooked pods plus as many Deployments to pause. Writes
 *       {@code <work>/api-url}, then {@code <work>/ready}. When
 *       {@code <work>/create-plan} appears (naming the operator's state dir, where it answers the
 *       host's Prepare at once) it creates an ostree plan and from then on writes the
 *       plan's phase to {@code <work>/phase}; when request.json asks for the Apply, it writes
 *       {@code <work>/handoff} ({@link #handoff}). Stops on SIGTERM or after the lifetime.
 * </ul>
 */
public final class FootprintApiServer {
  static final String PLAN = "footprint";
  private FootprintApiServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("jvm-options")) {
      printJvmOptions(Path.of(args[1]));
      return;
    }
    if (args.length != 5 || !args[0].equals("serve")) {
      System.err.println("usage: jvm-options DEPLOYMENT.yaml | serve REPO WORK WORKLOADS LIFETIME_S");
      System.exit(2);
    }
    serve(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
  }

  static void printJvmOptions(Path deployment) throws IOException {
    JsonNode d = new YAMLMapper().readTree(deployment.toFile());
    JsonNode container = d.at("/spec/template/spec/containers/0");
    String options = null;
    String arenas = "";
    for (JsonNode e : container.path("env")) {
      if ("JAVA_TOOL_OPTIONS".equals(e.path("name").asText())) {
        options = e.path("value").asText();
      }
      if ("MALLOC_ARENA_MAX".equals(e.path("name").asText())) {
        arenas = e.path("value").asText();
      }
    }
    String limit = container.at("/resources/limits/memory").asText("");
    if (options == null || limit.isEmpty()) {
      throw new IllegalStateException(deployment + ": no JAVA_TOOL_OPTIONS or memory limit in the first container");
    }
    System.out.println(options.strip());
    System.out.println(quantityBytes(limit));
    System.out.println(arenas);
  }

  /** A Kubernetes memory quantity (binary or decimal suffix, or plain bytes) in bytes. */
  static long quantityBytes(String q) {
    Map<String, Long> units = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30,
        "k", 1000L, "M", 1_000_000L, "G", 1_000_000_000L);
    for (var u : units.entrySet()) {
      if (q.endsWith(u.getKey())) {
        return Long.parseLong(q.substring(0, q.length() - u.getKey().length())) * u.getValue();
      }
    }
    return Long.parseLong(q);
  }

  static void serve(Path repo, Path work, int workloads, long lifetimeSeconds) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    BenchMockApi api = null;
    Watch controller = null;
    Thread hook;
    try {
      api = new BenchMockApi(repo, 0, true); // TLS, as the operator meets the API server
      for (int i = 0; i < workloads; i++) {
        String pod = String.format("hooked-%02d", i);
        api.runningPod(OperatorHandoffBench.HOOKED_NS, pod, Map.of("app", pod),
            Map.of(OperatorHandoffBench.HOOK_ANNOTATION, "[\"/bin/true\"]"));
        api.expectExecExit0(OperatorHandoffBench.HOOKED_NS, pod, "main", OperatorHandoffBench.HOOK_ARGV);
        String name = String.format("paused-%02d", i);
        api.deployment(OperatorHandoffBench.PAUSED_NS, name, 1);
        api.runningPod(OperatorHandoffBench.PAUSED_NS, name + "-pod", Map.of("app", name), Map.of());
      }
      controller = OperatorHandoffBench.replicaSetController(api);
      // the operator is configured from environment variables, as in its pod (where fabric8 reads
      // the service account's token and the API server's address, and parses no kubeconfig)
      writeAtomically(work.resolve("api-url"), api.url() + "\n");
      // SIGTERM: let the loop end and the finally block stop the mock before the JVM exits
      Thread main = Thread.currentThread();
      hook = new Thread(() -> {
        stop.countDown();
        try {
          main.join(20_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "stop");
      Runtime.getRuntime().addShutdownHook(hook);
      writeAtomically(work.resolve("ready"), "ready\n");
      log("serving %s, %d hooked pods and %d Deployments", api.url(), workloads, workloads);

      long deadline = System.nanoTime() + lifetimeSeconds * 1_000_000_000L;
      boolean created = false;
      boolean handedOff = false;
      long createdAt = 0;
      String lastPhase = "";
      Path hostStateDir = null;
      int hostUid = -1;
      HostAfterApply host = null;
      long[] prepared = {0};
      HostAfterApply.Step afterApply = HostAfterApply.Step.WAITING;
      // every 10 ms: the host stand-in and the Apply; every 500 ms: the plan's phase (a GET of the
      // whole plan, 60 KB with 200 hooks: at 100 ms the bench's own GETs were 73 of the mock's
      // requests in a hand-off, the mock serialising and this JVM parsing each)
      for (int i = 0; System.nanoTime() < deadline && stop.getCount() > 0; i++) {
        if (!created && Files.exists(work.resolve("create-plan"))) {
          // the file names the operator's state dir: the host's Prepare is answered there at once
          String dir = Files.readString(work.resolve("create-plan")).trim();
          hostStateDir = dir.isEmpty() ? null : Path.of(dir);
          if (hostStateDir != null) {
            hostUid = (Integer) Files.getAttribute(hostStateDir, "unix:uid");
            host = new HostAfterApply(hostStateDir, hostUid);
          }
          createdAt = System.nanoTime();
          api.requests.clearCounts();
          api.client.resource(BenchMockApi.ostreePlan(PLAN, List.of(OperatorHandoffBench.PAUSED_NS)))
              .create();
          created = true;
        }
        if (handedOff && host != null) {
          afterApply = playHostAfterApply(work, api, host, afterApply);
        }
        if (created && hostStateDir != null && !handedOff) {
          handedOff = OperatorHandoffBench.applyWritten(hostStateDir, hostUid, createdAt, prepared);
          if (handedOff) {
            for (String line : api.requests.summary().split("\n")) {
              log("requests %s", line); // from the plan's creation to the Apply
            }
            writeAtomically(work.resolve("handoff"), handoff(api, System.nanoTime() - createdAt));
          }
        }
        if (created && i % 50 == 0) {
          UpdatePlan p = api.client.resources(UpdatePlan.class).withName(PLAN).get();
          Phase phase = p == null || p.getStatus() == null ? null : p.getStatus().phase;
          String now = phase == null ? "None" : phase.name();
          if (!now.equals(lastPhase)) {
            writeAtomically(work.resolve("phase"), now + "\n");
            log("%.2f s plan phase %s: %s", (System.nanoTime() - createdAt) / 1e9, now,
                p == null || p.getStatus() == null ? "" : p.getStatus().message);
            lastPhase = now;
          }
        }
        Thread.sleep(10);
      }
    } finally {
      if (controller != null) {
        controller.close();
      }
      if (api != null) {
        api.close();
      }
    }
  }

  /**
   * The rest of a whole update, when the bench asks for it (operator-footprint): {@code <work>/reboot}
   * -> the host stages and reboots ({@code <work>/rebooting} when done; the bench then kills the
   * operator); {@code <work>/booted} -> the target booted, MicroShift reports the target version
   * (the bench starts the operator again); then greenboot commits once the operator verified the
   * boot. Returns the step reached.
   */
  private static HostAfterApply.Step playHostAfterApply(Path work, BenchMockApi api, HostAfterApply host,
      HostAfterApply.Step step) throws IOException {
    switch (step) {
      case WAITING -> {
        if (Files.exists(work.resolve("reboot"))) {
          host.stageAndReboot();
          writeAtomically(work.resolve("rebooting"), "rebooting\n");
          return HostAfterApply.Step.REBOOTING;
        }
      }
      case REBOOTING -> {
        if (Files.exists(work.resolve("booted"))) {
          api.microShiftVersion("4.17.3");
          host.boot();
          log("the host booted the target");
          return HostAfterApply.Step.BOOTED;
        }
      }
      case BOOTED -> {
        if (host.commitWhenVerified()) {
          log("greenboot committed the target");
          return HostAfterApply.Step.COMMITTED;
        }
      }
      case COMMITTED -> { }
    }
    return step;
  }

  /**
   * The hand-off's line for {@code <work>/handoff}: its seconds from the plan's creation to
   * request.json asking for the Apply, then how many hooks succeeded and how many workloads are
   * paused in the plan's status, then its backup set id ("-" when none).
   */
  private static String handoff(BenchMockApi api, long nanos) {
    UpdatePlan p = api.client.resources(UpdatePlan.class).withName(PLAN).get();
    long hooks = p.getStatus().hooks.stream().filter(h -> "Succeeded".equals(h.state)).count();
    long paused = p.getStatus().pausedWorkloads.stream().filter(w -> "Paused".equals(w.state)).count();
    String backup = p.getStatus().backup == null || p.getStatus().backup.id == null ? "-" : p.getStatus().backup.id;
    return String.format(Locale.ROOT, "%.3f %d %d %s%n", nanos / 1e9, hooks, paused, backup);
  }

  static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "operator-footprint api: " + format + "%n", args);
  }
}
