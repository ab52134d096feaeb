package io.microshift.update.hooks;

import io.microshift.update.api.Durations;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.HookPolicy.OnError;
import io.microshift.update.marker.Markers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads one annotation family of one pod into a {@link HookDefinition}, or a {@link HookProblem}
 * saying exactly what is wrong. Never builds a shell string: the command is an argv.
 */
public final class HookAnnotationParser {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  static final int MAX_ARGS = HookLimits.MAX_ARGS;
  /** Strict JSON: one value and nothing after it (no second array, no trailing words). */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private HookAnnotationParser() {}

  /** Empty when the pod carries no annotation of this family. */
  public static Optional<ParsedHook> parse(
      Pod pod, HookPhase phase, AnnotationFamily family, HookPolicy policy) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null
        || annotations.keySet().stream().noneMatch(k -> k.startsWith(family.prefix() + "/"))) {
      return Optional.empty();
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    List<String> problems = new ArrayList<>();
    annotations.keySet().stream()
        .filter(k -> k.startsWith(family.prefix() + "/"))
        .map(k -> k.substring(family.prefix().length() + 1))
        .filter(k -> !family.keys().contains(k))
        .sorted()
        .forEach(k -> problems.add(family.key(printable(k)) + ": unknown annotation (known: "
            + String.join(", ", family.keys()) + ")"));

    // an oversize value is refused before anything reads it (no JSON parse of a megabyte)
    Map<String, String> values = new HashMap<>();
    Set<String> oversize = new HashSet<>();
    for (String key : family.keys()) {
      String value = annotations.get(family.key(key));
      if (value == null) {
        continue;
      }
      int max = key.equals("command") ? HookLimits.MAX_COMMAND_BYTES : HookLimits.MAX_VALUE_BYTES;
      if (HookLimits.longerThan(value, max)) {
        // a huge value is not walked: its length in characters already says it is too long
        String size = value.length() > max ? value.length() + " characters" : utf8Length(value) + " bytes";
        problems.add(family.key(key) + ": " + size + ", more than the " + max
            + " bytes it may have" + (key.equals("command")
                ? "; put a longer script into the image and name it in the command" : ""));
        oversize.add(key);
      } else {
        values.put(key, value);
      }
    }

    OnError onError = oversize.contains("on-error") ? OnError.Fail : defaultOnError(family, policy);
    String onErrorText = values.get("on-error");
    if (onErrorText != null) {
      if (onErrorText.equals("Fail") || onErrorText.equals("Continue")) {
        onError = OnError.valueOf(onErrorText);
      } else {
        onError = OnError.Fail;
        problems.add(family.key("on-error") + ": \"" + printable(onErrorText) + "\" is not Fail or Continue");
      }
    }

    List<String> command = List.of();
    String commandText = values.get("command");
    if (oversize.contains("command")) {
      // already said: too long to read
    } else if (commandText == null || commandText.isBlank()) {
      problems.add(family.key("command") + " is missing or empty");
    } else {
      try {
        command = parseCommand(commandText, family.strictCommand());
      } catch (IllegalArgumentException e) {
        problems.add(family.key("command") + ": " + e.getMessage());
      }
    }

    List<Container> containers =
        pod.getSpec() == null || pod.getSpec().getContainers() == null
            ? List.of()
            : pod.getSpec().getContainers();
    String named = values.get("container");
    String container = named;
    if (oversize.contains("container")) {
      container = null;
    } else if (named != null && named.isBlank()) {
      container = null;
      problems.add(family.key("container") + " is empty; remove it to use the pod's first container");
    } else if (named == null) {
      container = containers.isEmpty() ? null : containers.get(0).getName();
      if (container == null) {
        problems.add("the pod has no container");
      }
    } else if (containers.stream().noneMatch(c -> c.getName().equals(named))) {
      problems.add(family.key("container") + ": unknown container \"" + printable(named) + "\" (the pod has: "
          + containers.stream().map(Container::getName).collect(Collectors.joining(", ")) + ")");
    }

    String timeout = format(defaultTimeout(family, policy));
    String timeoutText = values.get(family.timeoutKey());
    if (timeoutText != null && !timeoutText.equals(timeoutText.strip())) {
      problems.add(family.key(family.timeoutKey()) + ": \"" + printable(timeoutText)
          + "\" has spaces around it; write just the duration, e.g. 5m");
    } else if (timeoutText != null) {
      Duration parsed = null;
      try {
        parsed = Durations.parse(timeoutText);
      } catch (RuntimeException e) { // also an hour count that overflows a Duration
        problems.add(family.key(family.timeoutKey()) + ": invalid duration \"" + printable(timeoutText)
            + "\" (expected e.g. 30s, 5m, 1h30m)");
      }
      if (parsed != null && parsed.compareTo(HookLimits.MAX_TIMEOUT) > 0) {
        problems.add(family.key(family.timeoutKey()) + ": \"" + printable(timeoutText)
            + "\" is longer than " + format(HookLimits.MAX_TIMEOUT) + ", the longest a hook may run");
      } else if (parsed != null) {
        timeout = timeoutText;
      }
    }

    int order = 0;
    String orderText = values.get("order");
    if (orderText != null) {
      if (orderText.matches("0|[1-9][0-9]{0,3}") && Integer.parseInt(orderText) <= HookLimits.MAX_ORDER) {
        order = Integer.parseInt(orderText);
      } else {
        problems.add(family.key("order") + ": \"" + printable(orderText) + "\" is not a whole number from 0 to "
            + HookLimits.MAX_ORDER);
      }
    }

    if (!problems.isEmpty()) {
      return Optional.of(new HookProblem(phase, ns, name, family.prefix(), container, command,
          onError, timeout, "malformed hook annotations: " + String.join("; ", problems)));
    }
    return Optional.of(new HookDefinition(
        phase, ns, name, container, command, family.prefix(), onError, timeout, order));
  }

  /**
   * A JSON array of strings (ours and Velero's); Velero also takes any other value as the one
   * element of the argv, so a pod annotated for Velero means the same here.
   */
  static List<String> parseCommand(String text, boolean strict) {
    String trimmed = text.trim();
    if (!trimmed.startsWith("[")) {
      if (strict) {
        throw new IllegalArgumentException(
            "must be a JSON array of strings, e.g. [\"pg_dump\", \"-f\", \"/backup/db.sql\"]; got " + quote(text));
      }
      if (text.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("contains a NUL character, which no program can receive");
      }
      return List.of(text);
    }
    JsonNode node;
    try {
      node = JSON.readTree(trimmed);
    } catch (Exception e) {
      throw new IllegalArgumentException("invalid JSON " + quote(text) + ": "
          + printable(e.getMessage().lines().findFirst().orElse(""))
          + " (exactly one JSON array, nothing before or after it)");
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new IllegalArgumentException("must be a non-empty JSON array of strings; got " + quote(text));
    }
    if (node.size() > MAX_ARGS) {
      throw new IllegalArgumentException("more than " + MAX_ARGS + " arguments");
    }
    List<String> argv = new ArrayList<>();
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        throw new IllegalArgumentException("every element must be a string; got " + printable(element.toString()));
      }
      if (element.asText().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argument " + argv.size() + " contains a NUL character,"
            + " which no program can receive");
      }
      argv.add(element.asText());
    }
    if (argv.get(0).isBlank()) {
      throw new IllegalArgumentException("the program (first element) is empty");
    }
    return argv;
  }

  static OnError defaultOnError(AnnotationFamily family, HookPolicy policy) {
    if (family.defaultOnError() != null) {
      return family.defaultOnError();
    }
    return policy != null && policy.onError != null ? policy.onError : OnError.Fail;
  }

  static Duration defaultTimeout(AnnotationFamily family, HookPolicy policy) {
    if (family.defaultTimeout() != null) {
      return family.defaultTimeout();
    }
    if (policy != null && policy.defaultTimeout != null) {
      return Durations.parse(policy.defaultTimeout);
    }
    return DEFAULT_TIMEOUT;
  }

  static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }

  /** Annotation text in a message: printable ASCII, '?' for anything else, at most 120 characters. */
  private static String quote(String text) {
    return "'" + printable(text) + "'";
  }

  private static String printable(String text) {
    return Markers.printable(text, 120);
  }
}
