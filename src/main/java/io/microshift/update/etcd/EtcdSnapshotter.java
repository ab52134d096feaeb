package io.microshift.update.etcd;

import io.etcd.jetcd.maintenance.SnapshotResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.grpc.stub.StreamObserver;
import io.microshift.update.backup.AtomicFiles;
import io.microshift.update.backup.BackupManifest;
import io.microshift.update.backup.BackupStore;
import io.microshift.update.backup.BackupSummary;
import io.microshift.update.backup.Sha256Files;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the etcd snapshot of a backup set: streams {@code Maintenance.snapshot} into
 * {@code etcd.snapshot.partial} while hashing, validates it, fsyncs, renames it to
 * {@code etcd.snapshot}, then writes {@code etcd.snapshot.sha256} and, last,
 * {@code manifest.json}. A failure leaves no file that looks complete.
 *
 * <p>Idempotent: a complete set whose snapshot still matches its checksum is returned as is.
 */
public final class EtcdSnapshotter {

  public static final String PARTIAL_SUFFIX = ".partial";
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(15);
  private static final Logger LOG = LoggerFactory.getLogger(EtcdSnapshotter.class);

  /** Told the file size after each chunk; runs on the client's I/O thread, keep it short. */
  @FunctionalInterface
  public interface Progress {
    void written(long bytes);
  }

  private final EtcdClientConfig config;
  private final Clock clock;
  private final Duration stallTimeout;
  private final Duration totalTimeout;
  private final Progress progress;

  public EtcdSnapshotter(EtcdClientConfig config) {
    this(config, Clock.systemUTC(), DEFAULT_STALL_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, bytes -> { });
  }

  /**
   * @param stallTimeout abort when no byte arrived for this long
   * @param totalTimeout abort when the whole snapshot takes longer
   */
  public EtcdSnapshotter(EtcdClientConfig config, Clock clock, Duration stallTimeout,
      Duration totalTimeout, Progress progress) {
    this.config = Objects.requireNonNull(config);
    this.clock = Objects.requireNonNull(clock);
    this.stallTimeout = Objects.requireNonNull(stallTimeout);
    this.totalTimeout = Objects.requireNonNull(totalTimeout);
    this.progress = Objects.requireNonNull(progress);
  }

  /**
   * The etcd snapshot of set {@code backupId} for plan {@code planName}/{@code planUid}: taken now,
   * or the existing one when the set is already complete and verifies.
   *
   * @throws SnapshotException when etcd cannot be reached, the stream fails or the snapshot does
   *     not validate (no complete-looking file is left), or when a complete set fails its checksum
   */
  public BackupSummary snapshot(BackupStore store, String backupId, String planName, String planUid) {
    BackupStore.requireValidId(backupId);
    if (planName == null || planName.isBlank() || planUid == null || planUid.isBlank()) {
      throw new IllegalArgumentException("a backup needs the plan's name and uid");
    }
    if (store.isComplete(backupId)) {
      return verifyExisting(store, backupId, planUid);
    }
    // overlap the manifest serialiser's one-time set-up with the stream
    java.util.concurrent.ForkJoinPool.commonPool().execute(BackupManifest::warmUp);
    long started = System.nanoTime();
    Saved saved = save(store.etcdSnapshot(backupId), "backup set " + backupId);
    try {
      BackupManifest manifest = BackupManifest.of(backupId,
          new BackupManifest.Plan(planName, planUid), clock.instant(),
          new BackupManifest.Etcd(BackupStore.ETCD_SNAPSHOT, saved.sizeBytes(), saved.sha256(),
              saved.revision(), saved.etcdVersion(), saved.dbSizeBytes(), saved.memberId(),
              saved.raftIndex()));
      manifest.write(store);
      LOG.info("manifest of backup set {} written, {} ms in all", backupId,
          millis(System.nanoTime() - started));
      return BackupSummary.of(store, manifest, false);
    } catch (IOException e) {
      throw new SnapshotException("the manifest of backup set " + backupId + " cannot be written: "
          + e.getMessage(), e);
    }
  }

  /**
   * What {@link #save} wrote: the snapshot file (its sha256 beside it, as {@code <file>.sha256})
   * and what etcd said of itself just before the stream.
   */
  public record Saved(Path file, long sizeBytes, String sha256, long revision, String etcdVersion,
      long dbSizeBytes, String memberId, long raftIndex) {}

  /**
   * Takes one etcd snapshot into {@code file}, as {@code etcdctl snapshot save} does: streams it
   * into {@code <file>.partial} while hashing, validates it (size, bbolt header, etcd's checksum),
   * fsyncs, renames it to {@code file} (replacing one left by an interrupted run), then writes
   * {@code <file>.sha256} in {@code sha256sum} format. The directory must exist.
   *
   * @throws SnapshotException when etcd cannot be reached, the stream fails or the snapshot does
   *     not validate; no complete-looking {@code file} is then left
   */
  public Saved save(Path file) {
    return save(file, file.toString());
  }

  private Saved save(Path file, String what) {
    Path dir = file.toAbsolutePath().getParent();
    Path partial = dir.resolve(file.getFileName() + PARTIAL_SUFFIX);
    Path sha256File = dir.resolve(file.getFileName() + ".sha256");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(partial);
    } catch (IOException e) {
      throw new SnapshotException("cannot prepare " + dir + " for the etcd snapshot: "
          + e.getMessage(), e);
    }
    long started = System.nanoTime();
    try (EtcdConnection etcd = EtcdClients.open(config)) {
      StatusResponse status = etcd.client().getMaintenanceClient().statusMember(etcd.target())
          .get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
      long statusDone = System.nanoTime();
      long streamDone;
      String sha256;
      long size;
      try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        SnapshotStreamWriter writer = new SnapshotStreamWriter(out);
        stream(etcd, writer);
        streamDone = System.nanoTime();
        sha256 = writer.finish();
        size = writer.written();
      }
      AtomicFiles.moveDurably(partial, file);
      AtomicFiles.write(sha256File,
          (sha256 + "  " + file.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII));
      long end = System.nanoTime();
      LOG.info("etcd snapshot of {}: {} bytes, revision {}, sha256 {}, {} ms (connect and"
          + " status {} ms, stream {} ms, verify, fsync and rename {} ms)", what, size,
          status.getHeader().getRevision(), sha256, millis(end - started),
          millis(statusDone - started), millis(streamDone - statusDone), millis(end - streamDone));
      return new Saved(file, size, sha256, status.getHeader().getRevision(), status.getVersion(),
          status.getDbSize(), Long.toHexString(status.getHeader().getMemberId()),
          status.getRaftIndex());
    } catch (IOException | EtcdUnavailableException e) {
      deleteQuietly(partial);
      throw new SnapshotException("the etcd snapshot of " + what + " failed: "
          + EtcdPreflight.describe(e), e);
    } catch (ExecutionException | TimeoutException e) {
      deleteQuietly(partial);
      throw new SnapshotException("the etcd snapshot of " + what + " failed: etcd at "
          + config.endpointList() + " did not answer: "
          + EtcdPreflight.describe(e instanceof ExecutionException ? e.getCause() : e), e);
    } catch (InterruptedException e) {
      deleteQuietly(partial);
      Thread.currentThread().interrupt();
      throw new SnapshotException("the etcd snapshot of " + what + " was interrupted", e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(partial);
      throw e;
    }
  }

  /**
   * Streams the snapshot into {@code writer}; returns once etcd ended the stream. On a stall, the
   * total timeout or an error, returns by exception; the caller closes the client, which cancels
   * the stream.
   */
  private void stream(EtcdConnection etcd, SnapshotStreamWriter writer)
      throws IOException, InterruptedException, TimeoutException {
    SnapshotSink sink = new SnapshotSink(writer, progress);
    etcd.client().getMaintenanceClient().snapshot(new StreamObserver<SnapshotResponse>() {
      @Override
      public void onNext(SnapshotResponse chunk) {
        sink.put(chunk.getBlob(), chunk.getRemainingBytes());
      }

      @Override
      public void onError(Throwable t) {
        sink.fail(t);
      }

      @Override
      public void onCompleted() {
        sink.end();
      }
    });
    long deadline = System.nanoTime() + totalTimeout.toNanos();
    while (true) {
      try {
        sink.done().get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        throw new IOException("the snapshot stream broke after " + writer.written() + " bytes: "
            + EtcdPreflight.describe(cause), cause);
      } catch (TimeoutException e) {
        long now = System.nanoTime();
        if (now - sink.lastProgressNanos() > stallTimeout.toNanos()) {
          throw new TimeoutException("no snapshot data from etcd for " + stallTimeout.toSeconds()
              + " s after " + writer.written() + " bytes");
        }
        if (now > deadline) {
          throw new TimeoutException("the snapshot took longer than " + totalTimeout.toMinutes()
              + " min (" + writer.written() + " bytes so far)");
        }
      }
    }
  }

  private BackupSummary verifyExisting(BackupStore store, String backupId, String planUid) {
    try {
      BackupManifest manifest = BackupManifest.read(store, backupId);
      if (!planUid.equals(manifest.plan().uid())) {
        throw new SnapshotException("backup set " + backupId + " belongs to plan "
            + manifest.plan().name() + " (uid " + manifest.plan().uid() + "), not to plan uid "
            + planUid + ": use a new backup id");
      }
      Path snapshot = store.etcdSnapshot(backupId);
      String recorded = Sha256Files.recorded(store.etcdSnapshotSha256(backupId));
      String actual = Sha256Files.of(snapshot);
      if (!actual.equals(manifest.etcd().sha256()) || !actual.equals(recorded)
          || Files.size(snapshot) != manifest.etcd().sizeBytes()) {
        throw new SnapshotException("backup set " + backupId + " is complete but its etcd snapshot"
            + " does not match its checksum (manifest " + manifest.etcd().sha256() + ", "
            + BackupStore.ETCD_SNAPSHOT_SHA256 + " " + recorded + ", file " + actual
            + "): it is corrupt; delete " + store.dir(backupId) + " or use a new backup id");
      }
      return BackupSummary.of(store, manifest, true);
    } catch (IOException e) {
      throw new SnapshotException("backup set " + backupId + " is complete but cannot be verified: "
          + e.getMessage() + "; delete " + store.dir(backupId) + " or use a new backup id", e);
    }
  }


  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", file, e.toString());
    }
  }
}
