package io.microshift.update.host;

import io.microshift.update.marker.UpdateRequest;

/**
 * request.json changed while the agent waited before a step (a Cancel, a new plan): the agent
 * stops waiting and acts on the new request ({@link ApplyCommand#run}). Not a failure.
 */
final class RequestSuperseded extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RequestSuperseded(UpdateRequest now) {
    super("request.json is now " + now.action() + " sequence " + now.sequence() + " for plan " + now.plan().uid(),
        null, false, false);
  }
}
