package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.host.CrashAt;
import io.microshift.update.host.CrashPoints;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The three stories of the demo on a {@link SimulatedDevice}, step by step: operator, marker
 * protocol, host agent, greenboot scripts, real etcd and ostree.
 */
@Timeout(180)
class EndToEndTest {
  static final Duration T = Duration.ofSeconds(60);

  static List<String> eventReasons(SimulatedDevice d, String plan) {
    return d.kube().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> plan.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }

  /** Every event of the plan as "Type Reason: message", printed for the test log. */
  static List<String> events(SimulatedDevice d, String plan) {
    List<String> all = d.kube().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> plan.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).toList();
    all.forEach(e -> System.out.println("event " + e));
    return all;
  }

  static List<HostState> history(HostStatus s) {
    return s.history().stream().map(HostStatus.HistoryEntry::state).toList();
  }

  /**
   * Samples (plan phase, host state) every 20 ms while a story runs: a plan must never be
   * Succeeded unless greenboot committed the update (host state Committed).
   */
  static final class Invariant implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;
    final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Invariant(SimulatedDevice d, String plan) {
      thread = new Thread(() -> {
        while (running) {
          try {
            HostState host = d.hostStatus().map(HostStatus::state).orElse(null);
            Phase phase = d.phase(plan);
            seen.add(phase + "/" + host);
            if (phase == Phase.Succeeded && host != HostState.Committed) {
              violations.add("plan Succeeded while the host is " + host);
            }
            if (host == HostState.Preparing && d.appReplicas() == 0) {
              violations.add("a workload was paused while the host was still preparing (downloading, staging)");
            }
          } catch (RuntimeException e) {
            // a marker being replaced: next sample
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertEquals(List.of(), violations, "samples: " + seen);
    }
  }

  /** The operator has written its verification for the current boot. */
  static void awaitVerified(SimulatedDevice d, String plan) {
    d.await("the operator's verification of boot " + d.bootId(), T, () -> d.request()
        .map(r -> r.verification() != null && d.bootId().equals(r.verification().bootId())).orElse(false));
  }

  @Test
  void ostreeZStreamSucceedsOnlyOnceGreenbootCommittedAndAfterCommitKeepsWorkloadsPausedUntilThen() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3"));
        Invariant never = new Invariant(d, "z-stream")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.ostreePlan("z-stream", "4.17.3", ResumePolicy.AfterCommit));

      d.awaitRebootRequested(T);
      assertEquals(0, d.appReplicas(), "paused before the reboot");
      assertEquals(HostState.Rebooting, d.hostStatus().orElseThrow().state());

      d.reboot();
      assertEquals("4.17.3", d.bootedVersion());
      assertEquals(HostState.Booted, d.hostStatus().orElseThrow().state());
      d.awaitPhase("z-stream", Phase.Verifying, T);
      awaitVerified(d, "z-stream");
      // booted and verified, but greenboot has not spoken: no success, workloads still paused
      assertNotEquals(Phase.Succeeded, d.phase("z-stream"));
      assertEquals(0, d.appReplicas(), "AfterCommit: paused until the host reports Committed");

      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      assertEquals(HostState.Committed, d.hostStatus().orElseThrow().state());
      UpdatePlan p = d.awaitPhase("z-stream", Phase.Succeeded, T);

      assertTrue(p.getStatus().message.contains("4.17.1 -> 4.17.3"), p.getStatus().message);
      d.await("shop/web back at 2 ready replicas", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(SimulatedDevice.APP_REPLICAS, d.appReplicas());
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(List.of(HostState.Preparing, HostState.Prepared, HostState.Staged, HostState.Rebooting, HostState.Booted,
          HostState.Healthy, HostState.Committed), history(s));
      assertEquals(d.commitOf("4.17.3"), s.deploymentAfter());
      assertEquals(0, s.greenbootAttempts());
      assertEquals(p.getStatus().backup.id, s.backupId());
      // the host's facts in the plan's status: it prepared with the finalization locked, and took the snapshot
      assertEquals(d.commitOf("4.17.3"), p.getStatus().host.facts.stagedDeployment);
      assertEquals(Boolean.TRUE, p.getStatus().host.facts.finalizationLocked);
      assertEquals(s.etcdSnapshot().sha256(), p.getStatus().host.facts.etcdSnapshotSha256);
      assertTrue(never.seen.stream().anyMatch(x -> x.startsWith("Preparing/")), "the plan went through Preparing: "
          + never.seen);
      assertEquals("4.17.3", d.kube().configMaps().inNamespace("kube-public").withName("microshift-version").get()
          .getData().get("version"));
      assertTrue(d.execs().stream().anyMatch(e -> e.endsWith(": app-data backup")), d.execs().toString());
      assertTrue(d.execs().stream().anyMatch(e -> e.endsWith(": app-data check")), "post-update hook: " + d.execs());
      assertTrue(d.execs().stream().noneMatch(e -> e.endsWith(": app-data restore")), d.execs().toString());
      assertTrue(!events(d, "z-stream").isEmpty(), "events recorded");
      System.out.println("conditions " + d.kube().getKubernetesSerialization().asJson(p.getStatus().conditions));
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void ostreeYStreamWhoseHealthCheckFailsRollsBackAndRestoresEtcdAndTheAppsData() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.18.0")
        .broken("4.18.0").maxBootAttempts(3));
        Invariant never = new Invariant(d, "y-stream")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.ostreePlan("y-stream", "4.18.0", ResumePolicy.AfterBoot));
      d.awaitRebootRequested(T);
      String backupId = d.plan("y-stream").getStatus().backup.id;
      assertEquals("v1: orders before the update", d.appData());

      d.reboot();
      assertEquals("4.18.0", d.bootedVersion());
      d.awaitPhase("y-stream", Phase.Verifying, T);
      // AfterBoot: the workload is back at its recorded replicas before any commit
      d.await("shop/web resumed before the commit", T, () -> d.appReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(HostState.Booted, d.hostStatus().orElseThrow().state());
      // written on the new version, after the host's data copy: must be gone after the rollback
      d.etcdPut("/sim/written-on-4.18", "lost");
      d.appWrite("v2: orders written on 4.18.0");

      for (int attempt = 1; attempt <= 3; attempt++) {
        SimulatedDevice.GreenbootResult g = d.greenbootRun();
        assertTrue(!g.healthy(), g.output());
        assertEquals(attempt, g.failedAttempts());
        assertEquals(attempt == 3, g.fallbackNext());
        assertEquals(HostState.Unhealthy, d.hostStatus().orElseThrow().state());
        assertNotEquals(Phase.Succeeded, d.phase("y-stream"), "a boot greenboot rejects is never a success");
        d.reboot();
        if (attempt < 3) {
          assertEquals("4.18.0", d.bootedVersion(), "greenboot retries the target");
          assertEquals(HostState.Booted, d.hostStatus().orElseThrow().state());
        }
      }
      assertEquals("4.17.1", d.bootedVersion(), "greenboot fell back to the previous deployment");
      assertEquals(HostState.Restored, d.hostStatus().orElseThrow().state());

      UpdatePlan p = d.awaitPhase("y-stream", Phase.RolledBack, T);
      String msg = p.getStatus().message;
      assertTrue(msg.contains("3 greenboot attempts"), msg);
      assertTrue(msg.contains("backup " + backupId + " restored"), msg);
      assertTrue(p.getStatus().conditions.stream().anyMatch(c -> "RolledBack".equals(c.getReason())),
          "RolledBack reason on the conditions");
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertNull(d.etcdGet("/sim/written-on-4.18"), "etcd is back to its pre-update data");
      assertEquals("v1: orders before the update", d.appData(), "the post-rollback hook restored the app's data");
      assertNotNull(d.appRestoredMarker());
      d.await("shop/web back at 2 ready replicas", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(SimulatedDevice.APP_REPLICAS, d.appReplicas());
      assertEquals("4.17.1", d.kube().configMaps().inNamespace("kube-public").withName("microshift-version").get()
          .getData().get("version"));
      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(backupId, s.restoredBackupId());
      assertEquals(3, s.greenbootAttempts());
      assertEquals(List.of(HostState.Preparing, HostState.Prepared, HostState.Staged, HostState.Rebooting, HostState.Booted,
          HostState.Unhealthy, HostState.Booted, HostState.Unhealthy, HostState.Booted, HostState.Unhealthy,
          HostState.RolledBack, HostState.Restored), history(s));
      assertTrue(d.execs().stream().anyMatch(e -> e.endsWith(": app-data restore")), d.execs().toString());
      assertTrue(d.execs().stream().noneMatch(e -> e.endsWith(": app-data check")), "no post-update hook: " + d.execs());
      List<String> ev = events(d, "y-stream");
      assertTrue(!ev.isEmpty(), "events recorded");
      System.out.println("conditions " + d.kube().getKubernetesSerialization().asJson(p.getStatus().conditions));
      assertEquals(List.of(), d.commands().unexpected());

      // what `oc describe updateplan y-stream` shows after the rollback restored etcd to the snapshot
      String snapshotTime = s.etcdSnapshot().time();
      String told = "the update to 4.18.0 failed greenboot's health checks (3 greenboot attempts); greenboot rolled back"
          + " to deployment " + s.deploymentBefore() + " and backup " + backupId + " restored MicroShift's data"
          + " (etcd as of its snapshot, " + snapshotTime + "); events and status changes of this plan after "
          + snapshotTime + " were lost with the restored etcd";
      // the restored plan is where the snapshot caught it: AwaitingReboot, or Applying when the operator
      // saw the host's Staged (it wakes on the file change) before the host took the snapshot
      assertTrue(ev.stream().anyMatch(e -> (e.startsWith("Warning GreenbootRollback: AwaitingReboot -> RollingBack: " + told)
          || e.startsWith("Warning GreenbootRollback: Applying -> RollingBack: " + told))),
          "the rollback's event, from the restored AwaitingReboot or Applying: " + ev);
      assertTrue(ev.stream().anyMatch(e -> e.startsWith("Warning RolledBack: RollingBack -> RolledBack: rolled back to"
          + " 4.17.1: " + told)), ev.toString());
      assertTrue(ev.stream().noneMatch(e -> e.contains("HostAccepted") && e.contains("RollingBack")), ev.toString());
      for (String type : List.of("Ready", "Degraded")) {
        io.fabric8.kubernetes.api.model.Condition c = p.getStatus().conditions.stream()
            .filter(x -> type.equals(x.getType())).findFirst().orElseThrow();
        assertEquals("RolledBack", c.getReason(), type);
        assertTrue(c.getMessage().contains(told), c.getMessage());
      }
      io.microshift.update.api.HostUpdateRecord last = p.getStatus().host.history.get(0);
      assertEquals("y-stream", last.plan);
      assertEquals("RolledBack", last.outcome);
      assertEquals(backupId, last.restoredBackupId);
      assertEquals(snapshotTime, last.etcdSnapshotTime);
      assertEquals(3, last.greenbootAttempts);
      assertEquals(s.deploymentBefore(), last.deploymentAfter);
    }
  }

  @Test
  void rpmUpdateSucceedsAndAfterBootResumesWorkloadsBeforeTheCommit() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.rpm("4.17.1"));
        Invariant never = new Invariant(d, "rpm-z")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.rpmPlan("rpm-z", "4.17.3", ResumePolicy.AfterBoot));
      d.awaitRebootRequested(T);
      assertEquals(0, d.appReplicas());
      assertTrue(d.commands().calls().contains(List.of("dnf", "install", "-y", "microshift-4.17.3",
          "microshift-networking-4.17.3", "microshift-selinux-4.17.3", "microshift-greenboot-4.17.3")),
          d.commands().calls().toString());

      d.reboot();
      assertEquals("4.17.3", d.bootedVersion());
      d.awaitPhase("rpm-z", Phase.Verifying, T);
      d.await("shop/web resumed before the commit", T, () -> d.appReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals(HostState.Booted, d.hostStatus().orElseThrow().state(), "resumed before Committed");
      assertNotEquals(Phase.Succeeded, d.phase("rpm-z"));

      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      UpdatePlan p = d.awaitPhase("rpm-z", Phase.Succeeded, T);
      assertTrue(p.getStatus().message.contains("4.17.1 -> 4.17.3"), p.getStatus().message);
      d.await("shop/web ready", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(HostState.Committed, s.state());
      assertEquals(List.of(HostState.Preparing, HostState.Prepared, HostState.Staged, HostState.Rebooting, HostState.Booted,
          HostState.Healthy, HostState.Committed), history(s));
      assertTrue(!events(d, "rpm-z").isEmpty(), "events recorded");
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  /**
   * An rpm y-stream: the plan names the rhocp-4.18 and fast-datapath repositories; the operator
   * carries them in request.json and the agent enables them for the download and the install;
   * a y-stream reboots even with reboot: IfNeeded.
   */
  @Test
  void rpmYStreamEnablesThePlansRepositoriesAndReboots() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.rpm("4.17.1"));
        Invariant never = new Invariant(d, "rpm-y")) {
      UpdatePlan plan = SimulatedDevice.rpmRestartPlan("rpm-y", "4.18.0", ResumePolicy.AfterBoot);
      plan.getSpec().target.repositories = new java.util.ArrayList<>(List.of("rhocp-4.18-for-rhel-9-x86_64-rpms",
          "fast-datapath-for-rhel-9-x86_64-rpms"));
      d.apply(plan);
      d.awaitRebootRequested(T);
      assertEquals(List.of("rhocp-4.18-for-rhel-9-x86_64-rpms", "fast-datapath-for-rhel-9-x86_64-rpms"),
          d.request().orElseThrow().target().repositories());
      assertTrue(d.commands().calls().contains(List.of("dnf", "install", "-y",
          "--enablerepo=rhocp-4.18-for-rhel-9-x86_64-rpms", "--enablerepo=fast-datapath-for-rhel-9-x86_64-rpms",
          "microshift-4.18.0", "microshift-networking-4.18.0", "microshift-selinux-4.18.0",
          "microshift-greenboot-4.18.0")), d.commands().calls().toString());
      d.autopilot(T);
      d.awaitPhase("rpm-y", Phase.Succeeded, T);
      assertEquals("4.18.0", d.bootedVersion());
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void aPowerCutAfterTheDataCopyIsResumedByTheApplyUnitAtBootAndTheUpdateStillSucceeds() {
    CrashAt hook = new CrashAt(CrashPoints.APPLY_DATA_COPIED);
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.17.3")
        .crash(hook));
        Invariant never = new Invariant(d, "cut")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.ostreePlan("cut", "4.17.3", ResumePolicy.AfterBoot));
      d.await("the crash point", T, hook::fired);
      assertEquals(List.of("simulated crash at " + CrashPoints.APPLY_DATA_COPIED),
          d.agentCrashes());
      assertEquals(HostState.Staged, d.hostStatus().orElseThrow().state());

      d.powerCut();   // the staged deployment is lost with the power; apply runs again at boot
      assertEquals("4.17.1", d.bootedVersion());
      d.awaitRebootRequested(T);
      d.reboot();
      assertEquals("4.17.3", d.bootedVersion());
      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(g.healthy(), g.output());
      d.awaitPhase("cut", Phase.Succeeded, T);
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertEquals(HostState.Committed, d.hostStatus().orElseThrow().state());
      d.await("shop/web ready", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      System.out.println(d.agentLog());
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void rpmUpdateWhoseHealthCheckFailsEndsFailedWithTheRestoreCommandAndResumedWorkloads() {
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.rpm("4.17.1").broken("4.17.3"));
        Invariant never = new Invariant(d, "rpm-bad")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.rpmPlan("rpm-bad", "4.17.3", ResumePolicy.AfterCommit));
      d.awaitRebootRequested(T);
      d.reboot();
      SimulatedDevice.GreenbootResult g = d.greenbootRun();
      assertTrue(!g.healthy(), g.output());
      assertTrue(!g.fallbackNext(), "rpm hosts have no automatic rollback");
      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(HostState.Failed, s.state());
      UpdatePlan p = d.awaitPhase("rpm-bad", Phase.Failed, T);
      String backupId = p.getStatus().backup.id;
      assertTrue(p.getStatus().message.contains("microshift-update restore " + backupId), p.getStatus().message);
      d.await("shop/web resumed after the failure", T, () -> d.appReplicas() == SimulatedDevice.APP_REPLICAS);
      assertEquals("4.17.3", d.bootedVersion(), "nothing rolls an rpm host back by itself");
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertTrue(java.nio.file.Files.isDirectory(d.stateDir().resolve("backups").resolve(backupId).resolve("data")),
          "the backup set to restore from is there");
      assertTrue(!events(d, "rpm-bad").isEmpty(), "events recorded");
      assertEquals(List.of(), d.commands().unexpected());
    }
  }

  @Test
  void aBootUnitThatDiesWhileRestoringIsFinishedAtTheNextBootEvenThoughMicroShiftStartedInBetween() {
    CrashAt hook = new CrashAt(CrashPoints.BOOT_DATA_MOVED_ASIDE);
    try (SimulatedDevice d = SimulatedDevice.start(SimulatedDevice.Options.ostree("4.17.1").versions("4.18.0")
        .broken("4.18.0").maxBootAttempts(1).crash(hook));
        Invariant never = new Invariant(d, "y-cut")) {
      d.etcdPut("/sim/before-update", "kept");
      d.apply(SimulatedDevice.ostreePlan("y-cut", "4.18.0", ResumePolicy.AfterBoot));
      d.awaitRebootRequested(T);
      d.reboot();
      d.etcdPut("/sim/written-on-4.18", "lost");
      assertTrue(d.greenbootRun().fallbackNext());
      // the fallback boot: the boot unit dies after moving the failed data dir aside; systemd
      // starts MicroShift anyway, on a missing data dir (a new, empty etcd)
      d.reboot();
      assertTrue(hook.fired(), "the crash point was reached");
      assertEquals(HostState.RolledBack, d.hostStatus().orElseThrow().state());
      assertNull(d.etcdGet("/sim/before-update"), "MicroShift runs on an empty data dir");
      d.powerCut(); // boot again: the boot unit finishes the restore
      assertEquals("4.17.1", d.bootedVersion());
      HostStatus s = d.hostStatus().orElseThrow();
      assertEquals(HostState.Restored, s.state());
      UpdatePlan p = d.awaitPhase("y-cut", Phase.RolledBack, T);
      assertEquals(p.getStatus().backup.id, s.restoredBackupId());
      assertEquals("kept", d.etcdGet("/sim/before-update"));
      assertNull(d.etcdGet("/sim/written-on-4.18"));
      assertTrue(java.nio.file.Files.isDirectory(d.paths().host(s.failedDataPath())), "the failed data dir is kept");
      d.await("shop/web back", T, () -> d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      assertTrue(!events(d, "y-cut").isEmpty(), "events recorded");
      assertEquals(List.of(), d.commands().unexpected());
    }
  }
}
