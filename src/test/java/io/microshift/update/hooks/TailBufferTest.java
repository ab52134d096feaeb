package io.microshift.update.hooks;

import io.microshift.update.api.Durations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TailBufferTest {

  @Test
  void keepsEverythingUpToCapacity() {
    TailBuffer b = new TailBuffer(8);
    b.write("abc".getBytes(StandardCharsets.UTF_8), 0, 3);
    b.write("defgh".getBytes(StandardCharsets.UTF_8), 0, 5);
    assertEquals("abcdefgh", b.toString());
    assertEquals(8, b.total());
  }

  @Test
  void terminalEscapesAndInvisibleCharactersAreRemovedFromTheKeptOutput() {
    TailBuffer b = new TailBuffer(4096);
    String hostile = "\u001b[2J\u001b[1;31mred\u001b[0m\r\n"           // clear screen, colours
        + "\u001b]0;pwned\u0007title\u001b]8;;http://x\u001b\\link\n"      // OSC title, hyperlink
        + "\u009b31mc1\u001b(Bcharset\u001bc\n"                            // C1 CSI, ESC ( B, reset
        + "fake\rreal\bX\tT\u001b\n"                                      // CR, backspace, tab, lone ESC
        + "bidi\u202e txt tag\udb40\udc41 priv\udb80\udc00 \ud83d\ude00\n";
    byte[] bytes = hostile.getBytes(StandardCharsets.UTF_8);
    b.write(bytes, 0, bytes.length);
    assertEquals("red\ntitlelink\nc1charset\nfake?real?X?T?\nbidi? txt tag? priv? \ud83d\ude00\n", b.toString());
  }

  @Test
  void keepsTheLastBytesAndDropsACharacterCutInHalf() {
    TailBuffer b = new TailBuffer(6);
    byte[] text = "xxé€ok".getBytes(StandardCharsets.UTF_8); // x x é(2) €(3) o k = 9 bytes
    b.write(text, 0, text.length);
    // the last 6 bytes start with the second byte of "é": it is dropped and counted as cut
    assertEquals("[4 bytes cut]\n€ok", b.toString());
  }

  @Test
  void durationsAreGoStyleAndPositive() {
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("0s"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("-5m"));
    assertEquals("30s", HookAnnotationParser.format(Duration.ofSeconds(30)));
    assertEquals("2m", HookAnnotationParser.format(Duration.ofSeconds(120)));
    assertEquals("1h", HookAnnotationParser.format(Duration.ofMinutes(60)));
  }
}
