package io.microshift.update.sim;

import io.microshift.update.host.HostPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Condition*=} lines of a real systemd unit file, evaluated on the simulated host as
 * systemd does (systemd.unit(5), "Conditions and Asserts"): every plain condition must hold; if
 * there are triggering ones ({@code |} prefix), at least one of them must hold; {@code !}
 * negates. Only the conditions our units use are known; any other one is an error, never ignored.
 */
final class UnitConditions {
  private UnitConditions() {}

  static boolean met(Path unitFile, HostPaths paths) {
    List<String> lines;
    try {
      lines = Files.readAllLines(unitFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean plainOk = true;
    boolean anyTriggering = false;
    boolean triggeringOk = false;
    List<String> unknown = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (!line.startsWith("Condition")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1);
      boolean triggering = value.startsWith("|");
      if (triggering) {
        value = value.substring(1);
      }
      boolean negate = value.startsWith("!");
      if (negate) {
        value = value.substring(1);
      }
      Path p = paths.host(value);
      boolean holds = switch (key) {
        case "ConditionPathExists" -> Files.exists(p); // follows symlinks, as access(F_OK)
        case "ConditionPathIsSymbolicLink" -> Files.isSymbolicLink(p);
        default -> {
          unknown.add(line);
          yield false;
        }
      };
      holds = holds != negate;
      if (triggering) {
        anyTriggering = true;
        triggeringOk |= holds;
      } else {
        plainOk &= holds;
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalStateException(unitFile + ": conditions the simulated device does not know: " + unknown);
    }
    return plainOk && (!anyTriggering || triggeringOk);
  }
}
