package io.microshift.update.hooks;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the API writes them (Go style): 500ms, 30s, 5m, 1h30m. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("^([0-9]{1,6}(ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]{1,6})(ms|s|m|h)");

  private Durations() {}

  /** Parses {@code text}; throws IllegalArgumentException with a message naming the value. */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new IllegalArgumentException(
          "invalid duration \"" + text + "\" (expected e.g. 30s, 5m, 1h30m)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text.trim());
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    if (total.isZero()) {
      throw new IllegalArgumentException("invalid duration \"" + text + "\": must be more than 0");
    }
    return total;
  }
}
