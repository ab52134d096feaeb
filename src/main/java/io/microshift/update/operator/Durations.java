package io.microshift.update.operator;

import io.microshift.update.api.Patterns;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as used in the spec: 30s, 5m, 1h30m, 500ms. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile(Patterns.DURATION);
  private static final Pattern PART = Pattern.compile("([0-9]{1,6})(ms|s|m|h)");

  private Durations() {}

  /** @throws IllegalArgumentException naming the expected form */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (use e.g. 30s, 5m, 1h30m)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return total;
  }

  public static Duration parseOr(String text, Duration fallback) {
    return text == null ? fallback : parse(text);
  }
}
