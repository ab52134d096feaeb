package io.microshift.update.host;

import io.microshift.update.marker.MarkerCodec;
import io.microshift.update.marker.MarkerJson;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

/**
 * {@code validate FILE}: every problem of a request.json, host-status.json or history.json, one a line.
 * The kind comes from the file name, else from its fields ({@code updates} → history, {@code plan} →
 * request, {@code state} → status).
 */
public final class ValidateCommand {
  public int run(Path file, PrintStream out) {
    try {
      if (Files.isSymbolicLink(file)) {
        out.println(file + ": is a symlink; marker files must be regular files");
        return 1;
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        out.println(file + ": not a regular file");
        return 1;
      }
      long size = Files.size(file);
      if (size > Markers.MAX_FILE_BYTES) {
        out.println(file + ": is " + size + " bytes, at most " + Markers.MAX_FILE_BYTES + " allowed");
        return 1;
      }
      byte[] bytes;
      try (InputStream in = Channels.newInputStream(Files.newByteChannel(file,
          Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
        bytes = in.readNBytes(Markers.MAX_FILE_BYTES + 1);
      }
      MarkerCodec.Kind kind = kindOf(file, bytes);
      List<String> problems = MarkerJson.problems(kind, bytes);
      if (problems.isEmpty()) {
        out.println(file + ": valid " + kind.fileName());
        return 0;
      }
      for (String p : problems) {
        out.println(file + ": " + p);
      }
      return 1;
    } catch (IOException e) {
      out.println(file + ": cannot read: " + e.getMessage());
      return 1;
    }
  }

  static MarkerCodec.Kind kindOf(Path file, byte[] bytes) {
    String name = file.getFileName().toString();
    if (name.equals(Markers.HOST_STATUS_FILE)) {
      return MarkerCodec.Kind.HOST_STATUS;
    }
    if (name.equals(Markers.REQUEST_FILE)) {
      return MarkerCodec.Kind.REQUEST;
    }
    if (name.equals(Markers.HISTORY_FILE)) {
      return MarkerCodec.Kind.HISTORY;
    }
    String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    if (text.contains("\"updates\"")) {
      return MarkerCodec.Kind.HISTORY;
    }
    return text.contains("\"state\"") && !text.contains("\"plan\"") ? MarkerCodec.Kind.HOST_STATUS : MarkerCodec.Kind.REQUEST;
  }
}
