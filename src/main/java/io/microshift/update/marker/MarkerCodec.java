package io.microshift.update.marker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/**
 * The marker files' kinds, and the files' format as Jackson's data binding of the records sees it
 * ({@link #MAPPER}). The readers and writers themselves are {@link MarkerJson}'s (the streaming
 * parser and generator, no ObjectMapper on the agent's boot path).
 */
public final class MarkerCodec {
  private MarkerCodec() {}

  /**
   * Jackson data binding configured as the marker files are read and written: what the records'
   * annotations mean, for tools and tests that turn a record into a tree or text; MarkerBindingTest
   * holds {@link MarkerJson}'s reading and writing equal to it. Built only when this class is
   * first used: never by the agent's verbs, which go through {@link MarkerJson}.
   */
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
}
