package io.microshift.update.marker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/** Strict field checks over a JSON tree; every problem is collected with its dotted path. */
final class JsonChecks {
  private final List<String> problems;

  JsonChecks(List<String> problems) {
    this.problems = problems;
  }

  void problem(String path, String what) {
    problems.add(path + ": " + what);
  }

  private static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** Reports every field of {@code o} not in {@code allowed}. */
  void onlyFields(ObjectNode o, String path, Set<String> allowed) {
    Set<String> unknown = new TreeSet<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        unknown.add(f);
      }
    }
    for (String f : unknown) {
      problem(at(path, sanitize(f)), "unknown field (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
    }
  }

  private JsonNode field(ObjectNode o, String path, String field, boolean required) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problem(at(path, field), "required");
      }
      return null;
    }
    return v;
  }

  ObjectNode object(ObjectNode o, String path, String field, boolean required, Set<String> allowed) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      problem(at(path, field), "must be an object");
      return null;
    }
    onlyFields((ObjectNode) v, at(path, field), allowed);
    return (ObjectNode) v;
  }

  String string(ObjectNode o, String path, String field, boolean required, Pattern p, int maxLen) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      problem(at(path, field), "must be a string");
      return null;
    }
    String s = v.asText();
    if (s.length() > maxLen) {
      problem(at(path, field), "longer than " + maxLen + " characters");
      return null;
    }
    if (p != null && !p.matcher(s).matches()) {
      problem(at(path, field), "'" + sanitize(s) + "' does not match " + p.pattern());
      return null;
    }
    return s;
  }

  /**
   * Not allowed in a message, per code point ({@link SafeText#unsafe}): control characters but
   * newline, invisible format characters (bidi overrides, zero-width, tag characters), private-use,
   * unassigned and surrogate code points, which make a log line read differently from what it says.
   */
  static boolean unsafeInMessage(int codePoint) {
    return SafeText.unsafe(codePoint);
  }

  /** A free-text message: bounded, no control or format characters but newline. */
  String message(ObjectNode o, String path, String field, boolean required) {
    String s = string(o, path, field, required, null, Markers.MAX_MESSAGE_CHARS);
    if (s != null && SafeText.hasUnsafe(s)) {
      problem(at(path, field), "contains control characters (or invisible format characters)");
      return null;
    }
    return s;
  }

  /** A time field: strictly RFC 3339 UTC, as {@link MarkerTime} parses it (the one time parser). */
  String time(ObjectNode o, String path, String field, boolean required) {
    String s = string(o, path, field, required, null, 40);
    if (s == null) {
      return null;
    }
    if (!MarkerTime.isValid(s)) {
      problem(at(path, field), "'" + sanitize(s) + "' is not an RFC 3339 UTC time like 2026-01-31T12:00:00Z"
          + " (hours 00-23, minutes and seconds 00-59, a day of the month that exists)");
      return null;
    }
    return s;
  }

  Long integer(ObjectNode o, String path, String field, boolean required, long min, long max) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      problem(at(path, field), "must be an integer");
      return null;
    }
    long n = v.asLong();
    if (n < min || n > max) {
      problem(at(path, field), n + " is outside " + min + ".." + max);
      return null;
    }
    return n;
  }

  Boolean bool(ObjectNode o, String path, String field, boolean required) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      problem(at(path, field), "must be true or false");
      return null;
    }
    return v.asBoolean();
  }

  String oneOf(ObjectNode o, String path, String field, boolean required, List<String> values) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isTextual() || !values.contains(v.asText())) {
      problem(at(path, field), "'" + sanitize(v.asText()) + "' is not one of " + String.join(", ", values));
      return null;
    }
    return v.asText();
  }

  /** The marker apiVersion; a future version gets a message saying so. */
  void apiVersion(ObjectNode root) {
    JsonNode v = root.get("apiVersion");
    if (v != null && v.isTextual() && !Markers.API_VERSION.equals(v.asText())) {
      problem("apiVersion", "'" + sanitize(v.asText()) + "' is not one of " + Markers.API_VERSION
          + ": this build reads marker v1 only; run the same release of the operator and the host agent");
      return;
    }
    oneOf(root, "", "apiVersion", true, List.of(Markers.API_VERSION));
  }

  ArrayNode array(ObjectNode o, String path, String field, boolean required, int maxItems) {
    JsonNode v = field(o, path, field, required);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      problem(at(path, field), "must be an array");
      return null;
    }
    if (v.size() > maxItems) {
      problem(at(path, field), "has " + v.size() + " items, at most " + maxItems + " allowed");
      return null;
    }
    return (ArrayNode) v;
  }

  /**
   * The array {@code field} of at most {@code maxItems} objects: each element that is an object
   * gets only the fields {@code allowed}, then {@code each} with its path ({@code field[i]}); any
   * other element is reported. Returns the array, or null when it is missing or not an array.
   */
  ArrayNode objects(ObjectNode o, String path, String field, boolean required, int maxItems, Set<String> allowed,
      BiConsumer<ObjectNode, String> each) {
    ArrayNode a = array(o, path, field, required, maxItems);
    if (a == null) {
      return null;
    }
    for (int i = 0; i < a.size(); i++) {
      JsonNode e = a.get(i);
      String p = at(path, field) + "[" + i + "]";
      if (!e.isObject()) {
        problem(p, "must be an object");
        continue;
      }
      onlyFields((ObjectNode) e, p, allowed);
      each.accept((ObjectNode) e, p);
    }
    return a;
  }

  List<String> strings(ObjectNode o, String path, String field, boolean required, int maxItems,
      Pattern p, int maxLen) {
    ArrayNode a = array(o, path, field, required, maxItems);
    if (a == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      JsonNode item = a.get(i);
      String ip = at(path, field) + "[" + i + "]";
      if (!item.isTextual()) {
        problem(ip, "must be a string");
      } else if (item.asText().length() > maxLen) {
        problem(ip, "longer than " + maxLen + " characters");
      } else if (!p.matcher(item.asText()).matches()) {
        problem(ip, "'" + sanitize(item.asText()) + "' does not match " + p.pattern());
      } else {
        out.add(item.asText());
      }
    }
    return out;
  }

  /** Makes hostile text printable and short before it goes into a message. */
  static String sanitize(String s) {
    return Markers.printable(s, 80);
  }
}
