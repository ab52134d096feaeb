package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CRD's structural openAPIV3Schema as the API server judges an object against it
 * (apiextensions-apiserver pkg/registry/customresource/strategy.go {@code Validate}): the schema
 * by networknt's JSON Schema validator in its OpenAPI 3.0 dialect, with
 * <ul>
 *   <li>patterns matched by RE2 (re2j), the syntax and semantics of Go's regexp that
 *       kube-openapi's validator uses ({@code $} is the end of the text only);</li>
 *   <li>{@code x-kubernetes-list-type} and {@code x-kubernetes-validations} as custom keywords
 *       ({@link ListTypeKeyword}, {@link CelValidationsKeyword});</li>
 *   <li>unknown fields as strict field validation reports them, by a pre-pass: an object schema
 *       without {@code additionalProperties} gets {@code additionalProperties: false} unless it has
 *       {@code x-kubernetes-preserve-unknown-fields: true};</li>
 *   <li>the CEL rules left unchecked when the schema found a blocking error, as the API server's
 *       {@code hasBlockingErr} does (enum, required, maxLength, maxItems/maxProperties, type).</li>
 * </ul>
 * Another {@code x-kubernetes-*} keyword (int-or-string, embedded-resource, list-map-keys, ...)
 * makes {@link #of} fail: teach this class about it before the CRD uses it.
 */
final class KubernetesSchema {
  private static final Set<String> MODELLED_EXTENSIONS = Set.of(ListTypeKeyword.NAME, CelValidationsKeyword.NAME,
      "x-kubernetes-preserve-unknown-fields");
  /** networknt's keyword for each field.ErrorType that strategy.go's hasBlockingErr names. */
  private static final Set<String> BLOCKING = Set.of("enum", "required", "maxLength", "maxItems", "maxProperties", "type");
  private static final Dialect DIALECT = Dialect.builder(Dialects.getOpenApi30())
      .keyword(new ListTypeKeyword()).keyword(new CelValidationsKeyword()).build();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(DIALECT, b -> b.schemaRegistryConfig(
      SchemaRegistryConfig.builder().pathType(PathType.LEGACY).regularExpressionFactory(regex -> {
        com.google.re2j.Pattern re2 = com.google.re2j.Pattern.compile(regex);
        return value -> re2.matcher(value).find();
      }).build()));

  private final Schema schema;

  private KubernetesSchema(Schema schema) {
    this.schema = schema;
  }

  /** The validator of {@code openApiV3Schema} (a CRD version's schema.openAPIV3Schema). */
  static KubernetesSchema of(JsonNode openApiV3Schema) {
    JsonNode strict = openApiV3Schema.deepCopy();
    strictFields(strict, "");
    Schema schema = REGISTRY.getSchema(strict);
    schema.initializeValidators();
    return new KubernetesSchema(schema);
  }

  /** The API server's refusals of {@code object}, each "path: message"; empty when it accepts it. */
  List<String> validate(JsonNode object) {
    List<Error> errors = schema.validate(object);
    boolean blocked = errors.stream().anyMatch(e -> BLOCKING.contains(e.getKeyword()));
    List<String> out = new ArrayList<>();
    for (Error e : errors) {
      if (!(blocked && CelValidationsKeyword.NAME.equals(e.getKeyword()))) {
        out.add(path(e) + ": " + e.getMessage());
      }
    }
    if (blocked && errors.size() > out.size()) {
      out.add(": Invalid value: some validation rules were not checked because the object was invalid;"
          + " correct the existing errors to complete validation");
    }
    return out;
  }

  /** The field an error is about, as the API server names it: spec.target.packages[1]. */
  private static String path(Error e) {
    String at = e.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
    if (e.getProperty() != null && Set.of("required", "additionalProperties").contains(e.getKeyword())) {
      at = at.isEmpty() ? e.getProperty() : at + "." + e.getProperty();
    }
    return at;
  }

  private static void strictFields(JsonNode schema, String at) {
    for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) schema::fields) {
      if (f.getKey().startsWith("x-kubernetes-") && !MODELLED_EXTENSIONS.contains(f.getKey())) {
        throw new IllegalStateException(f.getKey() + " at " + at + " is not modelled by KubernetesSchema");
      }
    }
    if ("object".equals(schema.path("type").asText()) && !schema.has("additionalProperties")
        && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      ((ObjectNode) schema).put("additionalProperties", false);
    }
    schema.path("properties").fields().forEachRemaining(p -> strictFields(p.getValue(), at + "." + p.getKey()));
    if (schema.path("items").isObject()) {
      strictFields(schema.get("items"), at + "[]");
    }
    if (schema.path("additionalProperties").isObject()) {
      strictFields(schema.get("additionalProperties"), at + "{}");
    }
  }
}
