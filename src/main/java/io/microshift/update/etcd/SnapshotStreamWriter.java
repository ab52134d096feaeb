package io.microshift.update.etcd;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Writes etcd's snapshot stream straight to a file channel while hashing it, and validates it.
 *
 * <p>The stream (etcd 3.4+ {@code Maintenance.Snapshot}) is the bbolt database in chunks, the
 * first announcing the bytes that remain, followed by a 32-byte sha256 of the database that
 * {@code etcdctl snapshot restore} checks. The file keeps that trailer, as {@code etcdctl
 * snapshot save} does. One pass computes both the database digest (to check the trailer) and the
 * file digest (recorded in the manifest). Chunks are written as they arrive, gathered into 1 MiB
 * writes: memory use does not grow with the database.
 */
final class SnapshotStreamWriter {

  static final int TRAILER_BYTES = 32;
  /** bbolt meta page: magic at offset 16, version at 20, page size at 24 (little endian). */
  private static final int BOLT_MAGIC = 0xED0CDAED;
  private static final int BOLT_VERSION = 2;
  private static final int HEADER_BYTES = 28;

  /** Chunks (32 KiB from etcd) are gathered into 1 MiB writes: 32x fewer system calls. */
  static final int WRITE_BUFFER_BYTES = 1024 * 1024;

  private final FileChannel out;
  private final ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
  private final MessageDigest dbDigest;
  private final byte[] header = new byte[HEADER_BYTES];
  private final byte[] trailer = new byte[TRAILER_BYTES];
  private long announcedDbBytes = -1;
  private long dbBytes;
  private int trailerBytes;

  SnapshotStreamWriter(FileChannel out) {
    this.out = out;
    try {
      this.dbDigest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes written to the file so far. */
  long written() {
    return dbBytes + trailerBytes;
  }

  /** One stream message: hash it, buffer it, write whenever the buffer fills. */
  void accept(ByteString blob, long remainingBytes) throws IOException {
    if (announcedDbBytes < 0) {
      announcedDbBytes = blob.size() + remainingBytes;
    }
    for (ByteBuffer part : blob.asReadOnlyByteBufferList()) {
      hash(part.duplicate());
      while (part.hasRemaining()) {
        int n = Math.min(part.remaining(), pending.remaining());
        ByteBuffer slice = part.duplicate();
        slice.limit(slice.position() + n);
        pending.put(slice);
        part.position(part.position() + n);
        if (!pending.hasRemaining()) {
          flush();
        }
      }
    }
  }

  private void flush() throws IOException {
    pending.flip();
    while (pending.hasRemaining()) {
      out.write(pending);
    }
    pending.clear();
  }

  private void hash(ByteBuffer part) throws IOException {
    int dbPart = (int) Math.min(part.remaining(), announcedDbBytes - dbBytes);
    if (dbPart > 0) {
      if (dbBytes < HEADER_BYTES) {
        int n = (int) Math.min(dbPart, HEADER_BYTES - dbBytes);
        part.duplicate().get(header, (int) dbBytes, n);
      }
      ByteBuffer slice = part.duplicate();
      slice.limit(slice.position() + dbPart);
      dbDigest.update(slice);
      part.position(part.position() + dbPart);
      dbBytes += dbPart;
    }
    int rest = part.remaining();
    if (rest > 0) {
      if (trailerBytes + rest > TRAILER_BYTES) {
        throw new IOException("etcd sent more than the " + announcedDbBytes
            + " bytes it announced plus the " + TRAILER_BYTES + "-byte checksum");
      }
      part.get(trailer, trailerBytes, rest);
      trailerBytes += rest;
    }
  }

  /**
   * After the stream ended: checks the size, the bbolt header and etcd's checksum, fsyncs the
   * file and returns the file's sha256 (lower-case hex).
   */
  String finish() throws IOException {
    if (announcedDbBytes <= 0 || dbBytes == 0) {
      throw new IOException("etcd sent an empty snapshot");
    }
    if (dbBytes != announcedDbBytes) {
      throw new IOException("etcd announced a " + announcedDbBytes + "-byte database but the stream"
          + " ended after " + dbBytes + " bytes");
    }
    if (trailerBytes != TRAILER_BYTES) {
      throw new IOException("the snapshot stream ended without etcd's sha256 checksum ("
          + trailerBytes + " of " + TRAILER_BYTES + " bytes)");
    }
    checkBoltHeader();
    MessageDigest fileDigest;
    try {
      fileDigest = (MessageDigest) dbDigest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
    byte[] dbHash = dbDigest.digest();
    if (!MessageDigest.isEqual(dbHash, trailer)) {
      throw new IOException("the snapshot does not match etcd's checksum (etcd says "
          + HexFormat.of().formatHex(trailer) + ", received " + HexFormat.of().formatHex(dbHash) + ")");
    }
    fileDigest.update(trailer);
    flush();
    if (out.size() != written()) {
      throw new IOException("the snapshot file has " + out.size() + " bytes, " + written() + " expected");
    }
    out.force(true);
    return HexFormat.of().formatHex(fileDigest.digest());
  }

  private void checkBoltHeader() throws IOException {
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    int magic = h.getInt(16);
    int version = h.getInt(20);
    int pageSize = h.getInt(24);
    if (magic != BOLT_MAGIC || version != BOLT_VERSION) {
      throw new IOException("the snapshot is not a bbolt database (header "
          + HexFormat.of().formatHex(Arrays.copyOf(header, HEADER_BYTES)) + ")");
    }
    if (pageSize < 512 || Integer.bitCount(pageSize) != 1 || dbBytes % pageSize != 0
        || dbBytes < 4L * pageSize) {
      throw new IOException("the snapshot's size " + dbBytes + " does not fit its bbolt page size "
          + pageSize);
    }
  }
}
