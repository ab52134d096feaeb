package io.microshift.update.marker;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The bytes of a marker file as text: plain UTF-8 only, as {@link MarkerStore} writes it. No
 * byte order mark, no NUL byte (so no UTF-16 or UTF-32, which a JSON parser would otherwise
 * detect and accept), no invalid UTF-8, not empty.
 */
final class MarkerText {
  private MarkerText() {}

  /** The decoded text, or why the bytes are refused. */
  record Decoded(String text, String problem) {}

  static Decoded decode(byte[] bytes) {
    if (bytes.length >= 2 && ((bytes[0] == (byte) 0xfe && bytes[1] == (byte) 0xff)
        || (bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xfe))
        || (bytes.length >= 3 && bytes[0] == (byte) 0xef && bytes[1] == (byte) 0xbb && bytes[2] == (byte) 0xbf)) {
      return refused("starts with a byte order mark; write plain UTF-8 without one");
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return refused("contains a NUL byte at offset " + i + "; expected plain UTF-8 JSON");
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return refused("not valid UTF-8");
    }
    if (text.isBlank()) {
      return refused("empty file; expected one JSON object");
    }
    return new Decoded(text, null);
  }

  /** The text when the bytes are acceptable, else empty. */
  static Optional<String> text(byte[] bytes) {
    return Optional.ofNullable(decode(bytes).text());
  }

  private static Decoded refused(String why) {
    return new Decoded(null, why);
  }
}
