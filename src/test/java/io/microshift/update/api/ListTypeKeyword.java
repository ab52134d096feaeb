package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.SchemaLocation;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * {@code x-kubernetes-list-type} as a JSON Schema keyword: {@code set} refuses a repeated item at
 * the repeat's index, as apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go
 * {@code validateListSet} does ({@code field.Duplicate(fldPath.Index(i), ...)}), which JSON
 * Schema's {@code uniqueItems} (an error on the whole list) does not say; {@code atomic} checks
 * nothing. {@code map} (with x-kubernetes-list-map-keys) is not used by our CRD and refused here.
 */
final class ListTypeKeyword extends ExtensionKeyword {
  static final String NAME = "x-kubernetes-list-type";

  ListTypeKeyword() {
    super(NAME);
  }

  @Override
  BiConsumer<JsonNode, Errors> check(JsonNode schemaNode, JsonNode schema, SchemaLocation location) {
    String type = schemaNode.asText();
    if (!type.equals("set") && !type.equals("atomic")) {
      throw new IllegalStateException(NAME + ": " + type + " at " + location + " is not modelled; only set and atomic are");
    }
    return (node, errors) -> {
      if (!type.equals("set") || !node.isArray()) {
        return;
      }
      Set<JsonNode> seen = new HashSet<>();
      for (int i = 0; i < node.size(); i++) {
        if (!seen.add(node.get(i))) {
          errors.at(errors.here().append(i), node.get(i), "Duplicate value: " + node.get(i));
        }
      }
    };
  }
}
