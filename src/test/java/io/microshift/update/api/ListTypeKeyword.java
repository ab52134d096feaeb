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
import java.util.HashSet;
import java.util.Set;

/**
 * {@code x-kubernetes-list-type} as a JSON Schema keyword: {@code set} refuses a repeated item at
 * the repeat's index, as apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go
 * {@code validateListSet} does ({@code field.Duplicate(fldPath.Index(i), ...)}), which JSON
 * Schema's {@code uniqueItems} (an error on the whole list) does not say; {@code atomic} checks
 * nothing. {@code map} (with x-kubernetes-list-map-keys) is not used by our CRD and refused here.
 */
final class ListTypeKeyword implements Keyword {
  static final String NAME = "x-kubernetes-list-type";

  @Override
  public String getValue() {
    return NAME;
  }

  @Override
  public KeywordValidator newValidator(SchemaLocation location, JsonNode schemaNode, Schema parent,
      SchemaContext context) {
    String type = schemaNode.asText();
    if (!type.equals("set") && !type.equals("atomic")) {
      throw new IllegalStateException(NAME + ": " + type + " at " + location + " is not modelled; only set and atomic are");
    }
    return new AbstractKeywordValidator(this, schemaNode, location) {
      @Override
      public void validate(ExecutionContext ctx, JsonNode node, JsonNode root, NodePath at) {
        if (!type.equals("set") || !node.isArray()) {
          return;
        }
        Set<JsonNode> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
          if (!seen.add(node.get(i))) {
            String message = "Duplicate value: " + node.get(i);
            ctx.addError(Error.builder().keyword(NAME).instanceLocation(at.append(i)).instanceNode(node.get(i))
                .messageSupplier(() -> message).build());
          }
        }
      }
    };
  }
}
