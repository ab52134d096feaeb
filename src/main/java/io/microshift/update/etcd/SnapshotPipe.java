package io.microshift.update.etcd;

import com.google.protobuf.ByteString;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands snapshot chunks from the gRPC I/O thread to a writer thread through a small bounded
 * queue, so that receiving and decoding overlap with hashing and writing. When the queue is full
 * the I/O thread waits, which stops reading from the socket: HTTP/2 flow control then holds etcd
 * back, and memory stays bounded by the queue (a few MiB) whatever the database size.
 */
final class SnapshotPipe implements AutoCloseable {

  /** 64 chunks of etcd's 32 KiB: 2 MiB in flight at most. */
  static final int CAPACITY = 64;

  private record Chunk(ByteString blob, long remainingBytes) {}

  private static final Chunk END = new Chunk(ByteString.EMPTY, -1);

  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
  private final Thread thread;

  SnapshotPipe(SnapshotStreamWriter writer, EtcdSnapshotter.Progress progress) {
    thread = new Thread(() -> drain(writer, progress), "etcd-snapshot-writer");
    thread.setDaemon(true);
    thread.start();
  }

  private void drain(SnapshotStreamWriter writer, EtcdSnapshotter.Progress progress) {
    try {
      while (true) {
        Chunk c = queue.take();
        if (c == END) {
          done.complete(null);
          return;
        }
        writer.accept(c.blob(), c.remainingBytes());
        lastProgressNanos.set(System.nanoTime());
        progress.written(writer.written());
      }
    } catch (InterruptedException e) {
      done.completeExceptionally(new java.io.InterruptedIOException("snapshot writer stopped"));
    } catch (Throwable t) {
      done.completeExceptionally(t);
    }
  }

  /** Completes when the writer wrote everything up to the end of the stream, or failed. */
  CompletableFuture<Void> done() {
    return done;
  }

  long lastProgressNanos() {
    return lastProgressNanos.get();
  }

  /** From the I/O thread: queue a chunk, waiting while the writer is behind. */
  void put(ByteString blob, long remainingBytes) {
    offer(new Chunk(blob, remainingBytes));
  }

  /** From the I/O thread: etcd ended the stream. */
  void end() {
    offer(END);
  }

  /** From the I/O thread: the stream failed. */
  void fail(Throwable t) {
    done.completeExceptionally(t);
  }

  private void offer(Chunk c) {
    try {
      while (!done.isDone()) {
        if (queue.offer(c, 100, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(e);
    }
  }

  /** Stops the writer thread (if still running) and waits for it: the file is no longer touched. */
  @Override
  public void close() {
    if (thread.isAlive()) {
      done.completeExceptionally(new java.util.concurrent.CancellationException("closed"));
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
