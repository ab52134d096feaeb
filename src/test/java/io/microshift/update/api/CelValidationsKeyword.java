package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.SchemaLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@code x-kubernetes-validations} as a JSON Schema keyword: each rule compiled once by
 * {@link CelRule} with {@code self} typed from the node's schema, evaluated on the node's value;
 * a rule that does not hold is an error at the node with the rule's message, as
 * apiextensions-apiserver pkg/apiserver/schema/cel/validation.go {@code validateExpressions}
 * reports it ({@code field.Invalid(fldPath, ..., message)}).
 */
final class CelValidationsKeyword extends ExtensionKeyword {
  static final String NAME = "x-kubernetes-validations";

  CelValidationsKeyword() {
    super(NAME);
  }

  @Override
  BiConsumer<JsonNode, Errors> check(JsonNode schemaNode, JsonNode schema, SchemaLocation location) {
    List<CelRule> rules = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (JsonNode v : schemaNode) {
      String rule = v.path("rule").asText();
      rules.add(CelRule.compile(rule, schema));
      messages.add(v.hasNonNull("message") ? v.get("message").asText() : "failed rule: " + rule);
    }
    return (node, errors) -> {
      for (int i = 0; i < rules.size(); i++) {
        if (!rules.get(i).holds(node)) {
          errors.at(errors.here(), node, "Invalid value: " + messages.get(i));
        }
      }
    };
  }
}
