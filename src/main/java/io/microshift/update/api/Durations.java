package io.microshift.update.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the API writes them (Go style, {@link Patterns#DURATION}): 500ms, 30s, 5m, 1h30m;
 * also the etcd client's timeout variables (etcd/EtcdClientConfig). Not fabric8's
 * {@code io.fabric8.kubernetes.api.model.Duration}: it is no Go grammar ("1.5h" is 5h, "-5m" is
 * +5m, ".5s" is 5s, and it takes "1d", "5M" and "1h 30m"), see DurationsTest.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile(Patterns.DURATION);
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

  /** {@link #parse}, or {@code fallback} when {@code text} is null (the field is not set). */
  public static Duration parseOr(String text, Duration fallback) {
    return text == null ? fallback : parse(text);
  }
}
