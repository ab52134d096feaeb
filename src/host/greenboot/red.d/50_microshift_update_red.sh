#!/bin/bash
# greenboot red.d: record the failed attempt (Unhealthy; Failed on rpm hosts) in
# host-status.json. Never fails: greenboot must go on to its fallback.
set -uo pipefail

agent="${MICROSHIFT_UPDATE_BIN:-/usr/bin/microshift-update}"

if [[ ! -x "${agent}" ]]; then
    echo "microshift-update red.d: ${agent} is missing; attempt not recorded" >&2
    exit 0
fi
if ! "${agent}" greenboot-red; then
    echo "microshift-update red.d: recording the failed attempt failed; see the journal" >&2
fi
exit 0
