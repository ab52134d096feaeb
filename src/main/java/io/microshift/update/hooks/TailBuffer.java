package io.microshift.update.hooks;

import io.microshift.update.marker.SafeText;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** An OutputStream that keeps only the last {@code capacity} bytes written to it. Thread-safe. */
public final class TailBuffer extends OutputStream {
  private final byte[] ring;
  private long total;

  public TailBuffer(int capacity) {
    this.ring = new byte[capacity];
  }

  @Override
  public synchronized void write(int b) {
    ring[(int) (total % ring.length)] = (byte) b;
    total++;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      write(b[off + i]);
    }
  }

  public synchronized long total() {
    return total;
  }

  /**
   * The kept bytes as UTF-8 (a character cut at the start is dropped), made safe with {@link
   * SafeText#terminalOutput} (no terminal escapes, '?' for control and format characters), preceded by a line saying
   * how much was cut when the output was longer than the capacity.
   */
  @Override
  public synchronized String toString() {
    int kept = (int) Math.min(total, ring.length);
    byte[] bytes = new byte[kept];
    long start = total - kept;
    for (int i = 0; i < kept; i++) {
      bytes[i] = ring[(int) ((start + i) % ring.length)];
    }
    int from = 0;
    if (start > 0) {
      while (from < kept && (bytes[from] & 0xC0) == 0x80) {
        from++;
      }
    }
    // what a program printed may hold terminal escapes and invisible characters: kept in the
    // plan's status, shown by kubectl, it must say only what it reads as
    String text = SafeText.terminalOutput(new String(bytes, from, kept - from, StandardCharsets.UTF_8));
    return start > 0 ? "[" + (start + from) + " bytes cut]\n" + text : text;
  }
}
