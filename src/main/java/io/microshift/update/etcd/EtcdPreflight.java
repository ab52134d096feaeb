package io.microshift.update.etcd;

import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmResponse;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before a backup, that etcd answers, has no active alarm, and that the backup dir has
 * room for the snapshot and the copy of MicroShift's data dir. Never throws for an unreachable or
 * unhappy etcd: those are {@link EtcdPreflightResult#problems() problems} with a message.
 */
public final class EtcdPreflight {

  /** Estimate margin, as MicroShift's own backup uses for its data dir (size x 1.1). */
  static final double MARGIN = 1.1;
  /** The WAL in the copied data dir: etcd preallocates 64 MiB segments; allow two. */
  static final long WAL_ALLOWANCE_BYTES = 2L * 64 * 1024 * 1024;

  /**
   * MicroShift's etcd quota: 8 GiB, set in its defaults and not configurable (openshift/microshift
   * pkg/config/config.go {@code fillDefaults}: {@code QuotaBackendBytes: 8 * 1024 * 1024 * 1024};
   * pkg/config/etcd.go: the field is {@code json:"-"}; etcd/cmd/microshift-etcd/run.go passes it
   * to etcd). jetcd's status call does not carry etcd 3.6's {@code dbSizeQuota}, so the agent uses it.
   */
  public static final long MICROSHIFT_QUOTA_BACKEND_BYTES = 8L * 1024 * 1024 * 1024;
  /** Share of the quota above which an update is refused: etcd raises NOSPACE at the quota. */
  static final double QUOTA_LIMIT = 0.9;

  private final EtcdClientConfig config;
  private final FreeSpaceProvider freeSpace;
  private final long quotaBytes;

  public EtcdPreflight(EtcdClientConfig config, FreeSpaceProvider freeSpace) {
    this(config, freeSpace, MICROSHIFT_QUOTA_BACKEND_BYTES);
  }

  /** {@code quotaBytes}: the etcd quota the database size is checked against. */
  public EtcdPreflight(EtcdClientConfig config, FreeSpaceProvider freeSpace, long quotaBytes) {
    this.config = Objects.requireNonNull(config);
    this.freeSpace = Objects.requireNonNull(freeSpace);
    this.quotaBytes = quotaBytes;
  }

  /**
   * Bytes a backup set needs for a database of {@code dbSizeBytes}: the snapshot (about the db
   * size) plus the host's copy of the data dir (the db again plus its WAL), with a 10% margin.
   */
  public static long requiredBytes(long dbSizeBytes) {
    return (long) Math.ceil(MARGIN * (2.0 * dbSizeBytes + WAL_ALLOWANCE_BYTES));
  }

  /** Runs the checks, all bounded by the config's request timeout. */
  public EtcdPreflightResult check(Path backupsDir) {
    return check(backupsDir, config.requestTimeout());
  }

  /** Runs the checks; the etcd part is bounded by {@code timeout} in total. */
  public EtcdPreflightResult check(Path backupsDir, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> problems = new ArrayList<>();
    List<String> alarms = new ArrayList<>();
    String version = null;
    long dbSize = -1;
    long raftIndex = -1;
    long revision = -1;
    String memberId = null;
    boolean reachable = false;
    try (EtcdConnection etcd = EtcdClients.open(config)) {
      StatusResponse status = await(etcd.client().getMaintenanceClient()
          .statusMember(etcd.target()), deadline);
      reachable = true;
      version = status.getVersion();
      dbSize = status.getDbSize();
      raftIndex = status.getRaftIndex();
      revision = status.getHeader().getRevision();
      memberId = Long.toHexString(status.getHeader().getMemberId());
      AlarmResponse alarmResponse = await(etcd.client().getMaintenanceClient().listAlarms(), deadline);
      for (AlarmMember alarm : alarmResponse.getAlarms()) {
        alarms.add(alarmName(alarm.getAlarmType()));
      }
    } catch (EtcdUnavailableException e) {
      problems.add(e.getMessage() + "; the etcd backup was not started");
    } catch (TimeoutException e) {
      problems.add("etcd at " + config.endpointList() + " did not answer within "
          + timeout.toMillis() + " ms: check that MicroShift is running (systemctl status"
          + " microshift) and that this host reaches etcd on its loopback client port; the etcd backup was not started");
    } catch (ExecutionException e) {
      problems.add("etcd at " + config.endpointList() + " cannot be reached: " + describe(e.getCause())
          + ". Check that MicroShift is running (systemctl status microshift) and that the"
          + " kube-apiserver's etcd client certificate the host agent reads is valid; the etcd backup was not started");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("the etcd preflight was interrupted; it will run again");
    }
    for (String alarm : alarms) {
      problems.add(alarmProblem(alarm));
    }
    if (dbSize > QUOTA_LIMIT * quotaBytes && !alarms.contains("NOSPACE")) {
      problems.add("etcd's database is " + human(dbSize) + ", " + Math.round(100.0 * dbSize / quotaBytes)
          + "% of its " + human(quotaBytes) + " quota: at the quota etcd raises the NOSPACE alarm and refuses"
          + " every write, and the workloads write again when they start after the update. Delete what the"
          + " cluster no longer needs (old events, completed jobs) and let MicroShift defragment etcd, then retry");
    }

    long free = -1;
    long required = dbSize >= 0 ? requiredBytes(dbSize) : -1;
    try {
      free = freeSpace.usableBytes(backupsDir);
    } catch (IOException | RuntimeException e) {
      problems.add("cannot tell the free space in the backup dir " + backupsDir + ": "
          + describe(e) + "; check that the state dir is mounted and writable");
    }
    if (free >= 0 && required >= 0 && free < required) {
      problems.add("the backup dir " + backupsDir + " has " + human(free) + " free but the etcd"
          + " snapshot plus the copy of MicroShift's data need about " + human(required)
          + " (etcd database " + human(dbSize) + "): free space on that filesystem or keep fewer"
          + " backup sets (the plan's backup retention) before retrying");
    }
    return new EtcdPreflightResult(config.endpointList(), reachable, version, dbSize, raftIndex,
        revision, memberId, alarms, free, required, problems);
  }

  private static <T> T await(CompletableFuture<T> future, long deadlineNanos)
      throws InterruptedException, ExecutionException, TimeoutException {
    long remaining = deadlineNanos - System.nanoTime();
    try {
      return future.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw e;
    }
  }

  static String alarmName(AlarmType type) {
    // jetcd 0.8.5 knows NOSPACE only; etcd's CORRUPT arrives as UNRECOGNIZED
    return type == AlarmType.UNRECOGNIZED ? "CORRUPT_OR_UNKNOWN" : type.name();
  }

  private static String alarmProblem(String alarm) {
    if ("NOSPACE".equals(alarm)) {
      return "etcd has raised the NOSPACE alarm: its database reached its size quota and it"
          + " refuses writes, so the update must not start. Compact and defragment etcd, then"
          + " disarm the alarm (etcdctl alarm disarm) and retry";
    }
    return "etcd reports an active " + alarm + " alarm (e.g. data corruption): the update must not"
        + " start until it is investigated and cleared (etcdctl alarm list)";
  }

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (root != t && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg += " (" + root.getMessage() + ")";
    }
    return msg;
  }

  static String human(long bytes) {
    if (bytes < 1024 * 1024) {
      return bytes + " B";
    }
    double mib = bytes / (1024.0 * 1024.0);
    return mib < 1024 ? String.format("%.1f MiB", mib) : String.format("%.2f GiB", mib / 1024);
  }
}
