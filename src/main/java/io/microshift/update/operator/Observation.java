package io.microshift.update.operator;

import io.microshift.update.api.HostUpdateRecord;
import io.microshift.update.marker.HostState;
import io.microshift.update.operator.port.HostHandoff.HostAnswer;
import io.microshift.update.operator.port.HostHandoff.HostReading;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile knows besides the plan's status, read once by {@link PlanObserver} before
 * any decision: the marker files (request.json, host-status.json, history.json) as a
 * {@link HostReading}, the trust verdict on the status, and the spec the plan acts on. Immutable:
 * every step of the reconcile decides on the same facts.
 *
 * @param host what the marker files said (a refused file is its refusal, as data)
 * @param untrustedStatus why the status was not written by this operator for this plan (the
 *     trust verdict); empty when it is trusted
 * @param spec the accepted spec (or the live one while Pending), with defaults; null only for a
 *     plan without a spec
 */
public record Observation(HostReading host, Optional<Distrust> untrustedStatus, EffectiveSpec spec) {

  /** Why a status is not acted on; {@code unreadable}: it could not even be parsed. */
  public record Distrust(String why, boolean unreadable) {}


  /** The host's answer about this plan, if it wrote one. */
  public Optional<HostAnswer> answer() {
    return host.answer();
  }

  /** The host's answer to the request of {@code sequence}: empty before it acted on that request. */
  public Optional<HostAnswer> answerTo(long sequence) {
    return host.answer().filter(a -> a.answers(sequence));
  }

  public Optional<HostState> hostState() {
    return host.answer().map(HostAnswer::state);
  }

  /** Why a marker file was refused (the operator does not act on it), if one was. */
  public Optional<String> refusedMarker() {
    return host.refusal();
  }

  public Optional<String> hostBusyWithAnotherPlan() {
    return host.busyWithAnotherPlan();
  }

  public List<HostUpdateRecord> hostHistory() {
    return host.recentUpdates();
  }
}
