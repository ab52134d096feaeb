package io.microshift.update.sim;

import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.marker.HostStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code hack/demo}: three update stories on {@link SimulatedDevice}s, with the plans' phases as
 * {@code oc get updateplans} shows them, {@code oc describe}-style excerpts (conditions, hooks,
 * paused workloads, events) after Pausing, after the reboot and at the end, the host states from
 * host-status.json, and a summary. It says what is real and what is simulated; the frameworks' log
 * lines go to files under target/demo ({@link DemoLogging}); every line fits in 120 columns
 * ({@link WrappingOutput}). {@code --story z-stream|y-stream|rpm} (repeatable) runs only those.
 * Exits 1 when a story's outcome differs from the expected one.
 */
public final class Demo {
  static final Duration STORY_TIMEOUT = Duration.ofMinutes(3);
  static final PrintStream OUT = WrappingOutput.of(System.out);
  static final List<String> STORIES = List.of("z-stream", "y-stream", "rpm", "image");
  /** What {@code hack/demo} runs without {@code --story}: the image-mode story runs on request. */
  static final List<String> DEFAULT_STORIES = STORIES.subList(0, 3);

  record Row(String story, String expected, String outcome, boolean ok, Duration took) {}

  private final List<Row> rows = new ArrayList<>();
  private final Instant start = Instant.now();
  private final Set<String> stories;

  Demo(Set<String> stories) {
    this.stories = stories;
  }

  public static void main(String[] args) throws Exception {
    DemoLogging.toFiles(); // before the first logger is created
    Set<String> stories = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      if ("--story".equals(args[i]) && i + 1 < args.length && STORIES.contains(args[i + 1])) {
        stories.add(args[++i]);
      } else if ("--image".equals(args[i])) {
        stories.add("image");
      } else {
        OUT.println("usage: hack/demo [--story z-stream|y-stream|rpm|image]... [--image]   (default: the first three;"
            + " --image is --story image)");
        System.exit(2);
      }
    }
    Demo demo = new Demo(stories.isEmpty() ? new LinkedHashSet<>(DEFAULT_STORIES) : stories);
    int rc;
    try {
      rc = demo.run();
    } catch (Throwable t) {
      t.printStackTrace();
      rc = 2;
    }
    System.exit(rc);
  }

  int run() {
    intro();
    if (stories.contains("z-stream") || stories.contains("y-stream")) {
      try (SimulatedDevice edge = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1")
          .versions("4.17.3", "4.18.0").broken("4.18.0").log(OUT))) {
        if (stories.contains("z-stream")) {
          zStream(edge);
        }
        if (stories.contains("y-stream")) {
          if (!stories.contains("z-stream")) {
            OUT.println("  [demo] the y-stream story starts from 4.17.3: running the z-stream update first, quietly");
            edge.apply(SimulatedDevice.ostreePlan("z-stream-4-17-3", "4.17.3", ResumePolicy.AfterBoot));
            edge.autopilot(STORY_TIMEOUT);
            settle(edge, "z-stream-4-17-3");
          }
          yStreamRollback(edge);
        }
      }
    }
    if (stories.contains("rpm")) {
      try (SimulatedDevice rpm = SimulatedDevice.start(SimulatedDevice.Options.rpm("4.17.1").log(OUT))) {
        rpmUpdate(rpm);
      }
    }
    if (stories.contains("image")) {
      try (SimulatedDevice image = SimulatedDevice.start(SimulatedDevice.Options.image("4.17.1").versions("4.17.3").log(OUT))) {
        imageUpdate(image);
      }
    }
    return summary();
  }

  /** An image-mode (bootc) device updated to the image of 4.17.3 by digest (real etcd and ostree sysroot, fake bootc). */
  private void imageUpdate(SimulatedDevice edge) {
    successStory(edge, "4. image mode: bootc update 4.17.1 -> 4.17.3 (bootc switch, download-only until Apply)",
        SimulatedDevice.imagePlan("image-4-17-3", "4.17.3", ResumePolicy.AfterBoot), "/demo/before-image",
        "4. image mode 4.17.1 -> 4.17.3", "booted");
  }

  static void intro() {
    OUT.println("MicroShift update operator: demo on a simulated device");
    OUT.println();
    OUT.println("What is real in this demo:");
    OUT.println("  real       the operator and the host agent (this repository's code, as on a device), the marker files");
    OUT.println("             in /var/lib/microshift-update, the greenboot scripts of src/host/greenboot (run with bash),");
    OUT.println("             etcd (a real etcd process holding MicroShift's data), the ostree sysroot (a real ostree repo");
    OUT.println("             with one deployment per MicroShift version), cp of /var/lib/microshift (backup and restore)");
    OUT.println("  simulated  the Kubernetes API server (fabric8's mock server, its objects saved into the data dir),");
    OUT.println("             kubelet (pods follow replicas at once), rpm-ostree, bootc, dnf, rpm, systemctl, grub's boot");
    OUT.println("             counter, the reboots and MicroShift's own greenboot check (fakes modelled on the upstream tools,");
    OUT.println("             docs/simulated-device.md)");
    OUT.println("  staged     in story 2, 4.18.0 is marked broken: MicroShift's greenboot check fails on it, so it rolls back");
  }

  // ------------------------------------------------------------------ stories

  void zStream(SimulatedDevice d) {
    successStory(d, "1. ostree z-stream update 4.17.1 -> 4.17.3 (greenboot healthy)",
        SimulatedDevice.ostreePlan("z-stream-4-17-3", "4.17.3", ResumePolicy.AfterBoot), "/demo/before-z",
        "1. ostree z-stream 4.17.1 -> 4.17.3", "booted");
  }

  void yStreamRollback(SimulatedDevice d) {
    String name = "y-stream-4-18-0";
    header("2. ostree y-stream upgrade 4.17.3 -> 4.18.0 (staged: 4.18.0 fails greenboot; rollback and restore)");
    Instant t0 = Instant.now();
    d.etcdPut("/demo/before-y", "kept");
    d.appWrite("v1: orders before the upgrade");
    Watcher w = Watcher.start(d, name);
    PlanDescription describe = new PlanDescription(d, name);
    d.apply(SimulatedDevice.ostreePlan(name, "4.18.0", ResumePolicy.AfterBoot));
    String outcome;
    boolean ok;
    try {
      d.awaitRebootRequested(STORY_TIMEOUT);
      OUT.print(describe.describe("after Pausing: hooks ran, workloads paused; the host agent asks for the reboot"));
      d.reboot();
      // the new version runs for a while: it writes to etcd and the app writes data
      d.await("shop/web resumed on 4.18.0", Duration.ofSeconds(60),
          () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      OUT.print(describe.describe("after the reboot into 4.18.0, before greenboot's verdict"));
      d.etcdPut("/demo/written-on-4.18", "must be gone after the rollback");
      d.appWrite("v2: orders written on 4.18.0");
      OUT.println("  [demo] on 4.18.0: wrote etcd key /demo/written-on-4.18 and new app data");
      OUT.println("  [demo] staged: 4.18.0 is marked broken, so MicroShift's greenboot check fails; greenboot retries, then"
          + " rolls back");
      while (true) {
        SimulatedDevice.GreenbootResult g = d.greenbootRun();
        d.reboot();
        if (g.healthy() || d.hostStatus().map(s -> s.state().isTerminal()).orElse(false)) {
          break;
        }
      }
      UpdatePlan p = settle(d, name);
      Phase phase = p.getStatus().phase;
      boolean before = "kept".equals(d.etcdGet("/demo/before-y"));
      boolean after = d.etcdGet("/demo/written-on-4.18") == null;
      boolean app = "v1: orders before the upgrade".equals(d.appData()) && d.appRestoredMarker() != null;
      outcome = phase + ", booted " + d.bootedVersion() + "; etcd: pre-update key " + (before ? "kept" : "LOST")
          + ", 4.18 key " + (after ? "gone" : "STILL THERE") + "; app data " + (app ? "restored by hook" : "NOT restored");
      ok = phase == Phase.RolledBack && "4.17.3".equals(d.bootedVersion()) && before && after && app;
      OUT.println("  [demo] the restore brought back MicroShift's pre-update data dir: etcd and the API objects,"
          + " so the plan's status went back to AwaitingReboot; the operator continued from host-status.json");
      OUT.println("  [demo] post-rollback hook: " + d.appRestoredMarker());
      OUT.print(describe.describe("at the end"));
    } catch (AssertionError | RuntimeException e) {
      outcome = "error: " + e.getMessage();
      ok = false;
    } finally {
      w.stop();
    }
    report(d, name, t0);
    rows.add(new Row("2. ostree y-stream 4.17.3 -> 4.18.0", "RolledBack to 4.17.3, etcd + app data restored",
        outcome, ok, since(t0)));
  }

  void rpmUpdate(SimulatedDevice d) {
    successStory(d, "3. rpm update 4.17.1 -> 4.17.3 (dnf; greenboot healthy)",
        SimulatedDevice.rpmPlan("rpm-4-17-3", "4.17.3", ResumePolicy.AfterCommit), "/demo/before-rpm",
        "3. rpm 4.17.1 -> 4.17.3", "installed");
  }

  /** A story that must end Succeeded on the plan's target, with etcd data and the app intact. */
  private void successStory(SimulatedDevice d, String title, UpdatePlan plan, String etcdKey, String story,
      String verb) {
    String name = plan.getMetadata().getName();
    String target = plan.getSpec().target.version;
    header(title);
    Instant t0 = Instant.now();
    d.etcdPut(etcdKey, "kept");
    Watcher w = Watcher.start(d, name);
    PlanDescription describe = new PlanDescription(d, name);
    d.apply(plan);
    String outcome;
    boolean ok;
    try {
      d.awaitRebootRequested(STORY_TIMEOUT);
      OUT.print(describe.describe("after Pausing: hooks ran, workloads paused; the host agent asks for the reboot"));
      d.reboot();
      d.await("the operator back after the reboot", STORY_TIMEOUT, () -> {
        Phase now = d.phase(name);
        return now == Phase.Verifying || now == Phase.RollingBack || now != null && now.isTerminal();
      });
      OUT.print(describe.describe("after the reboot into " + target + ", before greenboot's verdict"));
      d.greenbootRun();
      UpdatePlan p = settle(d, name);
      Phase phase = p.getStatus().phase;
      boolean etcdKept = "kept".equals(d.etcdGet(etcdKey));
      d.await("shop/web ready", Duration.ofSeconds(60), () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      outcome = phase + ", " + verb + " " + d.bootedVersion() + ", etcd data " + (etcdKept ? "kept" : "LOST")
          + ", web " + d.appReadyReplicas() + "/" + SimulatedDevice.APP_REPLICAS;
      ok = phase == Phase.Succeeded && target.equals(d.bootedVersion()) && etcdKept;
      OUT.print(describe.describe("at the end"));
    } catch (AssertionError | RuntimeException e) {
      outcome = "error: " + e.getMessage();
      ok = false;
    } finally {
      w.stop();
    }
    report(d, name, t0);
    rows.add(new Row(story, "Succeeded, " + verb + " " + target, outcome, ok, since(t0)));
  }

  // ------------------------------------------------------------------ output

  /** Waits until the plan reaches a final phase. */
  static UpdatePlan settle(SimulatedDevice d, String name) {
    d.await("plan " + name + " to finish", STORY_TIMEOUT, () -> {
      Phase p = d.phase(name);
      return p == Phase.Succeeded || p == Phase.RolledBack || p == Phase.Failed;
    });
    return d.plan(name);
  }

  void header(String title) {
    OUT.println();
    OUT.println("=== " + title + " ===");
  }

  void report(SimulatedDevice d, String name, Instant t0) {
    OUT.println();
    OUT.println("$ oc get updateplans");
    OUT.print(getUpdatePlans(d));
    OUT.println();
    OUT.println("host-status.json (written by the host agent): history");
    d.hostStatus().ifPresent(s -> {
      for (HostStatus.HistoryEntry h : s.history()) {
        OUT.printf("  %s  %-10s %s%n", h.time(), h.state(), h.message());
      }
      OUT.println("  greenbootAttempts=" + s.greenbootAttempts() + " backupId=" + s.backupId()
          + (s.restoredBackupId() == null ? "" : " restoredBackupId=" + s.restoredBackupId()));
    });
    OUT.printf("story took %.1fs%n", since(t0).toMillis() / 1000.0);
  }

  static String getUpdatePlans(SimulatedDevice d) {
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"NAME", "TYPE", "TARGET", "PHASE", "AGE"});
    for (UpdatePlan p : d.kube().resources(UpdatePlan.class).list().getItems()) {
      String created = p.getMetadata().getCreationTimestamp();
      String age = created == null ? "?" : age(Duration.between(Instant.parse(created), Instant.now()));
      lines.add(new String[] {p.getMetadata().getName(), String.valueOf(p.getSpec().type).toLowerCase(),
          p.getSpec().target.version, p.getStatus() == null ? "" : String.valueOf(p.getStatus().phase), age});
    }
    return table(lines);
  }

  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 120 ? s + "s" : s / 60 + "m" + (s % 60) + "s";
  }

  static String table(List<String[]> lines) {
    int[] w = new int[lines.get(0).length];
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        w[i] = Math.max(w[i], l[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        b.append(i == l.length - 1 ? l[i] : String.format("%-" + (w[i] + 3) + "s", l[i]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  int summary() {
    OUT.println();
    OUT.println("=== summary ===");
    boolean all = true;
    for (Row r : rows) {
      OUT.printf("%-4s %s (%.1fs)%n", r.ok() ? "ok" : "NO", r.story(), r.took().toMillis() / 1000.0);
      OUT.println("       expected  " + r.expected());
      OUT.println("       outcome   " + r.outcome());
      all &= r.ok();
    }
    OUT.printf("demo took %.1fs: %s%n", since(start).toMillis() / 1000.0,
        all ? "every story ended as expected" : "A STORY DID NOT END AS EXPECTED");
    OUT.println("framework logs: " + DemoLogging.FRAMEWORK_LOG + " (operator, host agent, JOSDK, fabric8, netty), "
        + DemoLogging.JUL_LOG + " (mock API server)");
    return all && rows.size() == stories.size() ? 0 : 1;
  }

  static Duration since(Instant t) {
    return Duration.between(t, Instant.now());
  }

  /** Prints each phase change of the plan and each host state change, with the time since the start. */
  static final class Watcher {
    private final Thread thread;
    private volatile boolean running = true;

    private Watcher(SimulatedDevice d, String name) {
      Instant t0 = Instant.now();
      thread = new Thread(() -> {
        String lastPhase = null;
        String lastHost = null;
        boolean last = false;
        while (running || !last) {
          last = !running;
          try {
            UpdatePlan p = d.plan(name);
            String phase = p == null || p.getStatus() == null || p.getStatus().phase == null ? null
                : p.getStatus().phase.toString();
            if (phase != null && !Objects.equals(phase, lastPhase)) {
              OUT.printf("  %6.1fs  plan %-16s %-15s %s%n", since(t0).toMillis() / 1000.0, name, phase,
                  p.getStatus().message == null ? "" : p.getStatus().message);
              lastPhase = phase;
            }
            String host = d.hostStatus().filter(s -> p != null && s.request().uid().equals(p.getMetadata().getUid()))
                .map(s -> s.state().toString()).orElse(null);
            if (host != null && !Objects.equals(host, lastHost)) {
              OUT.printf("  %6.1fs  host %-16s %s%n", since(t0).toMillis() / 1000.0, "", host);
              lastHost = host;
            }
          } catch (RuntimeException e) {
            // a file being replaced, the API restarting: next round
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "demo-watcher");
      thread.setDaemon(true);
    }

    static Watcher start(SimulatedDevice d, String name) {
      Watcher w = new Watcher(d, name);
      w.thread.start();
      return w;
    }

    void stop() {
      running = false;
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
