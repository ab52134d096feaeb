package io.microshift.update.marker;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of the marker files' times: RFC 3339 in UTC, {@code YYYY-MM-DDTHH:MM:SS[.f]Z}.
 * Every field is range-checked as RFC 3339 section 5.6 says: hours 00-23 (never 24, which
 * {@link Instant#parse} takes as the next midnight), minutes 00-59, days that exist in their month
 * (no February 30). Seconds are 00-59: RFC 3339 allows 60 only for a leap second, which no writer
 * of these files produces and {@link Instant} cannot represent. Four-digit years only, so no
 * {@code +999999999} year; upper-case {@code T} and {@code Z}; a fraction of 1 to 9 digits.
 */
public final class MarkerTime {
  private MarkerTime() {}

  private static final Pattern SHAPE = Pattern.compile(
      "^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]{1,9}))?Z$");

  /** The instant {@code text} names, or empty when it is not a strict RFC 3339 UTC time. */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = SHAPE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    int nanos = 0;
    if (m.group(7) != null) {
      nanos = Integer.parseInt((m.group(7) + "00000000").substring(0, 9));
    }
    try {
      // LocalDateTime.of refuses hour 24, second 60 and days a month does not have
      LocalDateTime t = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)), nanos);
      return Optional.of(t.toInstant(ZoneOffset.UTC));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code text} is a strict RFC 3339 UTC time. */
  public static boolean isValid(String text) {
    return parse(text).isPresent();
  }
}
