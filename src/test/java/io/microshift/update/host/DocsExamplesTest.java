package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.MarkerCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ```json examples in docs/marker.md pass {@code validate}: one request, one host status, one history. */
class DocsExamplesTest {
  @TempDir Path dir;

  static List<String> jsonBlocks(Path md) throws Exception {
    Matcher m = Pattern.compile("(?s)```json\\n(.*?)```").matcher(Files.readString(md));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void markerDocExamplesAreValid() throws Exception {
    List<String> blocks = jsonBlocks(Path.of("docs/marker.md"));
    assertEquals(3, blocks.size(), "docs/marker.md has one request, one host-status and one history example");
    List<MarkerCodec.Kind> kinds = new ArrayList<>();
    for (String block : blocks) {
      Path f = dir.resolve("example.json");
      Files.writeString(f, block);
      kinds.add(ValidateCommand.kindOf(f, block.getBytes()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int rc = new ValidateCommand().run(f, new PrintStream(out, true));
      assertEquals(0, rc, out.toString());
      assertTrue(out.toString().contains(": valid "), out.toString());
    }
    assertEquals(List.of(MarkerCodec.Kind.REQUEST, MarkerCodec.Kind.HOST_STATUS, MarkerCodec.Kind.HISTORY), kinds);
  }
}
