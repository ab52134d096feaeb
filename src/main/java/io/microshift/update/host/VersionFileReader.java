package io.microshift.update.host;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * MicroShift's data version file, {@code /var/lib/microshift/version}, read as MicroShift reads it
 * (openshift/microshift pkg/admin/prerun/version.go, {@code parseVersionFile}): Go's
 * {@code json.Unmarshal} into {@code versionFile} ({@code version}, {@code deployment_id},
 * {@code boot_id}), else, when that fails, the whole file as the plain {@code X.Y.Z} of older
 * releases. What MicroShift refuses is empty here; what it takes is taken the same way:
 * <ul>
 *   <li>keys match case-insensitively, and a key given twice is taken, the last one winning
 *       (encoding/json's object decoding); unknown keys are ignored;</li>
 *   <li>{@code version} must be a string {@code versionMetadataFromString} takes: trimmed of
 *       white space, exactly three dot-separated integers as {@code strconv.Atoi} reads them (a
 *       sign and leading zeros allowed, no suffix: MicroShift writes only {@code Major.Minor.Patch}
 *       there, pre-release builds included, since its Makefile cuts the version at the first of
 *       {@code ._~-} after the patch); it is normalised to {@code %d.%d.%d} as MicroShift's
 *       {@code versionMetadata.String} prints it. {@code null} or any other type is refused
 *       ({@code versionMetadata.UnmarshalJSON} gets the raw value);</li>
 *   <li>{@code deployment_id} and {@code boot_id} must be strings or {@code null} (which leaves
 *       the value before it); an absent {@code version}, or a top-level {@code null}, is the zero
 *       {@code 0.0.0} that Go leaves, which MicroShift's compatibility check then refuses;</li>
 *   <li>anything that is not one JSON value (trailing tokens) fails {@code json.Unmarshal}'s
 *       {@code checkValid}, and then the plain form.</li>
 * </ul>
 */
final class VersionFileReader {
  private VersionFileReader() {}

  /** No duplicate detection: Go takes the last of two equal keys. Comments are off by default, as in Go. */
  private static final JsonFactory JSON = new JsonFactory();
  /** strconv.Atoi: an optional sign, then decimal digits (the range is checked by parsing). */
  private static final Pattern ATOI = Pattern.compile("[+-]?[0-9]+");

  /** The version file's content under MicroShift's rules; empty when MicroShift would refuse it. */
  static Optional<MicroShift.VersionFile> parse(String contents) {
    Optional<MicroShift.VersionFile> json = fromJson(contents);
    if (json.isPresent()) {
      return json;
    }
    return versionMetadata(contents).map(v -> new MicroShift.VersionFile(v, null, null));
  }

  /**
   * json.Unmarshal into versionFile. A wrong type is refused at once: Go decodes on and returns
   * the error at the end, and the plain form never takes a JSON object or scalar (no JSON value
   * has three dot-separated integers), so the outcome is the same.
   */
  private static Optional<MicroShift.VersionFile> fromJson(String contents) {
    String version = "0.0.0";
    String deploymentId = null;
    String bootId = null;
    try (JsonParser p = JSON.createParser(contents)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_OBJECT) {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
          String key = p.currentName();
          JsonToken value = p.nextToken();
          if (key.equalsIgnoreCase("version")) {
            Optional<String> v = value == JsonToken.VALUE_STRING ? versionMetadata(p.getText()) : Optional.empty();
            if (v.isEmpty()) {
              return Optional.empty();
            }
            version = v.get();
          } else if (key.equalsIgnoreCase("deployment_id")) {
            deploymentId = stringOrPrevious(p, value, deploymentId);
          } else if (key.equalsIgnoreCase("boot_id")) {
            bootId = stringOrPrevious(p, value, bootId);
          } else {
            p.skipChildren();
          }
        }
      } else if (first != JsonToken.VALUE_NULL) {
        // no JSON at all, or not an object: an UnmarshalTypeError
        return Optional.empty();
      }
      if (p.nextToken() != null) {
        return Optional.empty();
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(new MicroShift.VersionFile(version, blankToNull(deploymentId), blankToNull(bootId)));
  }

  /** A string field: null leaves it as it was, as Go does; another type is an UnmarshalTypeError. */
  private static String stringOrPrevious(JsonParser p, JsonToken value, String previous) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return previous;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new JsonParseException(p, p.currentName() + " is not a string");
    }
    return p.getText();
  }

  /** versionMetadataFromString: Major.Minor.Patch, printed back as versionMetadata.String prints it. */
  static Optional<String> versionMetadata(String text) {
    String[] parts = goTrimSpace(text).split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      if (!ATOI.matcher(part).matches()) {
        return Optional.empty();
      }
      try {
        // Go's int is 64 bits on every architecture MicroShift ships for
        out.append(out.length() == 0 ? "" : ".").append(Long.parseLong(part));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.of(out.toString());
  }

  /** strings.TrimSpace: Go's unicode.IsSpace, which is not Java's Character.isWhitespace. */
  private static String goTrimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isGoSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isGoSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** unicode.IsSpace: '\t', '\n', '\v', '\f', '\r', ' ', U+0085, and the White_Space separators (Zs, Zl, Zp). */
  private static boolean isGoSpace(char c) {
    return c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r' || c == '\u0085' || Character.isSpaceChar(c);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
