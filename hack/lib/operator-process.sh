#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, cp_java and extra are the caller's (see below)
# Runs the operator as its container runs it, against the fabric8 mock API server served by a
# helper JVM (src/test/java/io/microshift/update/bench/FootprintApiServer.java) on loopback with TLS:
# JAVA_TOOL_OPTIONS, MALLOC_ARENA_MAX and the memory limit from manifests/deployment.yaml, and the
# image's class-data archive built as operator/Containerfile builds it. Sourced by
# hack/bench.d/operator-footprint and handoff-200, after hack/lib/bench-java.sh.
# The caller sets: work (a temp dir), cp_java (bench_java_classpath), extra (an array of JVM
# flags, may be empty), and defines fail MESSAGE. Sets: api_pid, api_url, op_pid, jvm_options,
# memory_limit, malloc_arenas, memory_request_mib.

# shellcheck source=hack/lib/free-port.sh
. hack/lib/free-port.sh

api_pid=""
op_pid=""
stop_pid() { # pid: SIGTERM, then SIGKILL after 20 s
  local pid=$1
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# reads the manifest's JVM settings and builds the class-data archive it names
operator_jvm_setup() {
  # the flags and the memory limit come from the manifest, so the two cannot drift
  mapfile -t manifest < <(java -cp "$cp_java" io.microshift.update.bench.FootprintApiServer \
    jvm-options manifests/deployment.yaml)
  jvm_options=${manifest[0]:-}
  memory_limit=${manifest[1]:-}
  malloc_arenas=${manifest[2]:-}
  # the memory request, in MiB (the Deployment writes it as <n>Mi)
  memory_request_mib=$(awk '/requests:/ { r = 1 } r && /memory:/ { sub(/Mi$/, "", $2); print $2; exit }' manifests/deployment.yaml)
  [[ $memory_request_mib =~ ^[0-9]+$ ]] || fail "cannot read the memory request (<n>Mi) from manifests/deployment.yaml"
  [[ -n $jvm_options && -n $memory_limit ]] || fail "cannot read JAVA_TOOL_OPTIONS and the memory limit from manifests/deployment.yaml"
  echo "$(basename "$0"): JAVA_TOOL_OPTIONS=$jvm_options; MALLOC_ARENA_MAX=${malloc_arenas:-(unset)}; -XX:MaxRAM=$memory_limit" >&2

  # The image's class-data archive (-XX:SharedArchiveFile=<path in the image>): built here the way
  # operator/Containerfile builds it (src/host/lib/build-class-archive from
  # operator/microshift-update-operator.classlist) for this jar and this JVM, and mapped from the
  # work dir instead of the image's path. BENCH_FOOTPRINT_CDS=off measures a missing archive (the
  # JVM then starts without one, -Xshare:auto); hack/update-operator-classlist runs it so.
  if [[ $jvm_options =~ -XX:SharedArchiveFile=([^[:space:]]+) ]]; then
    image_archive=${BASH_REMATCH[1]}
    archive="$work/operator.jsa"
    if [[ ${BENCH_FOOTPRINT_CDS:-on} != off ]]; then
      MICROSHIFT_UPDATE_CLASSLIST=operator/microshift-update-operator.classlist \
        src/host/lib/build-class-archive target/microshift-update.jar "$archive" >&2 \
        || fail "cannot build the operator's class-data archive"
    fi
    jvm_options=${jvm_options//"-XX:SharedArchiveFile=$image_archive"/"-XX:SharedArchiveFile=$archive"}
    echo "$(basename "$0"): the image's archive $image_archive is $archive here ($([[ -s $archive ]] && echo built || echo missing))" >&2
  fi
}

# starts the API helper with WORKLOADS hooked pods and Deployments, for at most LIFETIME seconds
operator_api_start() {
  # the helper's lifetime bounds it even if this script is killed with SIGKILL
  java -Xmx384m -cp "$cp_java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    io.microshift.update.bench.FootprintApiServer serve "$PWD" "$work" "$1" "$2" \
    >"$work/api.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 1200); do
    [[ -f $work/ready ]] && break
    kill -0 "$api_pid" 2>/dev/null || fail "the API helper exited"
    sleep 0.1
  done
  [[ -f $work/ready ]] || fail "the API helper was not ready within 120 s"
  api_url=$(cat "$work/api-url")
}


# starts the operator in the background (op_pid) with a fresh state dir, exactly as the container
start_operator() {
  local port=$1 state=$2
  mkdir -p "$state"
  local arenas=()
  [[ -z $malloc_arenas ]] || arenas=(MALLOC_ARENA_MAX="$malloc_arenas")
  env -u KUBERNETES_SERVICE_HOST -u KUBERNETES_SERVICE_PORT -u KUBECONFIG "${arenas[@]}" \
    KUBERNETES_MASTER="$api_url" KUBERNETES_AUTH_TOKEN=bench KUBERNETES_NAMESPACE=microshift-update \
    KUBERNETES_AUTH_TRYKUBECONFIG=false KUBERNETES_AUTH_TRYSERVICEACCOUNT=false \
    KUBERNETES_TRUST_CERTIFICATES=true \
    JAVA_TOOL_OPTIONS="$jvm_options" LEADER_ELECTION=false \
    HTTP_PORT="$port" STATE_DIR="$state" \
    OPERATOR_NAMESPACE=microshift-update \
    java "-XX:MaxRAM=$memory_limit" "${extra[@]}" -cp target/microshift-update.jar io.microshift.update.cli.Main operator \
    >>"$work/operator.log" 2>&1 &
  op_pid=$!
}

# waits (bounded, 60 s) for /readyz; prints the nanoseconds since $2
await_ready() {
  local port=$1 t0=$2 now
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz"; then
      now=$(date +%s%N)
      # fields 14 and 15 of /proc/<pid>/stat (after the command name in parentheses)
      cpu_ticks=$(sed 's/^.*) //' "/proc/$op_pid/stat" | awk '{ print $12 + $13 }')
      echo "$((now - t0)) $cpu_ticks"
      return 0
    fi
    kill -0 "$op_pid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

