package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.keyword.AbstractKeywordValidator;
import com.networknt.schema.keyword.Keyword;
import com.networknt.schema.keyword.KeywordValidator;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code x-kubernetes-validations} as a JSON Schema keyword: each rule compiled once by
 * {@link CelRule} with {@code self} typed from the node's schema, evaluated on the node's value;
 * a rule that does not hold is an error at the node with the rule's message, as
 * apiextensions-apiserver pkg/apiserver/schema/cel/validation.go {@code validateExpressions}
 * reports it ({@code field.Invalid(fldPath, ..., message)}).
 */
final class CelValidationsKeyword implements Keyword {
  static final String NAME = "x-kubernetes-validations";

  @Override
  public String getValue() {
    return NAME;
  }

  @Override
  public KeywordValidator newValidator(SchemaLocation location, JsonNode schemaNode, Schema parent,
      SchemaContext context) {
    List<CelRule> rules = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (JsonNode v : schemaNode) {
      String rule = v.path("rule").asText();
      rules.add(CelRule.compile(rule, parent.getSchemaNode()));
      messages.add(v.hasNonNull("message") ? v.get("message").asText() : "failed rule: " + rule);
    }
    return new AbstractKeywordValidator(this, schemaNode, location) {
      @Override
      public void validate(ExecutionContext ctx, JsonNode node, JsonNode root, NodePath at) {
        for (int i = 0; i < rules.size(); i++) {
          if (!rules.get(i).holds(node)) {
            String message = "Invalid value: " + messages.get(i);
            ctx.addError(Error.builder().keyword(NAME).instanceLocation(at).instanceNode(node)
                .messageSupplier(() -> message).build());
          }
        }
      }
    };
  }
}
