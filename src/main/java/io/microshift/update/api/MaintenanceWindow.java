package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** When the update may start. The plan waits in Pending until the window opens. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class MaintenanceWindow {

  @Required
  @Pattern(Patterns.TIME_OF_DAY)
  @JsonPropertyDescription("Start of the window, HH:MM (24-hour clock) in timeZone.")
  public String start;

  @Required
  @Pattern(Patterns.DURATION)
  @Size(max = Patterns.DURATION_MAX_LENGTH)
  @ValidationRule(value = "duration(self) >= duration('1m') && duration(self) <= duration('168h')",
      message = "spec.maintenanceWindow.duration must be between 1m and 168h (a shorter window is never caught open)")
  @JsonPropertyDescription("Length of the window, e.g. 2h.")
  public String duration;

  @Size(max = 7)
  @JsonPropertyDescription("Days the window opens on (Mon..Sun); empty means every day.")
  public List<Day> days = new ArrayList<>();

  @Size(max = 64)
  @JsonPropertyDescription("IANA time zone of start, e.g. Europe/Berlin (default UTC).")
  public String timeZone;

  public enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun
  }
}
