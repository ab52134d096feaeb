package io.microshift.update.marker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/** JSON (de)serialisation of the marker files, always through the validators. */
public final class MarkerCodec {
  private MarkerCodec() {}

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(JsonParser.Feature.ALLOW_COMMENTS)
      .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
      .build();

  /** Which file a byte array claims to be. */
  public enum Kind {
    REQUEST(Markers.REQUEST_FILE, RequestValidator::validate, UpdateRequest.class),
    HOST_STATUS(Markers.HOST_STATUS_FILE, HostStatusValidator::validate, HostStatus.class),
    HISTORY(Markers.HISTORY_FILE, UpdateHistoryValidator::validate, UpdateHistory.class);

    final String fileName;
    final Function<ObjectNode, List<String>> validator;
    final Class<?> type;

    Kind(String fileName, Function<ObjectNode, List<String>> validator, Class<?> type) {
      this.fileName = fileName;
      this.validator = validator;
      this.type = type;
    }

    public String fileName() {
      return fileName;
    }
  }

  /** Every problem of {@code json} as {@code kind}; empty when valid. */
  public static List<String> problems(Kind kind, byte[] json) {
    if (json.length > Markers.MAX_FILE_BYTES) {
      return List.of("file is " + json.length + " bytes, at most " + Markers.MAX_FILE_BYTES + " allowed");
    }
    MarkerText.Decoded text = MarkerText.decode(json);
    if (text.problem() != null) {
      return List.of(text.problem());
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text.text());
    } catch (IOException e) {
      return List.of("not valid JSON: " + JsonChecks.sanitize(firstLine(e.getMessage())));
    }
    if (tree == null || !tree.isObject()) {
      return List.of("not a JSON object");
    }
    return bounded(kind.validator.apply((ObjectNode) tree));
  }

  /** At most this many problems are listed, so that a hostile file cannot flood the log. */
  static final int MAX_PROBLEMS = 20;

  private static List<String> bounded(List<String> problems) {
    if (problems.size() <= MAX_PROBLEMS) {
      return problems;
    }
    List<String> out = new java.util.ArrayList<>(problems.subList(0, MAX_PROBLEMS));
    out.add("... and " + (problems.size() - MAX_PROBLEMS) + " more problems");
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Parses and validates; throws {@link MarkerProblems} listing every problem. */
  public static <T> T parse(Kind kind, Class<T> type, byte[] json, String subject) {
    List<String> problems = problems(kind, json);
    if (!problems.isEmpty()) {
      throw new MarkerProblems(subject, problems);
    }
    try {
      return MAPPER.readValue(MarkerText.text(json).orElseThrow(), type);
    } catch (IOException e) {
      throw new MarkerProblems(subject, List.of("cannot bind: " + JsonChecks.sanitize(firstLine(e.getMessage()))));
    }
  }

  public static UpdateRequest parseRequest(byte[] json, String subject) {
    return parse(Kind.REQUEST, UpdateRequest.class, json, subject);
  }

  public static HostStatus parseHostStatus(byte[] json, String subject) {
    return parse(Kind.HOST_STATUS, HostStatus.class, json, subject);
  }

  public static UpdateHistory parseHistory(byte[] json, String subject) {
    return parse(Kind.HISTORY, UpdateHistory.class, json, subject);
  }

  /**
   * Only {@code plan.uid} and {@code sequence} of a request that fails validation, when those two
   * are valid themselves: lets the host report a refusal against the right request.
   */
  public static java.util.Optional<HostStatus.RequestRef> requestRef(byte[] json) {
    try {
      JsonNode tree = MarkerText.text(json).isEmpty() ? null : MAPPER.readTree(MarkerText.text(json).get());
      JsonNode uid = tree == null ? null : tree.path("plan").get("uid");
      JsonNode seq = tree == null ? null : tree.get("sequence");
      if (uid != null && uid.isTextual() && Markers.UUID.matcher(uid.asText()).matches()
          && seq != null && seq.isIntegralNumber() && seq.canConvertToLong() && seq.asLong() >= 1) {
        return java.util.Optional.of(new HostStatus.RequestRef(uid.asText(), seq.asLong()));
      }
    } catch (IOException e) {
      // not JSON: nothing to refer to
    }
    return java.util.Optional.empty();
  }

  /** Serialises and validates; refuses to produce a file a reader would refuse. */
  public static byte[] serialize(Kind kind, Object value) {
    byte[] json;
    try {
      json = (MAPPER.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + kind.fileName, e);
    }
    List<String> problems = problems(kind, json);
    if (!problems.isEmpty()) {
      throw new MarkerProblems("refusing to write an invalid " + kind.fileName, problems);
    }
    return json;
  }
}
