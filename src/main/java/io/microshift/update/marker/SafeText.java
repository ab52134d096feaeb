package io.microshift.update.marker;

import java.util.regex.Pattern;

/**
 * Which text may stand in a message, decided per Unicode code point (never per UTF-16 unit, so
 * that nothing above U+FFFF slips through): no control character but newline (Cc), no format
 * character (Cf: bidi overrides, zero-width characters, the U+E0000 tag characters), no private-use
 * (Co), unassigned (Cn, as this Java's Unicode tables know them) or lone surrogate (Cs) code point,
 * and no line or paragraph separator (Zl, Zp), which would split a line where the log shows none.
 * The validators refuse such text; the agent's own messages and hook output replace it with '?'.
 */
public final class SafeText {
  private SafeText() {}

  /** Whether the code point {@code cp} is not allowed in a message. */
  public static boolean unsafe(int cp) {
    if (cp == '\n') {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.SURROGATE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
      default -> false;
    };
  }

  /** Whether {@code s} has a code point that is not allowed in a message. */
  public static boolean hasUnsafe(String s) {
    return s.codePoints().anyMatch(SafeText::unsafe);
  }

  /**
   * {@code s} with every unsafe code point replaced by '?', at most {@code max} UTF-16 units
   * (cut with "..." at the end, never inside a surrogate pair).
   */
  public static String replaceUnsafe(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    s.codePoints().forEach(cp -> b.appendCodePoint(unsafe(cp) ? '?' : cp));
    if (b.length() <= max) {
      return b.toString();
    }
    int end = Math.max(0, max - 3);
    if (end > 0 && Character.isHighSurrogate(b.charAt(end - 1))) {
      end--;
    }
    return b.substring(0, end) + "...";
  }

  /**
   * ECMA-48 escape sequences: CSI (ESC [ or U+009B, e.g. colours and cursor moves), the string
   * controls (OSC ESC ], DCS ESC P, SOS, PM, APC and their C1 forms) up to BEL, ST or the end, and
   * the other two-part escapes (ESC ( B, ESC c).
   */
  private static final Pattern TERMINAL_ESCAPE = Pattern.compile(
      "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]"
          + "|(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*"
          + "(?:\\u0007|\\u001b\\\\|\\u009c|$)"
          + "|\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]");

  /**
   * Output of a program (a hook's stdout or stderr) made safe to keep and show: terminal escape
   * sequences removed, CR LF line ends made LF, then every other unsafe code point (a lone ESC or
   * CR, a backspace, tabs, format characters) replaced by '?'.
   */
  public static String terminalOutput(String s) {
    String t = TERMINAL_ESCAPE.matcher(s).replaceAll("").replace("\r\n", "\n");
    return replaceUnsafe(t, Integer.MAX_VALUE);
  }
}
