package io.microshift.update.marker;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The marker API for both sides. The operator writes request.json and reads host-status.json;
 * the host agent does the opposite. All reads are safe reads ({@link MarkerReader}); all writes
 * are validated, atomic and durable ({@link MarkerStore}).
 */
public final class MarkerFiles {
  private MarkerFiles() {}

  public static Path requestFile(Path stateDir) {
    return stateDir.resolve(Markers.REQUEST_FILE);
  }

  public static Path hostStatusFile(Path stateDir) {
    return stateDir.resolve(Markers.HOST_STATUS_FILE);
  }

  /** Every problem of {@code request} (the same rules the host applies); empty when valid. */
  public static java.util.List<String> problems(UpdateRequest request) {
    try {
      MarkerJson.serialize(MarkerCodec.Kind.REQUEST, request);
      return java.util.List.of();
    } catch (MarkerProblems e) {
      return e.problems();
    }
  }

  /** Validates and writes request.json atomically; throws {@link MarkerProblems} if invalid. */
  public static void writeRequest(Path stateDir, UpdateRequest request) {
    writeRequest(stateDir, request, CrashHook.NONE);
  }

  public static void writeRequest(Path stateDir, UpdateRequest request, CrashHook crash) {
    new MarkerStore(crash).write(requestFile(stateDir), MarkerJson.serialize(MarkerCodec.Kind.REQUEST, request));
  }

  /**
   * {@code accepted-request.json}: the host agent's copy of the request it accepted, so that what it
   * acts on stays fixed while an update is in flight (docs/marker.md, "What may change").
   */
  public static Path acceptedRequestFile(Path stateDir) {
    return stateDir.resolve("accepted-request.json");
  }

  public static void writeAcceptedRequest(Path stateDir, UpdateRequest request) {
    new MarkerStore(CrashHook.NONE).write(acceptedRequestFile(stateDir),
        MarkerJson.serialize(MarkerCodec.Kind.REQUEST, request));
  }

  public static Optional<UpdateRequest> readAcceptedRequest(Path stateDir, int expectedOwnerUid) {
    return new MarkerReader(expectedOwnerUid).readRequest(acceptedRequestFile(stateDir));
  }

  /** Validates and writes host-status.json atomically; throws {@link MarkerProblems} if invalid. */
  public static void writeHostStatus(Path stateDir, HostStatus status, CrashHook crash) {
    new MarkerStore(crash).write(hostStatusFile(stateDir), MarkerJson.serialize(MarkerCodec.Kind.HOST_STATUS, status));
  }

  /** host-status.json written by root; empty if absent; {@link MarkerProblems} if refused. */
  public static Optional<HostStatus> readHostStatus(Path stateDir) {
    return readHostStatus(stateDir, MarkerReader.ROOT_UID);
  }

  public static Optional<HostStatus> readHostStatus(Path stateDir, int expectedOwnerUid) {
    return new MarkerReader(expectedOwnerUid).readHostStatus(hostStatusFile(stateDir));
  }

  /** history.json: the updates that ended on this host (written by the agent only). */
  public static Path historyFile(Path stateDir) {
    return stateDir.resolve(Markers.HISTORY_FILE);
  }

  /** Validates and writes history.json atomically; throws {@link MarkerProblems} if invalid. */
  public static void writeHistory(Path stateDir, UpdateHistory history, CrashHook crash) {
    new MarkerStore(crash).write(historyFile(stateDir), MarkerJson.serialize(MarkerCodec.Kind.HISTORY, history));
  }

  /** history.json owned by {@code expectedOwnerUid}; empty if absent; {@link MarkerProblems} if refused. */
  public static Optional<UpdateHistory> readHistory(Path stateDir, int expectedOwnerUid) {
    return new MarkerReader(expectedOwnerUid).readHistory(historyFile(stateDir));
  }

  /** request.json; empty if absent; {@link MarkerProblems} if refused. */
  public static Optional<UpdateRequest> readRequest(Path stateDir, int expectedOwnerUid) {
    return new MarkerReader(expectedOwnerUid).readRequest(requestFile(stateDir));
  }

  public static Optional<UpdateRequest> readRequest(Path stateDir) {
    return readRequest(stateDir, MarkerReader.ROOT_UID);
  }
}
