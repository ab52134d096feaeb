#!/usr/bin/env bash
# free_port: prints a loopback port nobody listens on (random in 20000-39999, probed with bash's
# /dev/tcp); fails after 100 tries. Sourced by the benchmarks and hack/lib/tls-etcd.sh.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "$(basename "$0"): no free port found" >&2
  return 1
}
