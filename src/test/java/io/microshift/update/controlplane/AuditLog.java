package io.microshift.update.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The API server's audit log of the operator's requests (one JSON event per line). */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditLog() {}

  /** Every request of {@code user} as "CODE VERB URI", in order. */
  public static List<String> requests(Path log, String user) {
    List<String> out = new ArrayList<>();
    if (!Files.exists(log)) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode e = JSON.readTree(line);
        if (user.equals(e.path("user").path("username").asText())) {
          out.add(e.path("responseStatus").path("code").asInt() + " " + e.path("verb").asText() + " "
              + e.path("requestURI").asText());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The requests of {@code user} that the API server refused as forbidden (403). */
  public static List<String> forbidden(Path log, String user) {
    return requests(log, user).stream().filter(r -> r.startsWith("403 ")).toList();
  }
}
