package io.microshift.update.marker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The marker files' JSON, always through the validators: every reader and writer of request.json,
 * host-status.json and history.json (the agent's verbs and the operator) goes through here. Text
 * to tree with the streaming parser ({@link MarkerTree}), the record's validator on the tree,
 * then the record from the tree ({@link MarkerBinding}); a record to text with the streaming
 * generator ({@link MarkerWriter}), validated as a reader would before it is written. No
 * ObjectMapper on this path: it set up in about a third of the agent's boot verbs' start-up.
 */
public final class MarkerJson {
  private MarkerJson() {}

  /** At most this many problems are listed, so that a hostile file cannot flood the log. */
  static final int MAX_PROBLEMS = 20;

  /** Every problem of {@code json} as {@code kind}; empty when valid. */
  public static List<String> problems(MarkerCodec.Kind kind, byte[] json) {
    Checked checked = check(kind, json);
    return checked.problems;
  }

  /** The tree of {@code json} and every problem of it as {@code kind}; the tree only when there are none. */
  private record Checked(ObjectNode tree, List<String> problems) {}

  private static Checked check(MarkerCodec.Kind kind, byte[] json) {
    if (json.length > Markers.MAX_FILE_BYTES) {
      return refused("file is " + json.length + " bytes, at most " + Markers.MAX_FILE_BYTES + " allowed");
    }
    MarkerText.Decoded text = MarkerText.decode(json);
    if (text.problem() != null) {
      return refused(text.problem());
    }
    JsonNode tree;
    try {
      tree = MarkerTree.read(text.text());
    } catch (IOException e) {
      return refused("not valid JSON: " + JsonChecks.sanitize(firstLine(e.getMessage())));
    }
    if (tree == null || !tree.isObject()) {
      return refused("not a JSON object");
    }
    List<String> problems = bounded(kind.validator.apply((ObjectNode) tree));
    return new Checked(problems.isEmpty() ? (ObjectNode) tree : null, problems);
  }

  private static Checked refused(String problem) {
    return new Checked(null, List.of(problem));
  }

  private static List<String> bounded(List<String> problems) {
    if (problems.size() <= MAX_PROBLEMS) {
      return problems;
    }
    List<String> out = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
    out.add("... and " + (problems.size() - MAX_PROBLEMS) + " more problems");
    return out;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The valid tree of {@code json} as {@code kind}; {@link MarkerProblems} listing every problem. */
  private static ObjectNode valid(MarkerCodec.Kind kind, byte[] json, String subject) {
    Checked checked = check(kind, json);
    if (!checked.problems.isEmpty()) {
      throw new MarkerProblems(subject, checked.problems);
    }
    return checked.tree;
  }

  private static MarkerProblems cannotBind(String subject, RuntimeException e) {
    return new MarkerProblems(subject, List.of("cannot bind: " + JsonChecks.sanitize(firstLine(e.getMessage()))));
  }

  /** Parses and validates request.json; throws {@link MarkerProblems} listing every problem. */
  public static UpdateRequest parseRequest(byte[] json, String subject) {
    return parse(MarkerCodec.Kind.REQUEST, json, subject, MarkerBinding::request);
  }

  /** Parses and validates host-status.json; throws {@link MarkerProblems} listing every problem. */
  public static HostStatus parseHostStatus(byte[] json, String subject) {
    return parse(MarkerCodec.Kind.HOST_STATUS, json, subject, MarkerBinding::hostStatus);
  }

  /** Parses and validates history.json; throws {@link MarkerProblems} listing every problem. */
  public static UpdateHistory parseHistory(byte[] json, String subject) {
    return parse(MarkerCodec.Kind.HISTORY, json, subject, MarkerBinding::history);
  }

  private static <T> T parse(MarkerCodec.Kind kind, byte[] json, String subject,
      java.util.function.Function<ObjectNode, T> binding) {
    ObjectNode tree = valid(kind, json, subject);
    try {
      return binding.apply(tree);
    } catch (MarkerBinding.NullPrimitive e) {
      throw cannotBind(subject, e);
    }
  }

  /**
   * Only {@code plan.uid} and {@code sequence} of a request that fails validation, when those two
   * are valid themselves: lets the host report a refusal against the right request.
   */
  public static Optional<HostStatus.RequestRef> requestRef(byte[] json) {
    try {
      JsonNode tree = MarkerText.text(json).isEmpty() ? null : MarkerTree.read(MarkerText.text(json).get());
      JsonNode uid = tree == null ? null : tree.path("plan").get("uid");
      JsonNode seq = tree == null ? null : tree.get("sequence");
      if (uid != null && uid.isTextual() && Markers.UUID.matcher(uid.asText()).matches()
          && seq != null && seq.isIntegralNumber() && seq.canConvertToLong() && seq.asLong() >= 1) {
        return Optional.of(new HostStatus.RequestRef(uid.asText(), seq.asLong()));
      }
    } catch (IOException e) {
      // not JSON: nothing to refer to
    }
    return Optional.empty();
  }

  /** Serialises and validates; refuses to produce a file a reader would refuse. */
  public static byte[] serialize(MarkerCodec.Kind kind, Object value) {
    byte[] json = MarkerWriter.write(value).getBytes(StandardCharsets.UTF_8);
    List<String> problems = problems(kind, json);
    if (!problems.isEmpty()) {
      throw new MarkerProblems("refusing to write an invalid " + kind.fileName, problems);
    }
    return json;
  }
}
