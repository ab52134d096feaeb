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
import java.util.function.BiConsumer;
import java.util.function.Supplier;

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

  /** Reads a {@code T}, or an empty one marked with what could not be read. */
  private abstract static class Lenient<T> extends JsonDeserializer<T> {
    private final Class<T> type;
    private final String root;
    private final Supplier<T> empty;
    private final BiConsumer<T, String> markUnreadable;

    Lenient(Class<T> type, String root, Supplier<T> empty, BiConsumer<T, String> markUnreadable) {
      this.type = type;
      this.root = root;
      this.empty = empty;
      this.markUnreadable = markUnreadable;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = ctxt.readTree(p);
      try {
        return ctxt.readTreeAsValue(node, type);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        T value = empty.get();
        markUnreadable.accept(value, describe(root, e));
        return value;
      }
    }
  }

  /** The spec, or an empty one whose {@code unreadable} names the field. */
  static final class Spec extends Lenient<UpdatePlanSpec> {
    Spec() {
      super(UpdatePlanSpec.class, "spec", UpdatePlanSpec::new, (spec, why) -> spec.unreadable = why);
    }
  }

  /** The status, or an empty one whose {@code unreadable} names the field. */
  static final class Status extends Lenient<UpdatePlanStatus> {
    Status() {
      super(UpdatePlanStatus.class, "status", UpdatePlanStatus::new, (status, why) -> status.unreadable = why);
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
