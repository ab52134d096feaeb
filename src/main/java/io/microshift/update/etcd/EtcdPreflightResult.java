package io.microshift.update.etcd;

import java.util.List;

/**
 * What the etcd preflight found. Numbers are -1 when etcd could not be asked. {@code problems}
 * holds one human sentence per reason to refuse the update, each saying what to do; empty means
 * the backup can go ahead.
 *
 * @param endpoints the etcd endpoints asked
 * @param reachable whether etcd answered within the timeout
 * @param etcdVersion the member's server version, null when unreachable
 * @param dbSizeBytes the member's backend database size (what a snapshot will roughly weigh)
 * @param raftIndex the member's raft index
 * @param revision the store revision
 * @param memberId the member id, hex
 * @param alarms the active alarms, e.g. {@code NOSPACE}
 * @param freeBytes usable bytes in the backup dir, -1 when unknown
 * @param requiredBytes estimated bytes the backup set needs, -1 when unknown
 */
public record EtcdPreflightResult(
    String endpoints,
    boolean reachable,
    String etcdVersion,
    long dbSizeBytes,
    long raftIndex,
    long revision,
    String memberId,
    List<String> alarms,
    long freeBytes,
    long requiredBytes,
    List<String> problems) {

  public EtcdPreflightResult {
    alarms = List.copyOf(alarms);
    problems = List.copyOf(problems);
  }

  public boolean ok() {
    return problems.isEmpty();
  }
}
