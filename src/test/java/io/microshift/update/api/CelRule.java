package io.microshift.update.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code x-kubernetes-validations} rule of the CRD, compiled and run by Google's CEL for Java
 * as the API server runs it with cel-go (apiextensions-apiserver pkg/apiserver/schema/cel:
 * compilation.go compiles each rule with {@code self} typed from the schema node,
 * validation.go {@code validateExpressions} evaluates it on the node's value; false or an
 * evaluation error refuses the object). Our rules use only the CEL standard library
 * ({@code duration}, {@code has}, {@code size}, {@code contains}, comparisons), which both
 * implementations have; the Kubernetes extension libraries (k8s.io/apiserver pkg/cel/environment
 * base.go: lists, strings, quantity, url, ip, ...) are not declared here, so a rule that uses one
 * fails {@link #compile} instead of being judged wrongly, and belongs to CrdServerConformanceTest
 * on the real API server.
 *
 * <p>One difference that our rules cannot reach: cel-go's {@code duration()} is Go's
 * time.ParseDuration (also "0" without a unit and "µs"), cel-java's is threeten-extra's
 * unit-based parser; the CRD's pattern {@code ^([0-9]{1,6}(ms|s|m|h))+$} admits only strings both
 * read alike.
 */
final class CelRule {
  /** The standard functions and macros (has, all, exists, map, filter), as cel-go's cel.StdLib(). */
  private static final Cel CEL_BASE = CelFactory.standardCelBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS).build();

  private final String rule;
  private final CelRuntime.Program program;

  private CelRule(String rule, CelRuntime.Program program) {
    this.rule = rule;
    this.program = program;
  }

  /** Compiles {@code rule} with {@code self} of the type that {@code schema} (the rule's node) declares. */
  static CelRule compile(String rule, JsonNode schema) {
    Cel cel = CEL_BASE.toCelBuilder().addVar("self", celType(schema)).build();
    try {
      CelAbstractSyntaxTree ast = cel.compile(rule).getAst();
      return new CelRule(rule, cel.createProgram(ast));
    } catch (CelValidationException e) {
      throw new IllegalStateException("the CRD's rule " + rule + " does not compile in CEL's standard"
          + " environment (a Kubernetes extension library? then test it in CrdServerConformanceTest): "
          + e.getMessage(), e);
    } catch (CelEvaluationException e) {
      throw new IllegalStateException("no program for the CRD's rule " + rule + ": " + e.getMessage(), e);
    }
  }

  /** True when the rule holds for {@code self}; false when it does not or cannot be evaluated. */
  boolean holds(JsonNode self) {
    try {
      return Boolean.TRUE.equals(program.eval(Map.of("self", celValue(self))));
    } catch (CelEvaluationException e) {
      return false;
    }
  }

  String rule() {
    return rule;
  }

  /**
   * The CEL type of a schema node, as apiextensions-apiserver's model/schemas.go SchemaDeclType
   * maps it: objects with properties to a type whose fields {@code has()} can test (here a map
   * from string to dyn), arrays to lists of their items' type.
   */
  static CelType celType(JsonNode schema) {
    return switch (schema.path("type").asText("")) {
      case "string" -> SimpleType.STRING;
      case "integer" -> SimpleType.INT;
      case "number" -> SimpleType.DOUBLE;
      case "boolean" -> SimpleType.BOOL;
      case "array" -> ListType.create(celType(schema.path("items")));
      case "object" -> MapType.create(SimpleType.STRING, SimpleType.DYN);
      default -> SimpleType.DYN;
    };
  }

  /** A JSON value as CEL's Java runtime takes it: int as Long, double, string, bool, list, map. */
  static Object celValue(JsonNode node) {
    if (node == null || node.isNull()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(celValue(item)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(f -> map.put(f.getKey(), celValue(f.getValue())));
    return map;
  }
}
