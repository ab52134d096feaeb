package io.microshift.update.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A PrintStream for the demo that keeps every line within {@link #COLUMNS} characters: a longer
 * line is broken at a space (or cut, without one) and continued on the next line, indented by the
 * line's own indentation plus four spaces.
 */
final class WrappingOutput extends OutputStream {
  static final int COLUMNS = 120;

  private final OutputStream out;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private WrappingOutput(OutputStream out) {
    this.out = out;
  }

  static PrintStream of(OutputStream out) {
    return new PrintStream(new WrappingOutput(out), true, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) throws IOException {
    if (b == '\n') {
      out.write(wrap(line.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      line.reset();
    } else {
      line.write(b);
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  /** The line, broken into lines of at most {@link #COLUMNS} characters, each ending in a newline. */
  static String wrap(String text) {
    String indent = text.substring(0, text.length() - text.stripLeading().length());
    String more = indent.length() + 4 < COLUMNS / 2 ? indent + "    " : "    ";
    StringBuilder b = new StringBuilder();
    String rest = text.stripTrailing();
    String prefix = "";
    while (prefix.length() + rest.length() > COLUMNS) {
      int room = COLUMNS - prefix.length();
      int cut = rest.lastIndexOf(' ', room);
      if (cut <= rest.length() - rest.stripLeading().length()) {
        cut = room;
      }
      b.append(prefix).append(rest, 0, cut).append('\n');
      rest = rest.substring(cut).stripLeading();
      prefix = more;
    }
    return b.append(prefix).append(rest).append('\n').toString();
  }
}
