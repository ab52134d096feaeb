#!/usr/bin/env bash
# Installs the Debian packages that the tests, the demo and the benchmarks use, when missing.
# Sourced by hack/test, hack/demo and hack/bench.

# command -> Debian package
declare -A MSU_DEPS=(
  [etcd]=etcd-server
  [etcdctl]=etcd-client
  [lua5.4]=lua5.4
  [promtool]=prometheus
  [ostree]=ostree
  [bats]=bats
  [shellcheck]=shellcheck
  [rpmbuild]=rpm
  [jq]=jq
  [chattr]=e2fsprogs
  [systemd-tmpfiles]=systemd
  [secilc]=secilc
  [unzip]=unzip
)

# The control-plane tests build kube-apiserver, kube-controller-manager, kube-scheduler, etcd and
# kwok from Go modules (hack/controlplane-build): they need the machine's Go toolchain (1.24 or
# newer; Debian's golang is older), which this project's machines have in /usr/local/go.
msu_ensure_go() {
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    PATH=/usr/local/go/bin:$PATH
    export PATH
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "no go command: the control-plane tests need the Go toolchain (1.24 or newer) on PATH" >&2
    return 1
  fi
}

msu_ensure_deps() {
  local missing=() cmd
  for cmd in "${!MSU_DEPS[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${MSU_DEPS[$cmd]}")
  done
  if ! command -v kubectl >/dev/null 2>&1; then
    missing+=(kubernetes-client)
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    missing+=(maven)
  fi
  if ! command -v java >/dev/null 2>&1; then
    missing+=(openjdk-17-jdk-headless)
  fi
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
