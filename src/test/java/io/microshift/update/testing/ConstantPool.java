package io.microshift.update.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a class file links against: the UTF-8 entries of its constant pool (JVMS 4.4), which
 * hold every class, field and method a class refers to, descriptors included, so an import, a
 * parameter type and a call all show. For the layering tests (which package may use which); a
 * few lines of JVMS 4.4 rather than a bytecode library on the test class path.
 */
public final class ConstantPool {
  private ConstantPool() {}

  /** The UTF-8 entries of the class file at {@code classFile}. */
  public static Set<String> strings(Path classFile) throws IOException {
    try (InputStream in = Files.newInputStream(classFile)) {
      return strings(in, classFile.toString());
    }
  }

  /** The UTF-8 entries of the class file {@code raw} ({@code name} for the error message). */
  public static Set<String> strings(InputStream raw, String name) throws IOException {
    Set<String> out = new TreeSet<>();
    DataInputStream in = new DataInputStream(raw);
    in.skipNBytes(8); // magic, minor, major
    int count = in.readUnsignedShort();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> out.add(in.readUTF());
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
        case 15 -> in.skipNBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
        case 5, 6 -> {
          in.skipNBytes(8);
          i++; // takes two slots
        }
        default -> throw new IOException(name + ": unknown constant pool tag " + tag);
      }
    }
    return out;
  }
}
