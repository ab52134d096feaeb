#!/usr/bin/env bash
# Helpers for benchmarks that run Java mains from src/test (sourced by hack/bench.d/*).

# Builds the jar and the test classes when missing, and writes target/test-classpath.txt (the
# test-scope dependency class path) when missing or older than pom.xml. Progress to stderr.
bench_java_setup() {
  if [[ ! -f target/microshift-update.jar || ! -d target/test-classes ]]; then
    echo "building the jar and the test classes" >&2
    mvn -q -B -ntp -DskipTests package test-compile >&2 || return 1
  fi
  if [[ ! -s target/test-classpath.txt || pom.xml -nt target/test-classpath.txt ]]; then
    mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/test-classpath.txt >&2 || return 1
  fi
}

# The class path for java -cp: main and test classes, then the test-scope dependencies.
bench_java_classpath() {
  printf '%s' "target/classes:target/test-classes:$(cat target/test-classpath.txt)"
}
