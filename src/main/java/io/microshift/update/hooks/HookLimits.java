package io.microshift.update.hooks;

import java.time.Duration;

/**
 * The documented bounds on hook data (docs/workloads.md, "Limits"): what an annotation may hold,
 * and how much of a hook's record reaches {@code status.hooks}, Events and logs. Sizes are counted
 * as the bytes the text takes in the plan's JSON (UTF-8, with JSON's escapes), so that a bound on
 * the text is a bound on the stored object.
 */
public final class HookLimits {
  /** The command annotation, in UTF-8 bytes; a longer script belongs in the image. */
  public static final int MAX_COMMAND_BYTES = 4096;
  /** Elements of the command's argv. */
  public static final int MAX_ARGS = 256;
  /** Any other annotation of a hook family (container, timeout, on-error, order), in bytes. */
  public static final int MAX_VALUE_BYTES = 256;
  /** The longest timeout a hook may ask for (the same bound as spec.hooks.defaultTimeout). */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  /** The highest order annotation. */
  public static final int MAX_ORDER = 1000;
  /** A hook entry's message, and each line of an Event or preview about a hook, in bytes. */
  public static final int MAX_MESSAGE_BYTES = 512;
  /** A container name (a DNS label). */
  public static final int MAX_CONTAINER_CHARS = 63;
  /** The stdout and the stderr tail of one hook, at most, in bytes. */
  public static final int MAX_TAIL_BYTES = PodExec.TAIL_BYTES;
  /** Malformed or not-ready hooks recorded per phase; the rest are counted, not listed. */
  public static final int MAX_PROBLEMS_RECORDED = 20;
  /** Lines of a preview list (hooks to run, malformed hooks) before "... and N more". */
  public static final int MAX_PREVIEW_LINES = 20;
  /**
   * The entries of one hook phase in {@code status.hooks}, in bytes of JSON. At most two phases
   * are recorded in one plan (pre-update, then post-update or post-rollback): 768 KiB, under
   * half of the 1.5 MiB an object may have in etcd.
   */
  public static final int PHASE_STATUS_BYTES = 384 * 1024;

  private static final String CUT = " [cut]";

  private HookLimits() {}

  /** The bytes {@code s} takes inside a JSON string: UTF-8, with quote, backslash and control characters escaped. */
  public static int jsonBytes(String s) {
    if (s == null) {
      return 0;
    }
    int bytes = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      bytes += jsonBytes(cp);
      i += Character.charCount(cp);
    }
    return bytes;
  }

  private static int jsonBytes(int cp) {
    if (cp == '"' || cp == '\\' || cp == '\n' || cp == '\t' || cp == '\r' || cp == '\b' || cp == '\f') {
      return 2;
    }
    if (cp < 0x20) {
      return 6;
    }
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** The UTF-8 length of {@code s} is more than {@code max}; cheap for a huge string. */
  public static boolean longerThan(String s, int max) {
    if (s.length() > max) {
      return true;
    }
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max;
  }

  /**
   * {@code s} cut at the end to at most {@code maxBytes} of JSON, with " [cut]" where it was cut
   * (never inside a surrogate pair). Null stays null.
   */
  public static String clip(String s, int maxBytes) {
    if (s == null || jsonBytes(s) <= maxBytes) {
      return s;
    }
    int budget = Math.max(0, maxBytes - CUT.length());
    int used = 0;
    int end = 0;
    while (end < s.length()) {
      int cp = s.codePointAt(end);
      int b = jsonBytes(cp);
      if (used + b > budget) {
        break;
      }
      used += b;
      end += Character.charCount(cp);
    }
    return s.substring(0, end) + CUT;
  }

  /** A message about a hook, bounded by {@link #MAX_MESSAGE_BYTES}. */
  public static String message(String s) {
    return clip(s, MAX_MESSAGE_BYTES);
  }

  /**
   * The last part of a program's output, at most {@code maxBytes} of JSON, preceded by "[cut]\n"
   * when the start was cut. Null stays null.
   */
  public static String tail(String s, int maxBytes) {
    if (s == null || jsonBytes(s) <= maxBytes) {
      return s;
    }
    String mark = "[cut]\n";
    if (maxBytes < jsonBytes(mark)) {
      return "";
    }
    int budget = maxBytes - jsonBytes(mark);
    int used = 0;
    int start = s.length();
    while (start > 0) {
      int cp = s.codePointBefore(start);
      int b = jsonBytes(cp);
      if (used + b > budget) {
        break;
      }
      used += b;
      start -= Character.charCount(cp);
    }
    return mark + s.substring(start);
  }
}
