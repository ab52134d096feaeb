package io.microshift.update.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.HookStatus;
import io.microshift.update.api.Phase;
import io.microshift.update.api.ResumePolicy;
import io.microshift.update.api.UpdatePlan;
import io.microshift.update.host.CrashAt;
import io.microshift.update.host.CrashPoints;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.pause.PauseAnnotations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The fault matrix (issue 7): the end-to-end stories of {@link EndToEndTest} on a fresh
 * {@link SimulatedDevice} per scenario, each with one fault injected at a distinct point: the
 * operator killed on entering each phase (and in the middle of a pre-update hook), a power cut at
 * every named crash point of the host agent's {@code apply}, {@code boot} and greenboot verbs, a
 * hook that hangs, etcd down during the backup, the disk full during the data copy, greenboot
 * failing once. The systemd units and greenboot are played as on a real host: the apply unit runs
 * again at every boot, greenboot reboots after a failed check and falls back after the last one.
 *
 * <p>Every cell checks the end state: the plan's phase; the device runs the target with the data
 * written on it (Succeeded) or the original version with the pre-update data (RolledBack, or
 * Failed before the hand-off with the host unchanged); the workload runs with its recorded
 * replicas and nothing left paused; etcd holds a key written before the update, and a key written
 * on the target boot only on the Succeeded side; the app's data is the expected side's; the data
 * dir exists. The table is printed at the end and written to {@code target/fault-matrix.txt}.
 *
 * <p>Scenarios run in parallel ({@code -Dfaultmatrix.parallel=N}, default 3): each device has its
 * own temp root, etcd ports and API server port. {@code -Dfaultmatrix.only=REGEX} runs the
 * scenarios whose first cell id matches.
 */
class FaultMatrixTest {
  static final String FROM = "4.17.1";
  static final String Z = "4.17.3";
  static final String Y = "4.18.0";
  static final String PLAN = "up";
  static final String BEFORE_KEY = "/fm/written-before-update";
  static final String AFTER_KEY = "/fm/written-on-target";
  static final String APP_BEFORE = "v1: orders before the update";
  static final String APP_AFTER = "v2: orders written on the target";
  static final Duration CELL_TIMEOUT = Duration.ofSeconds(180);
  static final Path REPORT = Path.of("target/fault-matrix.txt");
  static final Path LOGS = Path.of("target/fault-matrix");

  enum Story {
    OSTREE_Z("ostree z-stream " + FROM + "->" + Z, Z, Phase.Succeeded),
    OSTREE_ROLLBACK("ostree y-stream " + FROM + "->" + Y + " (broken), rollback", Y, Phase.RolledBack),
    RPM_Z("rpm z-stream " + FROM + "->" + Z, Z, Phase.Succeeded),
    IMAGE_Z("image mode (bootc) z-stream " + FROM + "->" + Z, Z, Phase.Succeeded),
    IMAGE_ROLLBACK("image mode (bootc) y-stream " + FROM + "->" + Y + " (broken), rollback", Y, Phase.RolledBack);

    final String title;
    final String target;
    final Phase outcome;

    Story(String title, String target, Phase outcome) {
      this.title = title;
      this.target = target;
      this.outcome = outcome;
    }

    SimulatedDevice.Options options() {
      return switch (this) {
        case OSTREE_Z -> SimulatedDevice.Options.ostree(FROM).versions(Z).maxBootAttempts(3);
        case OSTREE_ROLLBACK -> SimulatedDevice.Options.ostree(FROM).versions(Y).broken(Y).maxBootAttempts(2);
        case RPM_Z -> SimulatedDevice.Options.rpm(FROM);
        case IMAGE_Z -> SimulatedDevice.Options.image(FROM).versions(Z).maxBootAttempts(3);
        case IMAGE_ROLLBACK -> SimulatedDevice.Options.image(FROM).versions(Y).broken(Y).maxBootAttempts(2);
      };
    }

    UpdatePlan plan(String name) {
      return switch (this) {
        case OSTREE_Z -> SimulatedDevice.ostreePlan(name, Z, ResumePolicy.AfterCommit);
        case OSTREE_ROLLBACK -> SimulatedDevice.ostreePlan(name, Y, ResumePolicy.AfterBoot);
        case RPM_Z -> SimulatedDevice.rpmPlan(name, Z, ResumePolicy.AfterBoot);
        case IMAGE_Z -> SimulatedDevice.imagePlan(name, Z, ResumePolicy.AfterCommit);
        case IMAGE_ROLLBACK -> SimulatedDevice.imagePlan(name, Y, ResumePolicy.AfterBoot);
      };
    }
  }

  /** One row of the table. */
  record Row(String id, String fault, String story, Phase expected, String outcome, boolean passed,
      double seconds, String problems) {}

  /** The body of a scenario: drives the device and checks its cells with {@link Run#cell}. */
  @FunctionalInterface
  interface Body {
    void run(Run r) throws Exception;
  }

  /** Scenarios: one device each, one or more cells. */
  record Scenario(List<String> cellIds, List<Phase> expects, String fault, Story story,
      Consumer<SimulatedDevice.Options> options, Body body) {}

  static final List<Row> ROWS = Collections.synchronizedList(new ArrayList<>());

  // ------------------------------------------------------------------ the cells

  /**
   * Crash points only an Apply without a Prepare reaches (a request of the previous release's
   * operator, which never prepares): this operator always prepares first, so no story on the
   * device gets there. host.CrashMatrixTest cuts the power at each of them on that path.
   */
  static final Set<String> LEGACY_APPLY_ONLY = Set.of(CrashPoints.APPLY_WRITE_STAGING);

  static List<Scenario> scenarios() {
    List<Scenario> out = new ArrayList<>();
    // 1. the operator killed on entering each phase
    for (Phase p : List.of(Phase.Pending, Phase.Preflight, Phase.BackingUp, Phase.Pausing, Phase.AwaitingReboot,
        Phase.Applying, Phase.Verifying)) {
      out.add(operatorKill(Story.OSTREE_Z, p));
    }
    for (Phase p : List.of(Phase.Pausing, Phase.AwaitingReboot, Phase.Applying, Phase.Verifying, Phase.RollingBack)) {
      out.add(operatorKill(Story.OSTREE_ROLLBACK, p));
    }
    for (Phase p : List.of(Phase.Pausing, Phase.Applying, Phase.Verifying)) {
      out.add(operatorKill(Story.RPM_Z, p));
    }
    out.add(new Scenario(List.of("op-kill-mid-hook"), List.of(Phase.Failed), "operator killed while a pre-update hook runs"
        + " (hooks.idempotent false: Interrupted)", Story.OSTREE_Z,
        o -> o.preUpdateHook(Duration.ofSeconds(4), "30s"), r -> r.killMidHook(false, Phase.Failed)));
    out.add(new Scenario(List.of("op-kill-mid-hook-idempotent"), List.of(Phase.Succeeded), "operator killed while a pre-update hook runs"
        + " (hooks.idempotent true: re-run)", Story.OSTREE_Z,
        o -> o.preUpdateHook(Duration.ofSeconds(4), "30s"), r -> r.killMidHook(true, Phase.Succeeded)));

    // 2. a power cut at every named crash point of apply, boot and greenboot
    for (String point : CrashPoints.APPLY) {
      if (!point.equals(CrashPoints.APPLY_PACKAGES_INSTALLED) && !LEGACY_APPLY_ONLY.contains(point)) {
        out.add(powerCut(Story.OSTREE_Z, point));
      }
    }
    for (String point : List.of(CrashPoints.APPLY_DATA_COPY_BEFORE_RENAME, CrashPoints.APPLY_PACKAGES_INSTALLED,
        CrashPoints.APPLY_WRITE_REBOOTING)) {
      out.add(powerCut(Story.RPM_Z, point));
    }
    out.add(powerCut(Story.OSTREE_Z, CrashPoints.BOOT_WRITE_BOOTED));
    for (String point : CrashPoints.BOOT) {
      if (!point.equals(CrashPoints.BOOT_WRITE_BOOTED)) {
        out.add(powerCut(Story.OSTREE_ROLLBACK, point));
      }
    }
    out.add(powerCut(Story.OSTREE_ROLLBACK, CrashPoints.GREENBOOT_WRITE_UNHEALTHY));
    for (String point : CrashPoints.GREENBOOT) {
      if (!point.equals(CrashPoints.GREENBOOT_WRITE_UNHEALTHY)) {
        out.add(powerCut(Story.OSTREE_Z, point));
      }
    }

    // 3. the other faults
    out.add(new Scenario(List.of("hook-hangs"), List.of(Phase.Failed), "pre-update hook hangs (exec never answers; timeout 2s)",
        Story.OSTREE_Z, o -> o.preUpdateHook(Duration.ofHours(1), "2s"), Run::hangingHook));
    out.add(new Scenario(List.of("etcd-down-in-backup", "etcd-back-new-plan"), List.of(Phase.Failed, Phase.Succeeded),
        "etcd stopped on entering Pausing (before the snapshot); then etcd back and a new plan",
        Story.OSTREE_Z, o -> {}, Run::etcdDownDuringBackup));
    out.add(new Scenario(List.of("disk-full-in-copy", "disk-freed-new-plan"), List.of(Phase.Failed, Phase.Succeeded),
        "disk full during the host's data copy (cp: ENOSPC); then a new plan", Story.OSTREE_Z, o -> {},
        Run::diskFullDuringCopy));
    out.add(new Scenario(List.of("disk-full-in-copy-rpm"), List.of(Phase.Failed), "disk full during the host's data copy (cp: ENOSPC)",
        Story.RPM_Z, o -> {}, r -> r.diskFullOnly()));
    out.add(new Scenario(List.of("greenboot-fails-once"), List.of(Phase.Succeeded), "greenboot's MicroShift check fails once, then passes",
        Story.OSTREE_Z, o -> o.brokenFor(Z, 1), Run::greenbootFailsOnce));

    // 4. upstream fidelity (issue 13): the cells of each area are in its own method below
    restoreAndOstreeCells(out);
    rpmCells(out);
    greenbootCells(out);
    diskCells(out);
    deletedMarkerCells(out);
    out.addAll(operatorImageCells());
    out.addAll(prepareCells());
    out.addAll(historyCells());
    out.addAll(imageCells());
    return out;
  }

  // ------------------------------------------------------------------ issue 17: the host's update history

  /**
   * A power cut while the boot unit writes history.json, right after the rollback's terminal
   * Restored: the in-flight flag is still set, so the boot unit of the next boot records the
   * update; exactly one record, and the operator mirrors it in status.host.history.
   */
  static List<Scenario> historyCells() {
    String id = "cut-" + CrashPoints.HISTORY_WRITE;
    return List.of(new Scenario(List.of(id), List.of(Phase.RolledBack), "power cut at " + CrashPoints.HISTORY_WRITE
        + " (the rollback's record)", Story.OSTREE_ROLLBACK,
        o -> o.crash(new CrashAt(CrashPoints.HISTORY_WRITE)).bootCrashIsPowerCut(),
        r -> historyRecordedOnceAfterAPowerCut(r, id)));
  }

  static void historyRecordedOnceAfterAPowerCut(Run r, String id) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    if (r.d.agentCrashes().stream().noneMatch(c -> c.endsWith(" at " + CrashPoints.HISTORY_WRITE))) {
      problems.add("the crash point " + CrashPoints.HISTORY_WRITE + " was never reached: the fault was not injected");
    }
    List<io.microshift.update.marker.UpdateHistory.Update> updates = r.d.history()
        .map(io.microshift.update.marker.UpdateHistory::updates).orElse(List.of());
    if (updates.size() != 1 || updates.get(0).outcome() != io.microshift.update.marker.UpdateHistory.Outcome.RolledBack
        || !PLAN.equals(updates.get(0).planName())) {
      problems.add("history.json should hold one RolledBack record of plan " + PLAN + ": " + updates);
    }
    UpdatePlan p = r.d.plan(PLAN);
    if (p.getStatus().host == null || p.getStatus().host.history == null
        || !"RolledBack".equals(p.getStatus().host.history.get(0).outcome)) {
      problems.add("status.host.history does not mirror the rollback's record");
    }
    r.faultNote = "cut at " + CrashPoints.HISTORY_WRITE + ", recorded at the next boot";
    r.cell(id, PLAN, Phase.RolledBack, problems);
  }

  // ------------------------------------------------------------------ image mode, bootc (issue 19)

  /**
   * Image mode: a power cut at each crash point of Prepare (the one between {@code bootc switch}
   * and {@code bootc upgrade --download-only} included) and Apply, a broken target that greenboot
   * rolls back with {@code bootc rollback} (data restored), a target that never boots, and a
   * Cancel after Prepare.
   */
  static List<Scenario> imageCells() {
    List<Scenario> out = new ArrayList<>();
    List<String> points = new ArrayList<>(CrashPoints.PREPARE);
    points.add(CrashPoints.IMAGE_SWITCHED);
    points.addAll(CrashPoints.APPLY_AFTER_PREPARE);
    for (String point : CrashPoints.APPLY) {
      if (!point.equals(CrashPoints.APPLY_PACKAGES_INSTALLED) && !LEGACY_APPLY_ONLY.contains(point)) {
        points.add(point);
      }
    }
    for (String point : points) {
      out.add(new Scenario(List.of("image-cut-" + point), List.of(Phase.Succeeded), "image mode: power cut at " + point,
          Story.IMAGE_Z, o -> o.crash(new CrashAt(point)).bootCrashIsPowerCut(), r -> r.powerCutAt(point)));
    }
    out.add(new Scenario(List.of("image-rollback"), List.of(Phase.RolledBack),
        "image mode: the target's MicroShift never gets healthy; greenboot runs bootc rollback, the data is restored",
        Story.IMAGE_ROLLBACK, o -> {}, FaultMatrixTest::imageRollback));
    out.add(new Scenario(List.of("image-target-never-boots"), List.of(Phase.RolledBack),
        "image mode: the target's kernel never reaches user space; grub falls back, greenboot runs bootc rollback",
        Story.IMAGE_ROLLBACK, o -> o.neverBoots(Y), FaultMatrixTest::imageRollbackNeverBooted));
    out.add(new Scenario(List.of("image-cancel-after-prepare"), List.of(Phase.Failed),
        "image mode: a pre-update hook fails after the host prepared; Cancel removes the staged image",
        Story.IMAGE_Z, o -> o.preUpdateHook(Duration.ofHours(1), "2s"), FaultMatrixTest::imageCancelAfterPrepare));
    return out;
  }

  /** The rollback went through {@code bootc rollback} and the booted image is the old one by digest. */
  static List<String> imageRolledBack(Run r) {
    List<String> problems = new ArrayList<>();
    if (!r.d.agentLog().contains("bootc rollback") && r.d.commands().calls().stream()
        .noneMatch(c -> c.equals(List.of("bootc", "rollback")))) {
      problems.add("greenboot never ran bootc rollback");
    }
    String booted = r.d.commands().run(List.of("bootc", "status", "--json")).stdout();
    if (!booted.contains(SimulatedDevice.imageDigestOf(FROM))) {
      problems.add("bootc status does not show the image of " + FROM + ": " + booted);
    }
    return problems;
  }

  static void imageRollback(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = imageRolledBack(r);
    r.faultNote = "bootc rollback; data restored";
    r.cell("image-rollback", PLAN, Phase.RolledBack, problems);
  }

  static void imageRollbackNeverBooted(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = imageRolledBack(r);
    r.faultNote = "grub fallback, bootc rollback";
    r.cell("image-target-never-boots", PLAN, Phase.RolledBack, problems);
  }

  static void imageCancelAfterPrepare(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    r.awaitPrepareWithdrawn();
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (s == null || s.state() != HostState.Failed || !s.message().startsWith("cancelled")) {
      problems.add("host " + (s == null ? "none" : s.state() + ": " + s.message()) + ", want Failed (cancelled)");
    }
    if (s != null && s.history().stream().noneMatch(h -> h.state() == HostState.Prepared)) {
      problems.add("the host never prepared");
    }
    if (r.d.commands().calls().stream().noneMatch(c -> c.equals(List.of("bootc", "upgrade", "--download-only")))) {
      problems.add("the image was never staged download-only");
    }
    String status = r.d.commands().run(List.of("bootc", "status", "--json")).stdout();
    if (!status.contains("\"staged\":null")) {
      problems.add("an image is still staged: " + status);
    }
    r.faultNote = "hook TimedOut; host " + (s == null ? "none" : s.state()) + "; staged image removed";
    r.cell("image-cancel-after-prepare", PLAN, Phase.Failed, problems);
  }

  // ------------------------------------------------------------------ marker files deleted by hand (issue 14.10)

  static void deletedMarkerCells(List<Scenario> out) {
    out.add(new Scenario(List.of("request-deleted-in-verifying"), List.of(Phase.Succeeded),
        "request.json deleted by hand after the operator verified the target boot", Story.OSTREE_Z, o -> {},
        FaultMatrixTest::requestDeletedInVerifying));
    out.add(new Scenario(List.of("status-deleted-before-reboot"), List.of(Phase.Succeeded),
        "host-status.json deleted by hand after the agent requested the reboot", Story.OSTREE_Z, o -> {},
        FaultMatrixTest::statusDeletedBeforeReboot));
    out.add(new Scenario(List.of("status-deleted-after-target-ran"), List.of(Phase.RolledBack),
        "host-status.json deleted by hand after greenboot's last failed attempt on the target; greenboot rolls back",
        Story.OSTREE_ROLLBACK, o -> {}, FaultMatrixTest::statusDeletedAfterTargetRan));
  }

  /**
   * The target ran on the data dir (its version file names it), then greenboot rolled back with no
   * record (deleted after its last red.d, so no check on the target rebuilds it): the boot unit sees the rollback from the version file and restores the data copy.
   */
  static void statusDeletedAfterTargetRan(Run r) throws Exception {
    r.apply(PLAN);
    boolean[] deleted = {false};
    r.drive(PLAN, deleteOnce(io.microshift.update.marker.MarkerFiles.hostStatusFile(r.d.stateDir()), deleted,
        () -> Y.equals(r.d.bootedVersion()) && r.d.hostStatus()
            .map(h -> h.state() == HostState.Unhealthy && h.greenbootAttempts() >= 2).orElse(false)));
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (!deleted[0]) {
      problems.add("host-status.json was never deleted while the target ran");
    } else if (s == null || s.history().stream().noneMatch(h -> h.state() == HostState.RolledBack
        && h.message().startsWith("host-status.json was missing"))) {
      problems.add("the host did not see the rollback from the data dir's version: " + (s == null ? "none" : s.state() + ": " + s.message()));
    }
    r.faultNote = "host-status.json deleted on the target, " + (s == null ? "no status" : "host " + s.state());
    r.cell("status-deleted-after-target-ran", PLAN, Phase.RolledBack, problems);
  }

  /** A tick that deletes {@code file} (as an admin would) the first time {@code when} holds. */
  static Runnable deleteOnce(java.nio.file.Path file, boolean[] deleted, java.util.function.BooleanSupplier when) {
    return () -> {
      if (!deleted[0] && when.getAsBoolean()) {
        try {
          Files.delete(file);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        deleted[0] = true;
      }
    };
  }

  /** The target boots without a record: the agent rebuilds Booted from the accepted request, greenboot commits. */
  static void statusDeletedBeforeReboot(Run r) throws Exception {
    r.apply(PLAN);
    boolean[] deleted = {false};
    r.drive(PLAN, deleteOnce(io.microshift.update.marker.MarkerFiles.hostStatusFile(r.d.stateDir()), deleted,
        () -> r.d.rebootRequested() && r.d.hostStatus().map(h -> h.state() == HostState.Rebooting).orElse(false)));
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (!deleted[0]) {
      problems.add("host-status.json was never deleted at Rebooting");
    } else if (s == null || s.history().stream().noneMatch(h -> h.message().contains("rebuilt from the accepted request"))) {
      problems.add("the host did not rebuild its record: " + (s == null ? "none" : s.state() + ": " + s.message()));
    }
    r.faultNote = "host-status.json deleted, " + (s == null ? "no status" : "host " + s.state());
    r.cell("status-deleted-before-reboot", PLAN, Phase.Succeeded, problems);
  }

  /** The operator writes the request again, with its verification; greenboot commits, nothing rolls back. */
  static void requestDeletedInVerifying(Run r) throws Exception {
    r.apply(PLAN);
    boolean[] deleted = {false};
    r.drive(PLAN, deleteOnce(io.microshift.update.marker.MarkerFiles.requestFile(r.d.stateDir()), deleted,
        () -> r.d.phase(PLAN) == Phase.Verifying && r.d.request()
            .map(q -> q.verification() != null && r.d.bootId().equals(q.verification().bootId())).orElse(false)));
    List<String> problems = new ArrayList<>();
    if (!deleted[0]) {
      problems.add("request.json was never deleted: the plan did not reach a verified Verifying");
    }
    if (r.d.boots() != 1) {
      problems.add(r.d.boots() + " boots, want 1 (no rollback)");
    }
    r.faultNote = "request.json deleted, " + r.d.boots() + " boot(s)";
    r.cell("request-deleted-in-verifying", PLAN, Phase.Succeeded, problems);
  }

  // ------------------------------------------------------------------ the operator image in the target (issue 17)

  static final String OPERATOR_IMAGE = "quay.io/microshift-update/operator@sha256:" + "5e".repeat(32);

  /** The operator requires its image in the target commit: embedded, it updates; missing, it is refused. */
  static List<Scenario> operatorImageCells() {
    return List.of(
        new Scenario(List.of("target-carries-operator-image"), List.of(Phase.Succeeded),
            "the target commit embeds the operator image the operator requires", Story.OSTREE_Z,
            o -> o.operatorImage(OPERATOR_IMAGE), r -> plain(r, "target-carries-operator-image", Phase.Succeeded)),
        new Scenario(List.of("target-lacks-operator-image"), List.of(Phase.Failed),
            "the target commit was built without the operator image: refused after staging, unstaged",
            Story.OSTREE_Z, o -> o.operatorImage(OPERATOR_IMAGE, Z),
            r -> failedWith(r, "target-lacks-operator-image", "does not carry " + OPERATOR_IMAGE)));
  }

  // ------------------------------------------------------------------ issue 16: Prepare before the workloads stop

  /**
   * The Prepare flow: the operator killed in Preparing; a power cut at every crash point of the
   * Prepare and of the Apply that follows it; a power cut and an unplanned (clean) reboot between
   * Prepare and Apply; Cancel after Prepare (a failing hook). Between Prepare and Apply an
   * unplanned reboot boots the old deployment (the staged one is finalization-locked) and the
   * plan goes on: the Apply stages again, so that one update pays its download inside the
   * downtime, and then succeeds.
   */
  static List<Scenario> prepareCells() {
    List<Scenario> out = new ArrayList<>();
    out.add(operatorKill(Story.OSTREE_Z, Phase.Preparing));
    out.add(operatorKill(Story.RPM_Z, Phase.Preparing));
    for (String point : CrashPoints.PREPARE) {
      out.add(powerCut(Story.OSTREE_Z, point));
    }
    out.add(powerCut(Story.RPM_Z, CrashPoints.PREPARE_STAGED));
    for (String point : CrashPoints.APPLY_AFTER_PREPARE) {
      out.add(powerCut(Story.OSTREE_Z, point));
    }
    out.add(new Scenario(List.of("cut-prepare-staged-greenboot-checking"), List.of(Phase.RolledBack),
        "power cut right after Prepare staged, greenboot still checking each boot: the resumed Prepare waits for"
            + " the verdict before staging again; the broken target still rolls back", Story.OSTREE_ROLLBACK,
        o -> o.greenbootChecksEachBoot(3).crash(new CrashAt(CrashPoints.PREPARE_STAGED)).bootCrashIsPowerCut(),
        FaultMatrixTest::cutPrepareWhileGreenbootChecks));
    out.add(new Scenario(List.of("cut-between-prepare-and-apply"), List.of(Phase.Succeeded),
        "power cut as the workloads are paused (host Prepared, staged deployment locked)", Story.OSTREE_Z,
        o -> {}, r -> betweenPrepareAndApply(r, "cut-between-prepare-and-apply", true, false)));
    out.add(new Scenario(List.of("reboot-between-prepare-and-apply"), List.of(Phase.Succeeded),
        "an unplanned clean reboot as the workloads are paused: ostree does not finalize the locked staged"
            + " deployment, the old one boots", Story.OSTREE_Z,
        o -> {}, r -> betweenPrepareAndApply(r, "reboot-between-prepare-and-apply", false, false)));
    out.add(new Scenario(List.of("reboot-between-prepare-and-apply-rs"), List.of(Phase.Succeeded),
        "greenboot-rs: an unplanned clean reboot as the workloads are paused; its rollback trigger names the locked"
            + " staged deployment, which ostree does not finalize: the boot unit clears it before greenboot-rs's"
            + " health check would take it for grub's fallback and roll back", Story.OSTREE_Z,
        o -> o.greenbootRs(), r -> betweenPrepareAndApply(r, "reboot-between-prepare-and-apply-rs", false, true)));
    out.add(new Scenario(List.of("cancel-after-prepare"), List.of(Phase.Failed),
        "a pre-update hook fails after the host prepared: the plan fails, Cancel removes the staged deployment",
        Story.OSTREE_Z, o -> o.preUpdateHook(Duration.ofHours(1), "2s"), FaultMatrixTest::cancelAfterPrepare));
    out.add(new Scenario(List.of("shutdown-lock-at-prepare"), List.of(Phase.Failed),
        "a firmware update holds a systemd shutdown lock in block mode: Prepare refuses, nothing staged or paused",
        Story.OSTREE_Z, o -> {}, r -> shutdownLock(r, "shutdown-lock-at-prepare", false)));
    out.add(new Scenario(List.of("shutdown-lock-after-prepare"), List.of(Phase.Failed),
        "the shutdown lock is taken as the workloads are paused: Apply refuses before the snapshot and the stop",
        Story.OSTREE_Z, o -> {}, r -> shutdownLock(r, "shutdown-lock-after-prepare", true)));
    return out;
  }

  /**
   * A block-mode shutdown inhibitor lock (rpm-ostree finalize-deployment would refuse the reboot):
   * held from the start, or taken as the plan enters Pausing (after the host prepared).
   */
  static void shutdownLock(Run r, String id, boolean afterPrepare) throws Exception {
    Runnable takeLock = () -> r.d.commands().inhibitorLock("shutdown:sleep", "fwupd", "Updating the firmware", "block");
    if (afterPrepare) {
      r.onEntering(PLAN, Phase.Pausing, takeLock);
    } else {
      takeLock.run();
    }
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (s == null || s.state() != HostState.Failed || !s.message().contains("held by fwupd")) {
      problems.add("host " + (s == null ? "none" : s.state() + ": " + s.message()) + "; want Failed naming fwupd's lock");
    }
    List<List<String>> calls = r.d.commands().calls();
    if (calls.contains(List.of("systemctl", "stop", "microshift.service"))) {
      problems.add("MicroShift was stopped although the reboot could not happen");
    }
    if (calls.stream().anyMatch(c -> c.contains("finalize-deployment"))) {
      problems.add("rpm-ostree finalize-deployment ran under the lock");
    }
    boolean staged = calls.stream().anyMatch(c -> c.contains("--lock-finalization"));
    if (staged != afterPrepare) {
      problems.add(afterPrepare ? "the host never prepared" : "Prepare staged under the lock");
    }
    var deployments = r.d.commands().rpmOstreeDeployments();
    if (!deployments.isEmpty() && !deployments.get(0).equals(r.d.bootedChecksum())) {
      problems.add("a deployment is still staged for the next boot: " + deployments.get(0));
    }
    r.faultNote = "host " + (s == null ? "none" : s.state());
    r.cell(id, PLAN, Phase.Failed, problems);
  }

  /**
   * A power cut or a clean reboot as the plan enters Pausing, after the host reported Prepared;
   * {@code greenbootRuns}: greenboot's health check runs on that boot too (greenboot-rs).
   */
  static void betweenPrepareAndApply(Run r, String id, boolean powerCut, boolean greenbootRuns) throws Exception {
    AtomicBoolean entered = r.onEntering(PLAN, Phase.Pausing, () -> {});
    AtomicBoolean done = new AtomicBoolean();
    List<String> problems = new ArrayList<>();
    r.apply(PLAN);
    r.drive(PLAN, () -> {
      if (entered.get() && done.compareAndSet(false, true)) {
        HostStatus before = r.d.hostStatus().orElse(null);
        if (before == null || before.state() != HostState.Prepared) {
          problems.add("host " + (before == null ? "none" : before.state()) + " when the plan entered Pausing,"
              + " want Prepared");
        }
        if (powerCut) {
          r.d.powerCut();
        } else {
          r.d.reboot();
        }
        if (!FROM.equals(r.d.bootedVersion())) {
          problems.add("after the " + (powerCut ? "power cut" : "reboot") + " " + r.d.bootedVersion()
              + " booted: the staged target took effect before Apply");
        }
        if (greenbootRuns) {
          SimulatedDevice.GreenbootResult g = r.d.greenbootRun();
          if (g.output().contains("fallback detected")) {
            problems.add("greenboot-rs took the boot for grub's fallback: " + g.output().strip());
          }
          if (r.d.commands().calls().contains(List.of("rpm-ostree", "rollback"))) {
            problems.add("rpm-ostree rollback ran: the deployment before the booted one became the default");
          }
        }
      }
    });
    if (!done.get()) {
      problems.add("the plan never entered Pausing: the fault was not injected");
    }
    HostStatus s = r.d.hostStatus().orElseThrow();
    long staged = s.history().stream().filter(h -> h.state() == HostState.Staged).count();
    r.faultNote = (powerCut ? "cut" : "rebooted") + " with the host Prepared; old deployment booted; Apply staged"
        + " again";
    if (staged != 1) {
      problems.add("host recorded Staged " + staged + " times, want once (the Apply)");
    }
    r.cell(id, PLAN, Phase.Succeeded, problems);
  }

  static void cancelAfterPrepare(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    r.awaitPrepareWithdrawn();
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (s == null || s.state() != HostState.Failed || !s.message().startsWith("cancelled")) {
      problems.add("host " + (s == null ? "none" : s.state() + ": " + s.message()) + ", want Failed (cancelled)");
    }
    if (s != null && s.history().stream().noneMatch(h -> h.state() == HostState.Prepared)) {
      problems.add("the host never prepared");
    }
    if (r.d.commands().calls().stream().noneMatch(c -> c.equals(List.of("rpm-ostree", "cleanup", "--pending")))) {
      problems.add("no rpm-ostree cleanup --pending");
    }
    var deployments = r.d.commands().rpmOstreeDeployments();
    if (!deployments.isEmpty() && !deployments.get(0).equals(r.d.bootedChecksum())) {
      problems.add("a deployment is still staged for the next boot: " + deployments.get(0));
    }
    if (r.d.commands().grubenv().containsKey("boot_counter")) {
      problems.add("grub's boot counter is left armed (" + r.d.commands().grubenv() + "): a bad boot of the current"
          + " deployment would fall back to an older one");
    }
    r.faultNote = "hook TimedOut; host " + (s == null ? "none" : s.state());
    r.cell("cancel-after-prepare", PLAN, Phase.Failed, problems);
  }

  // ------------------------------------------------------------------ upstream fidelity: restore, rpm-ostree

  /** MicroShift's restore, the etcd scope, a target that never boots, layered hosts, update drivers. */
  static void restoreAndOstreeCells(List<Scenario> out) {
    out.add(new Scenario(List.of("target-never-boots"), List.of(Phase.RolledBack),
        "the target's kernel never reaches user space: grub falls back, greenboot runs rpm-ostree rollback",
        Story.OSTREE_ROLLBACK, o -> o.neverBoots(Y), FaultMatrixTest::targetNeverBoots));
    out.add(new Scenario(List.of("target-never-boots-rs"), List.of(Phase.RolledBack),
        "greenboot-rs: grub cannot load the target's kernel, fallback=1 boots the previous deployment at once;"
            + " greenboot-rs's health check makes it the default (GRUB fallback), the agent does not roll back twice",
        Story.OSTREE_ROLLBACK, o -> o.greenbootRs().neverBoots(Y), FaultMatrixTest::targetNeverBootsRs));
    out.add(new Scenario(List.of("rollback-cp-restore"), List.of(Phase.RolledBack),
        "MicroShift without backup/restore verbs (before 4.14): the agent copies with cp",
        Story.OSTREE_ROLLBACK, o -> o.microshiftBackupVerbs(false), r -> plain(r, "rollback-cp-restore", Phase.RolledBack)));
    out.add(new Scenario(List.of("etcd-scope-lingers"), List.of(Phase.Succeeded),
        "microshift-etcd.scope deactivating for 8 queries after microshift.service stopped",
        Story.OSTREE_Z, o -> o.etcdScopeLingers(8), r -> plain(r, "etcd-scope-lingers", Phase.Succeeded)));
    out.add(new Scenario(List.of("etcd-scope-stuck"), List.of(Phase.Failed),
        "microshift-etcd.scope never stops after the stop (apply waits, then fails and starts MicroShift again)",
        Story.OSTREE_Z, SimulatedDevice.Options::etcdScopeStuck,
        r -> failedWith(r, "etcd-scope-stuck", "microshift-etcd.scope (deactivating) is still running")));
    out.add(new Scenario(List.of("layered-host"), List.of(Phase.Succeeded),
        "a layered host: the deployment's checksum is local, the target commit is its base-checksum",
        Story.OSTREE_Z, SimulatedDevice.Options::layered, r -> plain(r, "layered-host", Phase.Succeeded)));
    out.add(new Scenario(List.of("layered-host-rollback"), List.of(Phase.RolledBack),
        "a layered host whose target never gets healthy", Story.OSTREE_ROLLBACK, SimulatedDevice.Options::layered,
        r -> plain(r, "layered-host-rollback", Phase.RolledBack)));
    out.add(new Scenario(List.of("update-driver", "update-driver-bypassed"), List.of(Phase.Failed, Phase.Succeeded),
        "an rpm-ostree update driver is registered; then a plan with spec.bypassUpdateDriver",
        Story.OSTREE_Z, o -> o.updateDriver("flightctl-agent"), FaultMatrixTest::updateDriver));
  }

  /** The story as it is, on the device as the scenario built it. */
  static void plain(Run r, String id, Phase want) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    r.cell(id, PLAN, want);
  }

  /** The plan ends Failed, the host's message says {@code why}, and nothing was changed. */
  static void failedWith(Run r, String id, String why) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (s == null || s.state() != HostState.Failed || !s.message().contains(why)) {
      problems.add("host " + (s == null ? "none" : s.state() + ": " + s.message()) + "; want Failed with '" + why + "'");
    }
    r.faultNote = s == null ? "" : "host " + s.state();
    r.cell(id, PLAN, Phase.Failed, problems);
  }

  static void targetNeverBoots(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    if (s.history().stream().anyMatch(h -> h.state() == HostState.Booted)) {
      problems.add("the host recorded a boot of a target that never booted");
    }
    if (s.history().stream().noneMatch(h -> h.message().contains("never came up"))) {
      problems.add("no 'never came up' in the host's history");
    }
    long stagings = r.d.commands().calls().stream().filter(c -> c.size() > 1 && c.get(0).equals("rpm-ostree")
        && (c.get(1).equals("rebase") || c.get(1).equals("deploy"))).count();
    if (stagings != 1) {
      problems.add("the request was staged " + stagings + " times");
    }
    r.faultNote = "staged " + stagings + "x, " + r.d.boots() + " boots";
    r.cell("target-never-boots", PLAN, Phase.RolledBack, problems);
  }

  /**
   * The previous deployment boots while the target is still the default, under greenboot-rs: its
   * health check rolls back (src/main.rs detect_grub_fallback, RollbackMode::Forced), so a rollback
   * of the agent's own would swap the deployments back and leave the broken target the default.
   */
  static void targetNeverBootsRs(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    r.d.greenbootRun(); // greenboot-healthcheck.service of the boot that ended the plan, after the boot unit
    List<String> problems = new ArrayList<>();
    List<String> order = r.d.commands().rpmOstreeDeployments();
    if (order.isEmpty() || !order.get(0).equals(r.d.bootedChecksum())) {
      problems.add("the default deployment is " + (order.isEmpty() ? "none" : order.get(0).substring(0, 12))
          + ", not the booted previous one: the next boot runs the target unsupervised");
    }
    if (r.d.commands().calls().contains(List.of("rpm-ostree", "rollback"))) {
      problems.add("the agent ran rpm-ostree rollback although greenboot-rs makes grub's fallback permanent");
    }
    if (r.d.commands().grubenv().containsKey("greenboot_next_deployment_id")) {
      problems.add("greenboot-rs's rollback trigger is still set");
    }
    HostStatus s = r.d.hostStatus().orElseThrow();
    if (s.history().stream().noneMatch(h -> h.message().contains("greenboot-rs makes"))) {
      problems.add("the host's history does not say that greenboot-rs rolls back");
    }
    r.faultNote = r.d.boots() + " boots, MicroShift " + r.d.bootedVersion();
    r.cell("target-never-boots-rs", PLAN, Phase.RolledBack, problems);
  }

  static void updateDriver(Run r) throws Exception {
    failedWith(r, "update-driver", "driven by flightctl-agent (flightctl-agent.service)");
    r.cellStart = System.nanoTime();
    r.wroteAfter = false;
    r.faultNote = "spec.bypassUpdateDriver";
    UpdatePlan p = r.story.plan("retry");
    p.getSpec().bypassUpdateDriver = true;
    r.d.apply(p);
    r.drive("retry", null);
    List<String> problems = new ArrayList<>();
    if (r.d.commands().calls().stream().noneMatch(c -> c.contains("--bypass-driver"))) {
      problems.add("rpm-ostree was never given --bypass-driver");
    }
    r.cell("update-driver-bypassed", "retry", Phase.Succeeded, problems);
  }

  // ------------------------------------------------------------------ upstream fidelity: rpm hosts and dnf

  /** dnf failing, repositories, restart instead of reboot. */
  static void rpmCells(List<Scenario> out) {
    out.add(new Scenario(List.of("dnf-install-fails-rpm"), List.of(Phase.Failed), "dnf install fails after the data copy"
        + " (rpm transaction test: no space)", Story.RPM_Z, o -> {}, FaultMatrixTest::dnfInstallFails));
    out.add(new Scenario(List.of("y-stream-without-repos-rpm"), List.of(Phase.Failed), "y-stream plan without"
        + " spec.target.repositories (rhocp-4.18 not enabled): does not resolve", Story.RPM_Z, o -> {},
        FaultMatrixTest::yStreamWithoutRepositories));
    out.add(new Scenario(List.of("restart-z-rpm"), List.of(Phase.Succeeded), "z-stream, reboot IfNeeded: MicroShift"
        + " restarted, no reboot", Story.RPM_Z, o -> {}, FaultMatrixTest::restartInsteadOfReboot));
    out.add(new Scenario(List.of("restart-unhealthy-rpm"), List.of(Phase.Failed), "z-stream restarted but unhealthy;"
        + " then restore-rpm.md", Story.RPM_Z, o -> o.broken(Z), FaultMatrixTest::restartUnhealthyThenRestore));
    for (String point : CrashPoints.APPLY_RESTART) {
      out.add(new Scenario(List.of("cut-" + point + "-rpm"), List.of(Phase.Succeeded), "power cut at " + point
          + " (restart path)", Story.RPM_Z, o -> o.crash(new CrashAt(point)).bootCrashIsPowerCut(),
          r -> restartPowerCut(r, point)));
    }
  }

  static UpdatePlan restartPlan() {
    return SimulatedDevice.rpmRestartPlan(PLAN, Z, ResumePolicy.AfterBoot);
  }

  /** Defect 4: the install fails after MicroShift stopped and its data was copied. */
  static void dnfInstallFails(Run r) throws Exception {
    r.d.commands().dnf().failNextTransaction("Error: Transaction test error:\n  installing package microshift-" + Z
        + " needs 120MB more space on the / filesystem");
    r.d.apply(restartPlan());
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElse(null);
    if (s == null || s.state() != HostState.Failed || !s.message().contains("Transaction test error")
        || !s.message().contains("MicroShift started again")) {
      problems.add("host " + (s == null ? "none" : s.state() + ": " + s.message()) + ", want Failed with dnf's reason");
    }
    if (r.d.boots() != 0) {
      problems.add(r.d.boots() + " boots, want none");
    }
    r.faultNote = "host Failed, MicroShift " + (r.d.microshiftActive() ? "running" : "stopped");
    r.cell("dnf-install-fails-rpm", PLAN, Phase.Failed, problems);
  }

  /** Defect 5: a y-stream needs its rhocp repository; without it nothing stops. */
  static void yStreamWithoutRepositories(Run r) throws Exception {
    UpdatePlan plan = SimulatedDevice.rpmRestartPlan(PLAN, Y, ResumePolicy.AfterBoot);
    r.d.apply(plan);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    String msg = r.d.plan(PLAN).getStatus().message;
    if (msg == null || !msg.contains("No match for argument: microshift-" + Y)) {
      problems.add("not failed by the resolve check: " + msg);
    }
    if (r.d.commands().calls().contains(List.of("systemctl", "stop", "microshift.service"))) {
      problems.add("MicroShift was stopped");
    }
    r.faultNote = "Failed before stopping MicroShift";
    r.cell("y-stream-without-repos-rpm", PLAN, Phase.Failed, problems);
  }

  /** Defect 6: the z-stream restarts MicroShift; the apply unit verifies it; no boot. */
  static void restartInsteadOfReboot(Run r) throws Exception {
    r.d.apply(restartPlan());
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    if (r.d.boots() != 0) {
      problems.add(r.d.boots() + " boots, want none");
    }
    if (s.bootIdAfter() == null || !s.bootIdAfter().equals(s.bootIdBefore())) {
      problems.add("boot id changed: " + s.bootIdBefore() + " -> " + s.bootIdAfter());
    }
    if (s.history().stream().noneMatch(h -> h.state() == HostState.Restarting)) {
      problems.add("no Restarting in the host's history");
    }
    r.faultNote = "restarted, " + r.d.boots() + " boots";
    r.cell("restart-z-rpm", PLAN, Phase.Succeeded, problems);
  }

  /**
   * The restarted target fails MicroShift's health check: Failed with the restore command; then
   * the commands of docs/procedures/restore-rpm.md bring back the version and the data.
   */
  static void restartUnhealthyThenRestore(Run r) throws Exception {
    r.wroteAfter = true; // nothing is written on the broken target
    r.d.apply(restartPlan());
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    String restore = "microshift-update restore " + s.backupId();
    if (s.state() != HostState.Failed || !s.message().contains(restore)) {
      problems.add("host " + s.state() + ": " + s.message() + ", want Failed with '" + restore + "'");
    }
    for (List<String> argv : List.of(List.of("systemctl", "stop", "microshift.service"),
        List.of("microshift-cleanup-data", "--ovn"),
        List.of("dnf", "install", "-y", "microshift-" + FROM, "microshift-networking-" + FROM,
            "microshift-selinux-" + FROM, "microshift-greenboot-" + FROM))) {
      if (!r.d.commands().run(argv).ok()) {
        problems.add(String.join(" ", argv) + " failed");
      }
    }
    if (r.d.agent("restore", s.backupId()) != 0) {
      problems.add("microshift-update restore failed");
    }
    r.d.commands().run(List.of("systemctl", "start", "microshift.service"));
    r.faultNote = "Failed, then restore-rpm.md";
    r.wroteAfter = false;
    r.cell("restart-unhealthy-rpm", PLAN, Phase.Failed, problems);
  }

  /** A power cut on the restart path: the next boot takes over as after a reboot. */
  static void restartPowerCut(Run r, String point) throws Exception {
    r.d.apply(restartPlan());
    r.drive(PLAN, null);
    boolean fired = r.d.agentCrashes().stream().anyMatch(c -> c.endsWith(" at " + point));
    r.faultNote = fired ? "cut at " + point : "";
    r.cell("cut-" + point + "-rpm", PLAN, Phase.Succeeded,
        fired ? List.of() : List.of("the crash point " + point + " was never reached: the fault was not injected"));
  }

  // ------------------------------------------------------------------ upstream fidelity: greenboot, greenboot-rs

  /** Classic greenboot and greenboot-rs. */
  static void greenbootCells(List<Scenario> out) {
    out.add(new Scenario(List.of("greenboot-rollback-attempts"), List.of(Phase.RolledBack),
        "bash greenboot, target never healthy (GREENBOOT_MAX_BOOT_ATTEMPTS=2): 2 failed boots, fallback",
        Story.OSTREE_ROLLBACK, o -> {}, r -> greenbootRolledBack(r, "greenboot-rollback-attempts", 2)));
    out.add(new Scenario(List.of("greenboot-rs-success"), List.of(Phase.Succeeded),
        "greenboot-rs: MicroShift's check fails once (boot_counter set only then), then passes",
        Story.OSTREE_Z, o -> o.greenbootRs().brokenFor(Z, 1), FaultMatrixTest::greenbootRsSuccess));
    out.add(new Scenario(List.of("greenboot-rs-rollback"), List.of(Phase.RolledBack),
        "greenboot-rs, target never healthy (GREENBOOT_MAX_BOOT_ATTEMPTS=2): 3 failed boots, rollback from the last one",
        Story.OSTREE_ROLLBACK, o -> o.greenbootRs(), r -> greenbootRolledBack(r, "greenboot-rs-rollback", 3)));
    out.add(new Scenario(List.of("cut-after-commit-rs"), List.of(Phase.RolledBack),
        "greenboot-rs: the target passes on its last boot attempt, the power goes out after green.d committed and"
            + " before grub learnt the boot was good: grub falls back, the boot unit restores the data",
        Story.OSTREE_Z, o -> o.greenbootRs().brokenFor(Z, 3).cutPowerAfterGreen(),
        r -> cutAfterCommit(r, "cut-after-commit-rs", 3)));
    out.add(new Scenario(List.of("prepare-during-greenboot-check"), List.of(Phase.RolledBack),
        "bash greenboot still checking the current boot when the plan starts: Prepare waits for its verdict before"
            + " staging, so set-success does not clear the boot counter the staging sets; the broken target rolls back",
        Story.OSTREE_ROLLBACK, o -> {}, FaultMatrixTest::prepareDuringGreenbootCheck));
    out.add(new Scenario(List.of("cut-after-commit"), List.of(Phase.RolledBack),
        "bash greenboot: the target passes on its last boot attempt, the power goes out after green.d committed and"
            + " before greenboot-grub2-set-success: grub falls back, greenboot's fallback unit rolls back, the boot"
            + " unit restores the data",
        Story.OSTREE_Z, o -> o.brokenFor(Z, 2).cutPowerAfterGreen(), r -> cutAfterCommit(r, "cut-after-commit", 2)));
    out.add(new Scenario(List.of("no-flight-broken-agent"), List.of(Phase.Succeeded),
        "bash greenboot: after the update, the agent's jar broken; the next boot has no update in flight",
        Story.OSTREE_Z, o -> {}, r -> brokenAgentWithNothingInFlight(r, "no-flight-broken-agent")));
    out.add(new Scenario(List.of("no-flight-broken-agent-rs"), List.of(Phase.Succeeded),
        "greenboot-rs: after the update, the agent's jar broken; the next boot has no update in flight",
        Story.OSTREE_Z, o -> o.greenbootRs(), r -> brokenAgentWithNothingInFlight(r, "no-flight-broken-agent-rs")));
  }

  /** The target fails every check: {@code failedBoots} failed target boots, then the previous deployment and the data restored. */
  static void greenbootRolledBack(Run r, String id, int failedBoots) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    long targetBoots = s.history().stream().filter(h -> h.state() == HostState.Booted).count();
    if (s.greenbootAttempts() != failedBoots || targetBoots != failedBoots) {
      problems.add("host reports " + s.greenbootAttempts() + " failed greenboot attempt(s) and " + targetBoots
          + " boots of the target; want " + failedBoots + " and " + failedBoots);
    }
    r.d.grubBootCounter().ifPresent(c -> problems.add("boot_counter left at " + c + " after the rollback"));
    r.faultNote = failedBoots + " failed target boots";
    r.cell(id, PLAN, Phase.RolledBack, problems);
  }

  /**
   * greenboot's verdict on the current boot lands while the host prepares (set-success runs after
   * three looks at greenboot-healthcheck.service): the staging must come after it, or the counter
   * it arms is cleared and the broken target gets no reboot and no fallback (redboot-auto-reboot:
   * "Manual intervention necessary").
   */
  static void prepareDuringGreenbootCheck(Run r) throws Exception {
    r.d.bashGreenboot().verdictPendingFor(3);
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    if (s.history().stream().noneMatch(h -> h.state() == HostState.Preparing
        && h.message().startsWith("waiting for greenboot to finish checking this boot"))) {
      problems.add("the Prepare never waited for greenboot's verdict: " + s.history());
    }
    if (s.greenbootAttempts() != 2) {
      problems.add("host reports " + s.greenbootAttempts() + " failed greenboot attempt(s); want 2 (the counter armed)");
    }
    r.d.grubBootCounter().ifPresent(c -> problems.add("boot_counter left at " + c + " after the rollback"));
    r.faultNote = "verdict after 3 looks; " + s.greenbootAttempts() + " failed target boots";
    r.cell("prepare-during-greenboot-check", PLAN, Phase.RolledBack, problems);
  }

  /**
   * A power cut right after the Prepare staged, on a device where greenboot is still checking
   * each boot when the agent looks: the apply unit resumes the Prepare at the next boot, which
   * waits for that boot's verdict before it stages again (the staged deployment was lost), so the
   * counter the new staging arms survives and the broken target rolls back after 2 failed boots.
   */
  static void cutPrepareWhileGreenbootChecks(Run r) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    if (r.d.agentCrashes().stream().noneMatch(c -> c.endsWith(" at " + CrashPoints.PREPARE_STAGED))) {
      problems.add("the crash point " + CrashPoints.PREPARE_STAGED + " was never reached: the fault was not injected");
    }
    HostStatus s = r.d.hostStatus().orElseThrow();
    long waits = s.history().stream().filter(h -> h.message().startsWith("waiting for greenboot to finish")).count();
    if (waits < 2) {
      problems.add("the Prepare waited for greenboot's verdict " + waits + " time(s), want before each staging: "
          + s.history());
    }
    if (s.greenbootAttempts() != 2) {
      problems.add("host reports " + s.greenbootAttempts() + " failed greenboot attempt(s); want 2 (the counter armed)");
    }
    r.faultNote = "cut at " + CrashPoints.PREPARE_STAGED + "; waited " + waits + "x; " + s.greenbootAttempts()
        + " failed target boots";
    r.cell("cut-prepare-staged-greenboot-checking", PLAN, Phase.RolledBack, problems);
  }

  /**
   * green.d committed on the last boot attempt, after {@code failedRuns} failed checks, and the
   * power went out before greenboot told grub the boot was good: grub falls back to the previous
   * deployment, which greenboot makes the default (greenboot-rs's health check: GRUB fallback; the
   * bash greenboot's fallback unit: rpm-ostree rollback), and the boot unit, watching the boot
   * after the commit, brings the pre-update data back. GREENBOOT_MAX_BOOT_ATTEMPTS=3: the last
   * attempt is the fourth boot under greenboot-rs (its counter is set at the first failure), the
   * third under the bash greenboot (set to 3 when the target is staged, one less at each boot).
   */
  static void cutAfterCommit(Run r, String id, int failedRuns) throws Exception {
    r.brokenRunsLeft = failedRuns;
    r.apply(PLAN);
    r.drive(PLAN, null);
    r.d.greenbootRun(); // greenboot-healthcheck.service of the fallback boot, after the boot unit
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    if (s.history().stream().noneMatch(h -> h.state() == HostState.Committed)) {
      problems.add("green.d never committed: the fault was not injected");
    }
    if (s.state() != HostState.Restored) {
      problems.add("host " + s.state() + ": " + s.message() + "; want Restored after the commit");
    }
    List<String> order = r.d.commands().rpmOstreeDeployments();
    if (order.isEmpty() || !order.get(0).equals(r.d.bootedChecksum())) {
      problems.add("the default deployment is not the booted previous one");
    }
    if (flagged(r.d.paths().commitUnconfirmedFlag())) {
      problems.add("the commit-unconfirmed flag is left");
    }
    r.faultNote = r.d.boots() + " boots, host " + s.state();
    r.cell(id, PLAN, Phase.RolledBack, problems);
  }

  /** greenboot-rs retries the target once after setting boot_counter at the first failure; green.d unsets it. */
  static void greenbootRsSuccess(Run r) throws Exception {
    r.brokenRunsLeft = 1;
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = r.d.hostStatus().orElseThrow();
    long targetBoots = s.history().stream().filter(h -> h.state() == HostState.Booted).count();
    if (s.greenbootAttempts() != 1 || targetBoots != 2) {
      problems.add("host reports " + s.greenbootAttempts() + " failed greenboot attempt(s) and " + targetBoots
          + " boots of the target; want 1 and 2");
    }
    r.d.grubBootCounter().ifPresent(c -> problems.add("boot_counter left at " + c + " after the healthy boot"));
    r.faultNote = "2 boot attempts, " + s.greenbootAttempts() + " failed";
    r.cell("greenboot-rs-success", PLAN, Phase.Succeeded, problems);
  }

  /**
   * A committed update, then the agent's jar broken: the next boot starts no agent (the boot unit
   * is skipped, the greenboot scripts exit in shell) and greenboot passes, so nothing rolls back.
   */
  static void brokenAgentWithNothingInFlight(Run r, String id) throws Exception {
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    if (flagged(r.d.paths().inFlightFlag())) {
      problems.add("the in-flight flag is left after " + r.d.hostStatus().map(HostStatus::state).orElse(null));
    }
    // the first boot after the commit watches for grub's fallback (the commit-unconfirmed flag)
    if (!flagged(r.d.paths().commitUnconfirmedFlag())) {
      problems.add("green.d set no commit-unconfirmed flag");
    }
    r.d.reboot();
    if (flagged(r.d.paths().commitUnconfirmedFlag())) {
      problems.add("the boot of the committed target left the commit-unconfirmed flag");
    }
    r.d.greenbootRun();
    int bootUnitRuns = count(r.d.agentLog(), "$ microshift-update boot");
    r.d.breakAgentJar();
    r.d.reboot();
    SimulatedDevice.GreenbootResult g = r.d.greenbootRun();
    r.log.println(g.output());
    if (!g.healthy() || g.fallbackNext()) {
      problems.add("greenboot failed a boot that nothing updated: " + oneLine(g.output()));
    }
    if (g.output().contains("Invalid or corrupt jarfile") || count(r.d.agentLog(), "$ microshift-update boot") != bootUnitRuns) {
      problems.add("an agent JVM was started with no update in flight");
    }
    r.faultNote = "greenboot " + (g.healthy() ? "healthy" : "FAILED") + " with the agent broken";
    r.cell(id, PLAN, Phase.Succeeded, problems);
  }

  /** Whether a flag file is there: any entry counts, a dangling symlink too, as in the units and scripts. */
  static boolean flagged(Path flag) {
    return Files.exists(flag, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  static int count(String text, String what) {
    return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  // ------------------------------------------------------------------ upstream fidelity: disk space

  /** Room for our copy but not for MicroShift's own backups as well. */
  static void diskCells(List<Scenario> out) {
    out.add(new Scenario(List.of("disk-no-room-for-microshift-backups"), List.of(Phase.Failed),
        "/var has room for our copy and MicroShift's first-boot backup, not for its backups of failed target boots",
        Story.OSTREE_ROLLBACK, o -> {}, FaultMatrixTest::diskNoRoomForMicroShiftBackups));
    out.add(new Scenario(List.of("disk-just-fits-the-peak-rollback"), List.of(Phase.RolledBack),
        "/var just holds the counted peak; the target fails greenboot and MicroShift backs up on every boot",
        Story.OSTREE_ROLLBACK, o -> {}, FaultMatrixTest::diskJustFitsThePeak));
  }

  /**
   * Bytes of MicroShift's live data dir on the device now, after adding 192 MiB of other data to
   * it: etcd's spare preallocated WAL segment (64 MiB, present while etcd runs, not in a copy)
   * then weighs little against what every copy holds.
   */
  static long bulkDataBytes(SimulatedDevice d) throws IOException {
    Path bulk = d.paths().microshiftData().resolve("resources/sim-bulk");
    Files.createDirectories(bulk.getParent());
    try (var out = Files.newOutputStream(bulk)) {
      byte[] mib = new byte[1024 * 1024];
      for (int i = 0; i < 192; i++) {
        out.write(mib);
      }
    }
    return io.microshift.update.host.DiskSpace.treeBytes(d.paths().microshiftData());
  }

  /**
   * Free space for 3 copies of the data dir (more than was counted before issue 13: ours and
   * MicroShift's first-boot backup, +10%) but not the 4 of the peak (before the fix: the rollback
   * boot's restore found no room): apply refuses before anything stops, every term in its message.
   */
  static void diskNoRoomForMicroShiftBackups(Run r) throws Exception {
    SimulatedDevice d = r.d;
    d.diskBytes(d.varBytesUsed() + 3 * bulkDataBytes(d));
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    HostStatus s = d.hostStatus().orElse(null);
    String msg = s == null ? "" : s.message();
    for (String term : List.of("not enough free space for the update", "our copy of it into backup set",
        "MicroShift's pre-run backup on the target's first boot", "MicroShift's backups after failed target boots",
        "the etcd snapshot, still to write", "10% margin", "have ", "Free at least ")) {
      if (!msg.contains(term)) {
        problems.add("host message lacks '" + term + "': " + msg);
      }
    }
    UpdatePlan p = d.plan(PLAN);
    if (p == null || p.getStatus() == null || p.getStatus().message == null
        || !p.getStatus().message.contains("not enough free space for the update")) {
      problems.add("plan message does not say why: " + (p == null || p.getStatus() == null ? null : p.getStatus().message));
    }
    for (List<String> a : d.commands().actions()) {
      if (a.equals(List.of("systemctl", "stop", "microshift.service")) || a.contains("deploy") || a.contains("rebase")) {
        problems.add("the host changed before the refusal: " + a);
      }
    }
    r.faultNote = "host " + (s == null ? "none" : s.state());
    r.cell("disk-no-room-for-microshift-backups", PLAN, Phase.Failed, problems);
  }

  /**
   * /var sized to the peak the agent counts (4 copies of the data dir +10%, and a little for
   * etcd's growth): the broken target fails greenboot twice, MicroShift's pre-run backs up on
   * every boot (first boot, failed boot, rollback boot) and the rollback restores; nothing runs
   * out of space. MicroShift's backups exist afterwards (its pre-run ran on the device).
   */
  static void diskJustFitsThePeak(Run r) throws Exception {
    SimulatedDevice d = r.d;
    long data = bulkDataBytes(d);
    d.diskBytes(d.varBytesUsed() + (long) Math.ceil(4 * data * SPACE_MARGIN) + 8L * 1024 * 1024);
    r.apply(PLAN);
    r.drive(PLAN, null);
    List<String> problems = new ArrayList<>();
    try (Stream<Path> backups = Files.list(d.paths().microshiftBackups())) {
      long n = backups.filter(Files::isDirectory).count();
      if (n < 2) {
        problems.add(n + " MicroShift backup(s) in /var/lib/microshift-backups, want the booted one's and the target's");
      }
    } catch (IOException e) {
      problems.add("no /var/lib/microshift-backups: " + e);
    }
    r.faultNote = "disk " + d.varBytesUsed() / (1024 * 1024) + " MiB used after";
    r.cell("disk-just-fits-the-peak-rollback", PLAN, Phase.RolledBack, problems);
  }

  /** SpaceCheck.MARGIN (package-private in host). */
  static final double SPACE_MARGIN = 1.1;

  static Scenario operatorKill(Story story, Phase phase) {
    String id = "op-kill-" + phase.name().toLowerCase(Locale.ROOT) + (story == Story.OSTREE_Z ? ""
        : story == Story.RPM_Z ? "-rpm" : "-rollback");
    return new Scenario(List.of(id), List.of(story.outcome), "operator killed on entering " + phase, story, o -> {},
        r -> r.killOperatorOnEntering(phase));
  }

  static Scenario powerCut(Story story, String point) {
    String id = "cut-" + point + (story == Story.RPM_Z ? "-rpm" : "");
    boolean greenboot = point.startsWith("greenboot.");
    return new Scenario(List.of(id), List.of(story.outcome), "power cut at " + point, story, o -> {
      if (greenboot) {
        o.greenbootCrashAt(point);
      } else {
        o.crash(new CrashAt(point)).bootCrashIsPowerCut();
      }
    }, r -> r.powerCutAt(point));
  }

  // ------------------------------------------------------------------ running them

  @TestFactory
  Stream<DynamicTest> faultMatrix() throws IOException {
    List<Scenario> all = scenarios();
    Set<String> ids = new LinkedHashSet<>();
    all.forEach(s -> s.cellIds().forEach(id -> assertTrue(ids.add(id), "duplicate cell " + id)));
    assertTrue(ids.size() >= 40, "the matrix has " + ids.size() + " cells, want at least 40");
    for (String point : CrashPoints.all()) {
      if (LEGACY_APPLY_ONLY.contains(point)) {
        continue;
      }
      assertTrue(ids.stream().anyMatch(id -> id.equals("cut-" + point) || id.equals("cut-" + point + "-rpm")),
          "no power-cut cell for the crash point " + point);
    }
    String only = System.getProperty("faultmatrix.only");
    List<Scenario> chosen = only == null || only.isBlank() ? all
        : all.stream().filter(s -> s.cellIds().get(0).matches(only)).toList();
    int parallel = Integer.getInteger("faultmatrix.parallel", 3);
    Files.createDirectories(LOGS);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    List<Future<List<Row>>> futures = new ArrayList<>();
    for (Scenario s : chosen) {
      futures.add(pool.submit(() -> runScenario(s)));
    }
    pool.shutdown();
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i++) {
      Scenario s = chosen.get(i);
      Future<List<Row>> f = futures.get(i);
      tests.add(DynamicTest.dynamicTest(String.join(" + ", s.cellIds()) + ": " + s.fault(), () -> {
        List<Row> rows = f.get(15, TimeUnit.MINUTES);
        for (Row row : rows) {
          assertTrue(row.passed(), row.id() + ": " + row.outcome() + "; " + row.problems()
              + " (device log: " + LOGS.resolve(row.id() + ".log") + ")");
        }
      }));
    }
    return tests.stream();
  }

  static List<Row> runScenario(Scenario s) {
    Path logFile = LOGS.resolve(s.cellIds().get(0) + ".log");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);
    Run r = null;
    long t0 = System.nanoTime();
    try {
      SimulatedDevice.Options o = s.story().options().log(log);
      s.options().accept(o);
      try (SimulatedDevice d = SimulatedDevice.start(o)) {
        r = new Run(s, d, log);
        r.cellStart = t0; // the first cell's time includes the device's start
        try {
          s.body().run(r);
        } finally {
          log.println("---- agent log\n" + d.agentLog());
        }
      }
    } catch (Throwable e) {
      log.println("scenario failed: " + e);
      e.printStackTrace(log);
      List<Row> rows = new ArrayList<>(r == null ? List.of() : r.rows);
      for (String id : s.cellIds()) {
        if (rows.stream().noneMatch(x -> x.id().equals(id))) {
          Row row = new Row(id, s.fault(), s.story().title, s.expects().get(s.cellIds().indexOf(id)),
              "error", false, (System.nanoTime() - t0) / 1e9, oneLine(e.toString()));
          rows.add(row);
          ROWS.add(row);
        }
      }
      writeLog(logFile, buf);
      return rows;
    }
    writeLog(logFile, buf);
    return r.rows;
  }

  static void writeLog(Path file, ByteArrayOutputStream buf) {
    try {
      Files.write(file, buf.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String oneLine(String s) {
    String t = s.replaceAll("\\s+", " ").strip();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  @AfterAll
  static void printTable() throws IOException {
    List<Row> rows;
    synchronized (ROWS) {
      rows = new ArrayList<>(ROWS);
    }
    if (rows.isEmpty()) {
      return;
    }
    List<String> order = scenarios().stream().flatMap(s -> s.cellIds().stream()).toList();
    rows.sort(java.util.Comparator.comparingInt(r -> order.indexOf(r.id())));
    StringBuilder t = new StringBuilder();
    t.append("Fault matrix: every cell ends with the device Succeeded (runs the target, with the data written on it)")
        .append(" or rolled back / unchanged (runs ").append(FROM).append(" with the pre-update data: RolledBack, or")
        .append(" Failed before the hand-off with the host untouched); workloads at their recorded replicas;")
        .append(" etcd and the app's data equal to that side; no data dir lost.\n");
    String fmt = "%-44s %-78s %-11s %-40s %-4s %6s%n";
    t.append(String.format(Locale.ROOT, fmt, "cell", "fault (story)", "expected", "outcome", "", "sec"));
    int passed = 0;
    for (Row row : rows) {
      if (row.passed()) {
        passed++;
      }
      String fault = row.fault() + " (" + row.story() + ")";
      t.append(String.format(Locale.ROOT, fmt, row.id(), fault.length() > 78 ? fault.substring(0, 75) + "..." : fault,
          row.expected(), row.outcome().length() > 40 ? row.outcome().substring(0, 37) + "..." : row.outcome(),
          row.passed() ? "PASS" : "FAIL", String.format(Locale.ROOT, "%.1f", row.seconds())));
      if (!row.passed()) {
        t.append("    problems: ").append(row.problems()).append('\n');
      }
    }
    t.append("FAULT-MATRIX cells=").append(rows.size()).append(" passed=").append(passed).append('\n');
    System.out.print(t);
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, t.toString());
  }

  // ------------------------------------------------------------------ one device

  static final class Run {
    final Scenario scenario;
    final Story story;
    final SimulatedDevice d;
    final PrintStream log;
    final List<Row> rows = new ArrayList<>();
    long cellStart = System.nanoTime();
    boolean wroteAfter;
    int brokenRunsLeft;
    String faultNote = "";
    boolean holdRebootForApplying;
    Runnable tick;

    Run(Scenario scenario, SimulatedDevice d, PrintStream log) {
      this.scenario = scenario;
      this.story = scenario.story();
      this.d = d;
      this.log = log;
      this.brokenRunsLeft = story == Story.OSTREE_ROLLBACK || story == Story.IMAGE_ROLLBACK ? Integer.MAX_VALUE : 0;
      d.etcdPut(BEFORE_KEY, "kept");
    }

    void apply(String name) {
      d.apply(story.plan(name));
    }

    // -------------------------------------------------- faults

    void killOperatorOnEntering(Phase phase) throws Exception {
      if (phase == Phase.Pending) {
        apply(PLAN);
        d.restartOperator();
        faultNote = "killed as the plan was created";
      } else {
        AtomicBoolean fired = onEntering(PLAN, phase, d::killOperator);
        AtomicBoolean restarted = new AtomicBoolean();
        holdRebootForApplying = phase == Phase.Applying;
        apply(PLAN);
        drive(PLAN, () -> {
          if (fired.get() && restarted.compareAndSet(false, true)) {
            d.restartOperator();
          }
        });
        faultNote = fired.get() ? "killed in " + phase : "";
        if (!fired.get()) {
          cell(scenario.cellIds().get(0), PLAN, story.outcome,
              List.of("the plan never entered " + phase + ": the fault was not injected"));
          return;
        }
      }
      if (phase == Phase.Pending) {
        drive(PLAN, null);
      }
      cell(scenario.cellIds().get(0), PLAN, story.outcome);
    }

    void killMidHook(boolean idempotent, Phase outcome) throws Exception {
      UpdatePlan plan = story.plan(PLAN);
      plan.getSpec().hooks = new HookPolicy();
      plan.getSpec().hooks.idempotent = idempotent;
      d.apply(plan);
      d.await("the pre-update hook's exec", Duration.ofSeconds(60),
          () -> d.execs().stream().anyMatch(e -> e.endsWith(": app-data backup")));
      d.restartOperator();
      faultNote = "killed during " + d.execs();
      drive(PLAN, null);
      List<HookStatus> hooks = d.plan(PLAN).getStatus().hooks;
      String states = hooks.stream().map(h -> h.pod + "=" + h.state + "x" + h.attempts).toList().toString();
      faultNote = "hooks " + states;
      List<String> problems = new ArrayList<>();
      if (idempotent) {
        if (hooks.stream().noneMatch(h -> h.attempts != null && h.attempts == 2 && "Succeeded".equals(h.state))) {
          problems.add("no hook re-run after the restart: " + states);
        }
      } else if (hooks.stream().noneMatch(h -> "Interrupted".equals(h.state))) {
        problems.add("no hook Interrupted: " + states);
      }
      cell(scenario.cellIds().get(0), PLAN, outcome, problems);
    }

    void powerCutAt(String point) throws Exception {
      apply(PLAN);
      drive(PLAN, null);
      boolean fired = point.startsWith("greenboot.") ? d.greenbootCrashed()
          : d.agentCrashes().stream().anyMatch(c -> c.endsWith(" at " + point));
      faultNote = fired ? "cut at " + point : "";
      List<String> problems = new ArrayList<>();
      if (!fired) {
        problems.add("the crash point " + point + " was never reached: the fault was not injected");
      }
      cell(scenario.cellIds().get(0), PLAN, story.outcome, problems);
    }

    void hangingHook() throws Exception {
      apply(PLAN);
      drive(PLAN, null);
      List<HookStatus> hooks = d.plan(PLAN).getStatus().hooks;
      List<String> problems = new ArrayList<>();
      if (hooks.stream().noneMatch(h -> "TimedOut".equals(h.state))) {
        problems.add("no hook TimedOut: " + hooks.stream().map(h -> h.pod + "=" + h.state).toList());
      }
      faultNote = "hook TimedOut";
      cell("hook-hangs", PLAN, Phase.Failed, problems);
    }

    void etcdDownDuringBackup() throws Exception {
      AtomicBoolean fired = onEntering(PLAN, Phase.Pausing, () -> d.etcd().stop());
      apply(PLAN);
      drive(PLAN, null);
      List<String> problems = new ArrayList<>();
      if (!fired.get()) {
        problems.add("the plan never entered Pausing");
      }
      String msg = d.plan(PLAN).getStatus().message;
      if (msg == null || !msg.contains("etcd snapshot failed")) {
        problems.add("not failed by the backup: " + msg);
      }
      d.etcd().restart(); // etcd back (MicroShift restarts it)
      faultNote = "BackupFailed, etcd back";
      cell("etcd-down-in-backup", PLAN, Phase.Failed, problems);
      retry("etcd-back-new-plan");
    }

    void diskFullDuringCopy() throws Exception {
      diskFullOnly();
      retry("disk-freed-new-plan");
    }

    void diskFullOnly() throws Exception {
      d.commands().failNextCopy("cp: error writing '/var/lib/microshift-update/backups/data.tmp/etcd/member/snap/db':"
          + " No space left on device");
      apply(PLAN);
      drive(PLAN, null);
      List<String> problems = new ArrayList<>();
      HostStatus s = d.hostStatus().orElse(null);
      if (s == null || s.state() != HostState.Failed) {
        problems.add("host state " + (s == null ? "none" : s.state()) + ", want Failed");
      }
      faultNote = s == null ? "" : "host " + s.state();
      cell(scenario.cellIds().get(0), PLAN, Phase.Failed, problems);
    }

    void retry(String id) throws Exception {
      cellStart = System.nanoTime();
      wroteAfter = false;
      faultNote = "second plan";
      apply("retry");
      drive("retry", null);
      cell(id, "retry", story.outcome);
    }

    void greenbootFailsOnce() throws Exception {
      brokenRunsLeft = 1;
      apply(PLAN);
      drive(PLAN, null);
      HostStatus s = d.hostStatus().orElseThrow();
      long boots = s.history().stream().filter(h -> h.state() == HostState.Booted).count();
      List<String> problems = new ArrayList<>();
      if (s.greenbootAttempts() != 1 || boots != 2) {
        problems.add("host reports " + s.greenbootAttempts() + " failed greenboot attempt(s) and " + boots
            + " boots of the target; want 1 and 2");
      }
      faultNote = "2 boot attempts, " + s.greenbootAttempts() + " failed";
      cell("greenboot-fails-once", PLAN, Phase.Succeeded, problems);
    }

    /** Calls {@code action} (once) as soon as the plan's status shows {@code phase}. */
    AtomicBoolean onEntering(String name, Phase phase, Runnable action) {
      AtomicBoolean fired = new AtomicBoolean();
      Watch[] w = new Watch[1];
      w[0] = d.kube().resources(UpdatePlan.class).withName(name).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action a, UpdatePlan p) {
          if (p.getStatus() != null && p.getStatus().phase == phase && fired.compareAndSet(false, true)) {
            log.println("  [matrix] plan " + name + " entered " + phase + ": injecting the fault");
            action.run();
          }
        }

        @Override
        public void onClose(WatcherException cause) {
        }
      });
      watches.add(w[0]);
      return fired;
    }

    final List<Watch> watches = new ArrayList<>();

    // -------------------------------------------------- systemd and greenboot

    /**
     * Plays the host until the plan is terminal: after an agent crash a power cut (or the reboot
     * that was already requested), the reboot the agent asked for, greenboot on each target boot
     * (after the operator's verification, so that the check does not poll), a reboot after a
     * failed greenboot run. {@code tick} runs every round.
     */
    void drive(String name, Runnable tick) {
      this.tick = tick;
      long deadline = System.nanoTime() + CELL_TIMEOUT.toNanos();
      int crashes = d.agentCrashes().size();
      boolean greenbootCutDone = false;
      String greenbootBoot = null;
      while (true) {
        if (tick != null) {
          tick.run();
        }
        Phase ph = d.phase(name);
        if (ph != null && ph.isTerminal()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out after " + CELL_TIMEOUT.toSeconds() + "s: " + d.describe());
        }
        if (d.agentCrashes().size() > crashes) {
          crashes = d.agentCrashes().size();
          if (d.rebootRequested()) {
            log.println("  [matrix] the agent stopped after requesting the reboot: the reboot goes through");
            d.reboot();
          } else {
            d.powerCut();
          }
          continue;
        }
        if (d.greenbootCrashed() && !greenbootCutDone) {
          greenbootCutDone = true;
          d.powerCut();
          continue;
        }
        if (d.rebootRequested()) {
          if (holdRebootForApplying) {
            // a real reboot takes a while: the operator sees Rebooting and enters Applying first
            d.await("the plan to leave AwaitingReboot", Duration.ofSeconds(20),
                () -> d.phase(name) != Phase.AwaitingReboot);
          }
          if (tick != null) {
            tick.run(); // every tick sees the moment between the reboot request and the reboot
            if (!d.rebootRequested()) {
              continue; // the tick rebooted or cut the power itself
            }
          }
          d.reboot();
          continue;
        }
        Optional<HostStatus> hs = d.hostStatus();
        String boot = d.bootId();
        if (hs.isPresent() && d.microshiftActive() && !boot.equals(greenbootBoot)
            && boot.equals(hs.get().bootIdAfter())
            && EnumSet.of(HostState.Booted, HostState.Healthy).contains(hs.get().state())) {
          greenbootBoot = boot;
          if (d.bootedVersion().equals(story.target) && !wroteAfter) {
            d.etcdPut(AFTER_KEY, "written on " + story.target);
            d.appWrite(APP_AFTER);
            wroteAfter = true;
          }
          if (boot.equals(hs.get().bootIdBefore())) {
            continue; // rpm: MicroShift restarted without a reboot; no greenboot run, the apply unit verifies
          }
          if (brokenRunsLeft <= 0) {
            awaitVerification(name, boot);
          } else {
            brokenRunsLeft--;
          }
          SimulatedDevice.GreenbootResult g = d.greenbootRun();
          log.println(g.output());
          if (d.greenbootCrashed() && !greenbootCutDone) {
            continue;
          }
          if (!g.healthy() && story != Story.RPM_Z && !g.manualIntervention()) {
            if (tick != null) {
              tick.run(); // the moment between red.d and greenboot's reboot
            }
            d.reboot(); // greenboot reboots after a failed attempt
          }
          continue;
        }
        sleep(100);
      }
    }

    /**
     * A plan that fails after the host prepared writes a Cancel; the apply path unit acts on it
     * within a moment (bounded wait): then nothing is staged any more.
     */
    void awaitPrepareWithdrawn() {
      try {
        d.await("the host to act on the Cancel of its Prepare", Duration.ofSeconds(20), () -> d.hostStatus()
            .map(s -> s.state() != HostState.Preparing && s.state() != HostState.Prepared).orElse(true));
      } catch (AssertionError e) {
        // the cell's checks report the host state
      }
    }

    /** Waits (bounded) for the operator's verification of this boot; greenboot's check fails by itself otherwise. */
    void awaitVerification(String name, String boot) {
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < until) {
        if (tick != null) {
          tick.run(); // the operator pod restarts while greenboot waits
        }
        boolean verified = d.request().map(r -> r.verification() != null && boot.equals(r.verification().bootId()))
            .orElse(false);
        Phase ph = d.phase(name);
        if (verified || (ph != null && ph.isTerminal()) || !boot.equals(d.bootId())) {
          return;
        }
        sleep(100);
      }
    }

    // -------------------------------------------------- the checks of a cell

    void cell(String id, String name, Phase want) {
      cell(id, name, want, List.of());
    }

    /** Checks the device against the side {@code want} stands for and records the row. */
    void cell(String id, String name, Phase want, List<String> extra) {
      if (want != scenario.expects().get(scenario.cellIds().indexOf(id))) {
        throw new IllegalStateException("cell " + id + " checked against " + want + ", declared "
            + scenario.expects());
      }
      List<String> problems = new ArrayList<>(extra);
      for (Watch w : watches) {
        w.close();
      }
      watches.clear();
      UpdatePlan p = d.plan(name);
      Phase got = p == null || p.getStatus() == null ? null : p.getStatus().phase;
      String msg = p == null || p.getStatus() == null ? "" : p.getStatus().message;
      if (got != want) {
        problems.add("plan " + name + " is " + got + " (" + msg + "), want " + want);
      }
      if (want == Phase.Failed) {
        awaitPrepareWithdrawn();
      }
      boolean targetSide = want == Phase.Succeeded;
      String version = targetSide ? story.target : FROM;
      if (!version.equals(d.bootedVersion())) {
        problems.add("runs " + d.bootedVersion() + ", want " + version);
      }
      if (!d.microshiftActive()) {
        problems.add("MicroShift is not running");
      }
      try {
        d.await("shop/web at its recorded " + SimulatedDevice.APP_REPLICAS + " ready replicas", Duration.ofSeconds(30),
            () -> d.appReplicas() == SimulatedDevice.APP_REPLICAS
                && d.appReadyReplicas() == SimulatedDevice.APP_REPLICAS);
      } catch (AssertionError e) {
        problems.add("shop/web has " + d.appReplicas() + " replicas (" + d.appReadyReplicas() + " ready), want "
            + SimulatedDevice.APP_REPLICAS);
      }
      Deployment app = d.app();
      Map<String, String> ann = app == null || app.getMetadata().getAnnotations() == null ? Map.of()
          : app.getMetadata().getAnnotations();
      if (ann.containsKey(PauseAnnotations.ORIGINAL_REPLICAS) || ann.containsKey(PauseAnnotations.PAUSED_BY)) {
        problems.add("shop/web still marked paused: " + ann);
      }
      String before = d.etcdGet(BEFORE_KEY);
      if (!"kept".equals(before)) {
        problems.add("etcd " + BEFORE_KEY + " = " + before + ", want kept");
      }
      String after = d.etcdGet(AFTER_KEY);
      if (targetSide) {
        if (!wroteAfter) {
          problems.add("the target never booted with MicroShift up: nothing written on it");
        } else if (after == null) {
          problems.add("etcd lost " + AFTER_KEY + " written on the target");
        }
        if (!APP_AFTER.equals(d.appData())) {
          problems.add("app data '" + d.appData() + "', want '" + APP_AFTER + "'");
        }
      } else {
        if (after != null) {
          problems.add("etcd has " + AFTER_KEY + " = " + after + " on the original side");
        }
        if (!APP_BEFORE.equals(d.appData())) {
          problems.add("app data '" + d.appData() + "', want '" + APP_BEFORE + "'");
        }
      }
      Optional<HostStatus> hs = d.hostStatus();
      HostState hostState = hs.map(HostStatus::state).orElse(null);
      switch (want) {
        case Succeeded -> {
          if (hostState != HostState.Committed) {
            problems.add("host " + hostState + ", want Committed");
          }
        }
        case RolledBack -> {
          if (hostState != HostState.Restored) {
            problems.add("host " + hostState + ", want Restored");
          }
          if (d.appRestoredMarker() == null) {
            problems.add("the post-rollback hook did not restore the app's data");
          }
        }
        default -> {
          // rpm: Restored is what the documented manual restore (restore-rpm.md) leaves after Failed
          boolean restoredByHand = story == Story.RPM_Z && hostState == HostState.Restored;
          if (hostState != null && hostState != HostState.Failed && !restoredByHand) {
            problems.add("host " + hostState + ", want none or Failed (unchanged)");
          }
          if (story != Story.RPM_Z) {
            String status = d.commands().run(List.of("rpm-ostree", "status", "--json")).stdout();
            if (!status.startsWith("{\"deployments\":[{\"checksum\":\"" + d.commitOf(FROM) + "\"")) {
              problems.add("a staged deployment is left: " + status);
            }
          }
        }
      }
      Path data = d.paths().microshiftData();
      if (!Files.isRegularFile(data.resolve("etcd/member/snap/db"))) {
        problems.add("data dir lost: no " + data.resolve("etcd/member/snap/db"));
      }
      if (Files.exists(d.paths().restoreTemp())) {
        problems.add("restore temp dir left behind");
      }
      try (Stream<Path> sets = Files.isDirectory(d.paths().stateDir().resolve("backups"))
          ? Files.list(d.paths().stateDir().resolve("backups")) : Stream.empty()) {
        sets.filter(s -> Files.exists(s.resolve("data.tmp"))).forEach(s -> problems.add("data.tmp left in " + s));
      } catch (IOException e) {
        problems.add(e.toString());
      }
      if (!d.commands().unexpected().isEmpty()) {
        problems.add("unexpected commands: " + d.commands().unexpected());
      }
      String outcome = got + (faultNote.isEmpty() ? "" : "; " + faultNote);
      Row row = new Row(id, scenario.fault(), story.title, want, outcome, problems.isEmpty(),
          (System.nanoTime() - cellStart) / 1e9, String.join("; ", problems));
      log.println("  [matrix] " + row);
      rows.add(row);
      ROWS.add(row);
    }
  }

  static void sleep(long ms) {
    Sleeps.sleep(ms);
  }
}
