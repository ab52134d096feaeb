package io.microshift.update.operator;

import io.microshift.update.api.Durations;

import io.microshift.update.api.MaintenanceWindow;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/** When a maintenance window is open. A window may run past midnight. */
public final class WindowSchedule {

  private WindowSchedule() {}

  /** Empty when {@code now} is inside the window, else the next opening. */
  public static Optional<Instant> nextOpening(MaintenanceWindow w, Instant now) {
    if (w == null) {
      return Optional.empty();
    }
    ZoneId zone = w.timeZone == null ? ZoneOffset.UTC : ZoneId.of(w.timeZone);
    LocalTime start = LocalTime.parse(w.start);
    Duration length = Durations.parse(w.duration);
    ZonedDateTime local = now.atZone(zone);
    // a window that opened on one of the previous days may still be open
    for (int back = 7; back >= 0; back--) {
      ZonedDateTime open = local.toLocalDate().minusDays(back).atTime(start).atZone(zone);
      if (opensOn(w, open.getDayOfWeek()) && !now.isBefore(open.toInstant())
          && now.isBefore(open.toInstant().plus(length))) {
        return Optional.empty();
      }
    }
    for (int ahead = 0; ahead <= 7; ahead++) {
      ZonedDateTime open = local.toLocalDate().plusDays(ahead).atTime(start).atZone(zone);
      if (opensOn(w, open.getDayOfWeek()) && open.toInstant().isAfter(now)) {
        return Optional.of(open.toInstant());
      }
    }
    throw new IllegalStateException("maintenance window never opens");
  }

  private static boolean opensOn(MaintenanceWindow w, DayOfWeek day) {
    return w.days == null || w.days.isEmpty()
        || w.days.stream().anyMatch(d -> d.ordinal() == day.getValue() - 1);
  }
}
