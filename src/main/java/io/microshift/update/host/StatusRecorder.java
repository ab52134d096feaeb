package io.microshift.update.host;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.UpdateRequest;
import java.util.Optional;

/**
 * Reads and writes host-status.json for the agent; names the marker-write crash points. Keeps the
 * {@link FlagFile} with every write: set before a state that is not terminal is written,
 * cleared after a terminal one, so the flag is never missing while an update is in flight. A
 * terminal state is also recorded in history.json ({@link UpdateHistoryRecorder}) before the flag
 * is cleared: this is the one place the history is written.
 */
public final class StatusRecorder {
  private final HostContext ctx;
  private final FlagFile inFlight;

  StatusRecorder(HostContext ctx) {
    this.ctx = ctx;
    this.inFlight = new FlagFile(ctx.paths().inFlightFlag(), ctx.log());
  }

  public Optional<HostStatus> read() {
    return MarkerFiles.readHostStatus(ctx.paths().stateDir(), ctx.markerOwnerUid());
  }

  public Optional<UpdateRequest> readRequest() {
    return MarkerFiles.readRequest(ctx.paths().stateDir(), ctx.markerOwnerUid());
  }

  /** The request the agent accepted for this plan uid and sequence (accepted-request.json), if it kept one. */
  public Optional<UpdateRequest> acceptedRequest(String planUid, long sequence) {
    return MarkerFiles.readAcceptedRequest(ctx.paths().stateDir(), ctx.markerOwnerUid())
        .filter(a -> a.plan().uid().equals(planUid) && a.sequence() == sequence);
  }

  /** The request the agent accepted last (accepted-request.json), whatever its plan. */
  public Optional<UpdateRequest> acceptedRequest() {
    return MarkerFiles.readAcceptedRequest(ctx.paths().stateDir(), ctx.markerOwnerUid());
  }

  /** Whether the in-flight flag is there: an update was in flight when it was last written. */
  public boolean inFlight() {
    return inFlight.isSet();
  }

  /** Writes {@code status}; a crash injected at {@code <writeName>.temp-written} hits mid-write. */
  public HostStatus write(HostStatus status, String writeName) {
    if (!status.state().isTerminal()) {
      inFlight.set();
    }
    MarkerFiles.writeHostStatus(ctx.paths().stateDir(), status,
        point -> ctx.reached(writeName + "." + point.substring(point.indexOf('.') + 1)));
    if (status.state().isTerminal()) {
      new UpdateHistoryRecorder(ctx).record(status);
      inFlight.clear();
    }
    return status;
  }

  /** Appends a transition and writes it; the crash point is {@code <verb>.write-<State>.temp-written}. */
  public HostStatus transition(String verb, HostStatus.Builder b, HostState state, String message) {
    HostStatus s = b.build().transition(state, message, ctx.now());
    ctx.log().info(state + ": " + message);
    return write(s, verb + ".write-" + state);
  }

  /**
   * Called when a verb finds no update in flight ({@code status} empty or terminal): clears a flag
   * left by a crash between the terminal write and its removal, after recording the outcome in
   * history.json, which that crash may have missed.
   */
  public void settled(Optional<HostStatus> status) {
    if (status.map(s -> s.state().isTerminal()).orElse(true)) {
      if (inFlight.isSet()) {
        status.ifPresent(new UpdateHistoryRecorder(ctx)::record);
      }
      inFlight.clear();
    }
  }
}
