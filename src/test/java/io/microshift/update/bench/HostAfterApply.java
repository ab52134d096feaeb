package io.microshift.update.bench;

import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The host agent's side of an update after the Apply, for a bench that takes a plan through the
 * whole update ({@code hack/bench.d/operator-footprint}): the moves the agent makes in
 * host-status.json, each a {@link HostStatus#transition} that {@code marker.HostTransitions}
 * allows, with nothing of the host's own work (no snapshot, no staging, no reboot). The bench
 * kills the operator between {@link #stageAndReboot} and {@link #boot}, as the reboot would.
 */
final class HostAfterApply {
  /** How far the stand-in has taken the update. */
  enum Step { WAITING, REBOOTING, BOOTED, COMMITTED }

  // the formats the marker schema asks for: a boot id is a UUID, a deployment a 64-hex checksum
  static final String BOOT_BEFORE = "00000000-0000-4000-8000-000000000001";
  static final String BOOT_AFTER = "00000000-0000-4000-8000-000000000002";
  static final String DEPLOYMENT_BEFORE = "1".repeat(64);
  static final String DEPLOYMENT_AFTER = "2".repeat(64);

  private final Path stateDir;
  private final int uid;

  HostAfterApply(Path stateDir, int uid) {
    this.stateDir = stateDir;
    this.uid = uid;
  }

  /** The agent's apply for the Apply request: staged, then rebooting into the target. */
  void stageAndReboot() {
    UpdateRequest apply = MarkerFiles.readRequest(stateDir, uid)
        .filter(r -> r.action() == UpdateRequest.Action.Apply)
        .orElseThrow(() -> new IllegalStateException("no Apply in request.json"));
    HostStatus s = current().toBuilder()
        .request(new HostStatus.RequestRef(apply.plan().uid(), apply.sequence()))
        .bootIdBefore(BOOT_BEFORE).deploymentBefore(DEPLOYMENT_BEFORE)
        .fromVersion(apply.from().version()).targetVersion(apply.target().version())
        .backupId(apply.backup() == null ? null : apply.backup().id())
        .build();
    write(s.transition(HostState.Staged, "target staged (bench stand-in)", now())
        .transition(HostState.Rebooting, "rebooting into the target (bench stand-in)", now()));
  }

  /** The agent's boot verb on the target: booted, greenboot to check it. */
  void boot() {
    write(current().toBuilder().bootIdAfter(BOOT_AFTER).deploymentAfter(DEPLOYMENT_AFTER).build()
        .transition(HostState.Booted, "booted the target (bench stand-in)", now()));
  }

  /**
   * greenboot's check and green: once the operator has verified this boot in request.json, healthy
   * then committed. Returns true once committed.
   */
  boolean commitWhenVerified() {
    HostStatus s = current();
    if (s.state() == HostState.Committed) {
      return true;
    }
    Optional<UpdateRequest> r = MarkerFiles.readRequest(stateDir, uid);
    boolean verified = r.map(UpdateRequest::verification)
        .filter(v -> BOOT_AFTER.equals(v.bootId()) && v.result() == UpdateRequest.VerificationResult.Passed)
        .isPresent();
    if (!verified) {
      return false;
    }
    write(s.transition(HostState.Healthy, "greenboot: healthy (bench stand-in)", now())
        .transition(HostState.Committed, "greenboot: committed (bench stand-in)", now()));
    return true;
  }

  private HostStatus current() {
    return MarkerFiles.readHostStatus(stateDir, uid)
        .orElseThrow(() -> new IllegalStateException("no host-status.json"));
  }

  private void write(HostStatus s) {
    MarkerFiles.writeHostStatus(stateDir, s, CrashHook.NONE);
  }

  private static String now() {
    return Instant.now().toString();
  }
}
