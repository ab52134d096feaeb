package io.microshift.update.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an UpdatePlan's spec and status so that a value the Java types cannot hold (an enum value
 * the schema would refuse, a number out of range, a string where an object belongs) does not fail
 * the informer: fabric8 and java-operator-sdk stop the whole operator on a watch event they
 * cannot read, and again on every restart. Such a spec or status is read as empty with
 * {@code unreadable} saying which field and what it takes; the operator refuses the plan with
 * that message (InvalidSpec, or UntrustedStatus for status); java-operator-sdk's clone of the
 * plan keeps that mark (operator.PlanCloner). The API server's schema normally
 * refuses these values first; this covers servers that do not enforce it.
 */
final class LenientReader {
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private LenientReader() {}

  /** The spec, or an empty one whose {@code unreadable} names the field. */
  static final class Spec extends JsonDeserializer<UpdatePlanSpec> {
    @Override
    public UpdatePlanSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = ctxt.readTree(p);
      try {
        return ctxt.readTreeAsValue(node, UpdatePlanSpec.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        UpdatePlanSpec empty = new UpdatePlanSpec();
        empty.unreadable = describe("spec", e);
        return empty;
      }
    }
  }

  /** The status, or an empty one whose {@code unreadable} names the field. */
  static final class Status extends JsonDeserializer<UpdatePlanStatus> {
    @Override
    public UpdatePlanStatus deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = ctxt.readTree(p);
      try {
        return ctxt.readTreeAsValue(node, UpdatePlanStatus.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        UpdatePlanStatus empty = new UpdatePlanStatus();
        empty.unreadable = describe("status", e);
        return empty;
      }
    }
  }

  /** One line: the field's path and what it takes, e.g. {@code spec.type: 'zypper' is not one of ostree, rpm}. */
  static String describe(String root, Exception e) {
    StringBuilder path = new StringBuilder(root);
    if (e instanceof JsonMappingException m) {
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          path.append('.').append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          path.append('[').append(r.getIndex()).append(']');
        }
      }
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      List<String> values = new ArrayList<>();
      for (Object constant : f.getTargetType().getEnumConstants()) {
        values.add(PLAIN.convertValue(constant, String.class));
      }
      return path + ": '" + clean(String.valueOf(f.getValue())) + "' is not a valid value; use one of "
          + String.join(", ", values);
    }
    String detail = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return path + ": cannot be read (" + clean(detail) + "); write the type and a value as"
        + " docs/reference/updateplan.md gives for this field";
  }

  /** First line, at most 160 characters, control characters dropped, quoted when a value. */
  private static String clean(String text) {
    String s = text == null ? "" : text.lines().findFirst().orElse("");
    s = s.replaceAll("\\p{Cntrl}", "?");
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }
}
