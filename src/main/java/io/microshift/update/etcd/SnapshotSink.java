package io.microshift.update.etcd;

import com.google.protobuf.ByteString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Receives the snapshot stream's chunks on the gRPC I/O thread and hands each straight to the
 * writer (hash, then copy into its 1 MiB write buffer; a write system call per MiB). No queue and
 * no second thread: on a busy 2-core device a hand-off per 32 KiB chunk costs a thread wake-up
 * each (docs/backups.md, "The snapshot in production conditions"). While the writer works the I/O thread
 * reads nothing more, so HTTP/2 flow control holds etcd back and memory stays bounded whatever
 * the database size. The first failure ends the sink: later chunks are dropped, and the caller,
 * who waits on {@link #done()}, closes the client, which cancels the stream.
 */
final class SnapshotSink {

  private final SnapshotStreamWriter writer;
  private final EtcdSnapshotter.Progress progress;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());

  SnapshotSink(SnapshotStreamWriter writer, EtcdSnapshotter.Progress progress) {
    this.writer = writer;
    this.progress = progress;
  }

  /** Completes when the writer has everything up to the end of the stream, or failed. */
  CompletableFuture<Void> done() {
    return done;
  }

  long lastProgressNanos() {
    return lastProgressNanos.get();
  }

  /** From the I/O thread: one chunk. */
  void put(ByteString blob, long remainingBytes) {
    if (done.isDone()) {
      return;
    }
    try {
      writer.accept(blob, remainingBytes);
      lastProgressNanos.set(System.nanoTime());
      progress.written(writer.written());
    } catch (Throwable t) {
      done.completeExceptionally(t);
    }
  }

  /** From the I/O thread: etcd ended the stream. */
  void end() {
    done.complete(null);
  }

  /** From the I/O thread: the stream failed. */
  void fail(Throwable t) {
    done.completeExceptionally(t);
  }
}
