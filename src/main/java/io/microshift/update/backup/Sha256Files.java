package io.microshift.update.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 of backup files and the {@code sha256sum}-style files that record them (both sides). */
public final class Sha256Files {
  /** A recorded digest line is "digest  name": far below this; a larger file is not read further. */
  private static final int MAX_RECORD_BYTES = 1024;

  private Sha256Files() {}

  /** sha256 of a file, lower-case hex, streamed (never follows a symlink). */
  public static String of(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The digest recorded in a {@code sha256sum}-style file (its first word); "" when the file is
   * not a regular file. Reads at most 1 KiB, so a hostile file cannot make it read much.
   */
  public static String recorded(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return "";
    }
    byte[] b;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      b = in.readNBytes(MAX_RECORD_BYTES);
    }
    String text = new String(b, StandardCharsets.US_ASCII).strip();
    int space = text.indexOf(' ');
    return space < 0 ? text : text.substring(0, space);
  }
}
