#!/bin/bash
# greenboot green.d: record Healthy then Committed in host-status.json and prune
# backup sets beyond the request's retention. Never fails the boot.
set -uo pipefail

agent="${MICROSHIFT_UPDATE_BIN:-/usr/bin/microshift-update}"

if [[ ! -x "${agent}" ]]; then
    echo "microshift-update green.d: ${agent} is missing; update not committed" >&2
    exit 0
fi
if ! "${agent}" greenboot-green; then
    echo "microshift-update green.d: recording the healthy boot failed; see the journal" >&2
fi
exit 0
