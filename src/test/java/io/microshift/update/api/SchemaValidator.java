package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What the API server enforces of a CRD's structural openAPIV3Schema, for the keywords the
 * UpdatePlan CRD uses: type, enum, pattern, minLength/maxLength (in characters, as Go counts
 * runes), minimum/maximum, maxItems, maxProperties, required, properties (unknown fields are
 * reported as strict field validation does; the API server would otherwise prune them),
 * additionalProperties, items, x-kubernetes-list-type: set (duplicates) and
 * x-kubernetes-validations, whose CEL rules must each have a Java mirror in {@code celRules}
 * (an unknown rule is an error, so a new rule cannot go untested).
 */
final class SchemaValidator {
  private final Map<String, Predicate<JsonNode>> celRules;

  SchemaValidator(Map<String, Predicate<JsonNode>> celRules) {
    this.celRules = celRules;
  }

  /**
   * The API server matches patterns with Go's RE2, where {@code $} is the end of the text; in Java
   * it also matches before a final line terminator ("4.17.3\n" would pass). Our patterns use
   * {@code $} only as their final anchor.
   */
  static Pattern goRegexp(String pattern) {
    String p = pattern.endsWith("$") && !pattern.endsWith("\\$")
        ? pattern.substring(0, pattern.length() - 1) + "\\z" : pattern;
    return Pattern.compile(p);
  }

  List<String> validate(JsonNode schema, JsonNode value, String path) {
    List<String> errors = new ArrayList<>();
    check(schema, value, path, errors);
    return errors;
  }

  private void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (value == null || value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(path + ": null is not allowed");
      }
      return;
    }
    String type = schema.path("type").asText("");
    boolean typeOk = switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "" -> true;
      default -> throw new IllegalStateException("type " + type + " at " + path);
    };
    if (!typeOk) {
      errors.add(path + ": must be of type " + type);
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        errors.add(path + ": Unsupported value " + value + ", supported values: " + schema.get("enum"));
      }
    }
    if (value.isTextual()) {
      String s = value.asText();
      int runes = s.codePointCount(0, s.length());
      if (schema.has("maxLength") && runes > schema.get("maxLength").asInt()) {
        errors.add(path + ": Too long: may not be longer than " + schema.get("maxLength").asInt());
      }
      if (schema.has("minLength") && runes < schema.get("minLength").asInt()) {
        errors.add(path + ": Too short");
      }
      if (schema.has("pattern") && !goRegexp(schema.get("pattern").asText()).matcher(s).find()) {
        errors.add(path + ": should match '" + schema.get("pattern").asText() + "'");
      }
    }
    if (value.isNumber()) {
      if (schema.has("minimum") && value.decimalValue().compareTo(schema.get("minimum").decimalValue()) < 0) {
        errors.add(path + ": should be greater than or equal to " + schema.get("minimum"));
      }
      if (schema.has("maximum") && value.decimalValue().compareTo(schema.get("maximum").decimalValue()) > 0) {
        errors.add(path + ": should be less than or equal to " + schema.get("maximum"));
      }
    }
    if (value.isArray()) {
      if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
        errors.add(path + ": Too many: " + value.size() + ": must have at most " + schema.get("maxItems").asInt() + " items");
      }
      if ("set".equals(schema.path("x-kubernetes-list-type").asText())) {
        Set<JsonNode> seen = new HashSet<>();
        for (int i = 0; i < value.size(); i++) {
          if (!seen.add(value.get(i))) {
            errors.add(path + "[" + i + "]: Duplicate value: " + value.get(i));
          }
        }
      }
      for (int i = 0; i < value.size(); i++) {
        check(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
      }
    }
    if (value.isObject()) {
      if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
        errors.add(path + ": Too many: must have at most " + schema.get("maxProperties").asInt() + " items");
      }
      for (JsonNode r : schema.path("required")) {
        if (!value.has(r.asText())) {
          errors.add(path + "." + r.asText() + ": Required value");
        }
      }
      JsonNode props = schema.get("properties");
      JsonNode additional = schema.get("additionalProperties");
      boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String child = path + "." + f.getKey();
        if (props != null && props.has(f.getKey())) {
          check(props.get(f.getKey()), f.getValue(), child, errors);
        } else if (additional != null && additional.isObject()) {
          check(additional, f.getValue(), child, errors);
        } else if (!preserve) {
          errors.add(child + ": unknown field");
        }
      }
    }
    for (JsonNode v : schema.path("x-kubernetes-validations")) {
      Predicate<JsonNode> rule = celRules.get(v.path("rule").asText());
      if (rule == null) {
        throw new IllegalStateException("no Java mirror of the CEL rule " + v.path("rule").asText() + " at " + path);
      }
      if (!rule.test(value)) {
        errors.add(path + ": Invalid value: " + v.path("message").asText());
      }
    }
  }
}
