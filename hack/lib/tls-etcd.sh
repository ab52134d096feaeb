#!/usr/bin/env bash
# An etcd on loopback with TLS laid out as MicroShift lays it out, for benchmarks and
# hack/update-classlist (sourced). From openshift/microshift: pkg/cmd/init.go (the etcd-signer CA,
# its etcd-serving peer certificate for localhost and 127.0.0.1, the apiserver-etcd-client client
# certificate for user etcd, group etcd), pkg/util/cryptomaterial (the paths, file names) and
# library-go's crypto.go (RSA 2048 keys; PKCS#1, "RSA PRIVATE KEY"); etcd/cmd/microshift-etcd/run.go
# (client certificates required, trusted CA etcd-signer/ca.crt, the API server's TLS 1.2 cipher
# suites: pkg/config/apiserver.go's default, the Intermediate profile).
#   tls_etcd_certs CERTS-DIR           writes CERTS-DIR/etcd-signer/... (MICROSHIFT_CERTS_DIR)
#   tls_etcd_start CERTS-DIR DATA LOG  starts etcd (sets tls_etcd_endpoint and tls_etcd_pid)
#   tls_etcdctl CERTS-DIR ARGS...      etcdctl with the apiserver-etcd-client certificate
#   tls_etcd_stop                      stops it
# shellcheck source=hack/lib/free-port.sh
. hack/lib/free-port.sh

TLS_ETCD_BIN=${ETCD_BIN:-/usr/bin/etcd}
TLS_ETCDCTL_BIN=${ETCDCTL_BIN:-/usr/bin/etcdctl}
TLS_ETCD_CIPHERS=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
tls_etcd_endpoint=""
tls_etcd_pid=""

_tls_ossl() {
  openssl "$@" >/dev/null 2>&1 || { echo "tls-etcd: openssl $1 failed" >&2; return 1; }
}

# _tls_issue SIGNER DIR BASE SUBJECT EXTENSIONS
_tls_issue() {
  local signer=$1 dir=$2 base=$3 subject=$4 ext=$5
  printf '%b' "$ext" >"$dir/ext"
  _tls_ossl genrsa -traditional -out "$dir/$base.key" 2048 &&
    _tls_ossl req -new -key "$dir/$base.key" -subj "$subject" -out "$dir/$base.csr" &&
    _tls_ossl x509 -req -in "$dir/$base.csr" -CA "$signer/ca.crt" -CAkey "$signer/ca.key" \
      -CAcreateserial -days 2 -extfile "$dir/ext" -out "$dir/$base.crt"
}

tls_etcd_certs() {
  local signer=$1/etcd-signer
  mkdir -p "$signer/etcd-serving" "$signer/apiserver-etcd-client"
  _tls_ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=etcd-signer \
    -keyout "$signer/ca.key" -out "$signer/ca.crt" &&
    _tls_issue "$signer" "$signer/etcd-serving" peer /CN=system:etcd-server:etcd-client/O=system:etcd-servers \
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' &&
    _tls_issue "$signer" "$signer/apiserver-etcd-client" client /CN=etcd/O=etcd 'extendedKeyUsage=clientAuth\n'
}


tls_etcdctl() {
  local signer=$1/etcd-signer
  shift
  env -i ETCDCTL_API=3 "$TLS_ETCDCTL_BIN" --endpoints "$tls_etcd_endpoint" --cacert "$signer/ca.crt" \
    --cert "$signer/apiserver-etcd-client/client.crt" --key "$signer/apiserver-etcd-client/client.key" "$@"
}

tls_etcd_start() {
  local attempt
  for attempt in 1 2 3; do
    _tls_etcd_start_once "$@" && return 0
    # a port taken between the probe and etcd's bind: try two others
    grep -q 'address already in use' "$3" || return 1
    echo "tls-etcd: port taken, retrying ($attempt)" >&2
  done
  return 1
}

_tls_etcd_start_once() {
  local certs=$1 data=$2 log=$3 signer=$1/etcd-signer client_port peer_port peer
  client_port=$(free_port) && peer_port=$(free_port) || return 1
  while [[ $peer_port == "$client_port" ]]; do peer_port=$(free_port) || return 1; done
  tls_etcd_endpoint="https://localhost:$client_port"
  peer="http://127.0.0.1:$peer_port"
  # etcd reads every ETCD_* variable as a flag: start it with a clean environment
  env -i PATH="$PATH" HOME="${HOME:-/root}" "$TLS_ETCD_BIN" --name bench --data-dir "$data" \
    --listen-client-urls "https://127.0.0.1:$client_port" --advertise-client-urls "$tls_etcd_endpoint" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "bench=$peer" \
    --cert-file "$signer/etcd-serving/peer.crt" --key-file "$signer/etcd-serving/peer.key" \
    --client-cert-auth --trusted-ca-file "$signer/ca.crt" --cipher-suites "$TLS_ETCD_CIPHERS" \
    --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) >"$log" 2>&1 &
  tls_etcd_pid=$!
  for _ in $(seq 1 150); do
    if tls_etcdctl "$certs" endpoint health >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$tls_etcd_pid" 2>/dev/null; then
      wait "$tls_etcd_pid" 2>/dev/null || true
      tls_etcd_pid=""
      echo "tls-etcd: etcd exited:" >&2
      tail -3 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "tls-etcd: etcd did not become healthy within 30 s" >&2
  return 1
}

tls_etcd_stop() {
  if [[ -n $tls_etcd_pid ]]; then
    kill "$tls_etcd_pid" 2>/dev/null || true
    wait "$tls_etcd_pid" 2>/dev/null || true
    tls_etcd_pid=""
  fi
}
