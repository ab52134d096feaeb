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
import java.util.function.BiConsumer;

/** An {@code x-kubernetes-*} keyword for networknt's validator: a check of a node, errors at paths. */
abstract class ExtensionKeyword implements Keyword {
  private final String name;

  ExtensionKeyword(String name) {
    this.name = name;
  }

  /** What the keyword checks on a node; {@code schemaNode} is the keyword's value, {@code schema} its node's schema. */
  abstract BiConsumer<JsonNode, Errors> check(JsonNode schemaNode, JsonNode schema, SchemaLocation location);

  /** Where a check reports: an error at the node's path or below it. */
  interface Errors {
    void at(NodePath where, JsonNode value, String message);

    NodePath here();
  }

  @Override
  public final String getValue() {
    return name;
  }

  @Override
  public final KeywordValidator newValidator(SchemaLocation location, JsonNode schemaNode, Schema parent,
      SchemaContext context) {
    BiConsumer<JsonNode, Errors> check = check(schemaNode, parent.getSchemaNode(), location);
    return new AbstractKeywordValidator(this, schemaNode, location) {
      @Override
      public void validate(ExecutionContext ctx, JsonNode node, JsonNode root, NodePath at) {
        check.accept(node, new Errors() {
          @Override
          public void at(NodePath where, JsonNode value, String message) {
            ctx.addError(Error.builder().keyword(name).instanceLocation(where).instanceNode(value)
                .messageSupplier(() -> message).build());
          }

          @Override
          public NodePath here() {
            return at;
          }
        });
      }
    };
  }
}
