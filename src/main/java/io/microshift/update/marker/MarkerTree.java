package io.microshift.update.marker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A marker file's text as a JSON tree, read with Jackson's streaming parser alone: the tree that
 * {@link MarkerCodec#MAPPER}'s {@code readTree} builds, under the same rules (duplicate keys,
 * comments and trailing tokens refused), without an ObjectMapper, whose set-up was most of the
 * host agent's boot verbs' start-up (docs/host.md, "Start-up"). The nodes are the ones
 * jackson-databind's JsonNodeDeserializer makes ({@code _fromInt}, {@code _fromFloat}): int, long
 * or BigInteger nodes by the number's size, double nodes for fractions.
 */
public final class MarkerTree {
  private MarkerTree() {}

  /** The parser's rules: {@link MarkerCodec#MAPPER}'s (comments are off by default). */
  static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The one JSON value of {@code text}; {@link IOException} with the parser's message when it is not exactly one. */
  public static JsonNode read(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new JsonParseException(p, "No content to map due to end-of-input");
      }
      JsonNode value = value(p, first);
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        // jackson-databind's ObjectMapper._verifyNoTrailingTokens, word for word
        throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after value (bound as `"
            + JsonNode.class.getName() + "`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
      }
      return value;
    }
  }

  private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      throw new JsonParseException(p, "Unexpected end-of-input");
    }
    switch (t) {
      case START_OBJECT:
        return object(p);
      case START_ARRAY:
        return array(p);
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        return p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL ? NODES.numberNode(p.getDecimalValue())
            : NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new JsonParseException(p, "Unexpected token " + t);
    }
  }

  private static ObjectNode object(JsonParser p) throws IOException {
    ObjectNode o = NODES.objectNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
      String name = p.currentName();
      o.set(name, value(p, p.nextToken()));
    }
    return o;
  }

  private static ArrayNode array(JsonParser p) throws IOException {
    ArrayNode a = NODES.arrayNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      a.add(value(p, t));
    }
    return a;
  }
}
