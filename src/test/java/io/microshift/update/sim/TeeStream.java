package io.microshift.update.sim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes to memory and appends to a file. */
final class TeeStream extends OutputStream {
  private final ByteArrayOutputStream mem;
  private final Path file;

  TeeStream(ByteArrayOutputStream mem, Path file) {
    this.mem = mem;
    this.file = file;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    synchronized (mem) {
      mem.write(b, off, len);
    }
    Files.createDirectories(file.getParent());
    try (OutputStream o = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      o.write(b, off, len);
    }
  }
}
