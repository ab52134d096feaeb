package io.microshift.update.etcd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream checks on synthetic streams shaped like etcd's (db chunks, then its sha256). */
class SnapshotStreamWriterTest {

  private static final int PAGE = 4096;

  @TempDir Path dir;

  static byte[] boltDb(int pages) {
    byte[] db = new byte[pages * PAGE];
    new Random(1).nextBytes(db);
    ByteBuffer.wrap(db).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0xED0CDAED).putInt(20, 2)
        .putInt(24, PAGE);
    return db;
  }

  static byte[] sha256(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  /** Feeds {@code db} in chunks announcing the remaining bytes as etcd does, then {@code trailer}. */
  private String stream(byte[] db, int announced, byte[] trailer, int chunk) throws IOException {
    Path file = dir.resolve("snap");
    Files.deleteIfExists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      SnapshotStreamWriter w = new SnapshotStreamWriter(ch);
      int sent = 0;
      while (sent < db.length) {
        int n = Math.min(chunk, db.length - sent);
        sent += n;
        w.accept(ByteString.copyFrom(db, sent - n, n), announced - sent);
      }
      if (trailer != null) {
        w.accept(ByteString.copyFrom(trailer), 0);
      }
      return w.finish();
    }
  }

  @Test
  void acceptsAValidStreamAndHashesTheWholeFile() throws Exception {
    byte[] db = boltDb(8);
    byte[] trailer = sha256(db);

    String sha = stream(db, db.length, trailer, 5000);

    byte[] file = Files.readAllBytes(dir.resolve("snap"));
    assertEquals(db.length + 32, file.length);
    assertArrayEquals(trailer, Arrays.copyOfRange(file, db.length, file.length));
    assertEquals(HexFormat.of().formatHex(sha256(db, trailer)), sha);
  }

  @Test
  void refusesAStreamShorterThanAnnounced() throws Exception {
    byte[] db = boltDb(8);
    IOException e = assertThrows(IOException.class,
        () -> stream(db, db.length + PAGE, sha256(db), 5000));
    assertTrue(e.getMessage().contains("announced"), e.getMessage());
  }

  @Test
  void refusesAStreamWithoutEtcdsChecksum() {
    byte[] db = boltDb(8);
    IOException e = assertThrows(IOException.class, () -> stream(db, db.length, null, 5000));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void refusesDataThatDoesNotMatchEtcdsChecksum() throws Exception {
    byte[] db = boltDb(8);
    byte[] trailer = sha256(db);
    db[PAGE * 3] ^= 1;
    IOException e = assertThrows(IOException.class, () -> stream(db, db.length, trailer, 5000));
    assertTrue(e.getMessage().contains("does not match etcd's checksum"), e.getMessage());
  }

  @Test
  void refusesSomethingThatIsNotABoltDatabase() throws Exception {
    byte[] db = new byte[8 * PAGE];
    IOException e = assertThrows(IOException.class, () -> stream(db, db.length, sha256(db), 5000));
    assertTrue(e.getMessage().contains("not a bbolt database"), e.getMessage());
  }

  @Test
  void refusesAnEmptySnapshot() {
    IOException e = assertThrows(IOException.class, () -> stream(new byte[0], 0, null, 5000));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void refusesMoreDataThanAnnounced() throws Exception {
    byte[] db = boltDb(8);
    byte[] tooLong = new byte[40];
    IOException e = assertThrows(IOException.class, () -> stream(db, db.length, tooLong, 5000));
    assertTrue(e.getMessage().contains("more than"), e.getMessage());
  }
}
