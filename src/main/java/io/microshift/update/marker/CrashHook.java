package io.microshift.update.marker;

/**
 * Called at every named crash point (between sub-steps, inside a marker write, inside a copy).
 * Production uses {@link #NONE}; tests throw to simulate a crash or power cut at that point.
 */
@FunctionalInterface
public interface CrashHook {
  CrashHook NONE = name -> {};

  /** Marker write: the temp file is written and fsynced, not yet renamed over the target. */
  String MARKER_TEMP_WRITTEN = "marker.temp-written";

  void reached(String crashPoint);
}
