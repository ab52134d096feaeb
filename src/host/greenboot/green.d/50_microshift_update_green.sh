#!/bin/bash
# greenboot green.d: record Healthy then Committed in host-status.json and prune
# backup sets beyond the request's retention. Never fails the boot.
set -uo pipefail

state_dir="${MICROSHIFT_UPDATE_STATE_DIR:-/var/lib/microshift-update}"
# no update in flight: decide here, start no JVM (a broken agent or Java must not fail a boot
# that nothing updated). Any entry named in-flight counts, even a dangling symlink: only its
# existence is tested, so a stale one only makes this strict.
if [[ ! -e "${state_dir}/in-flight" && ! -L "${state_dir}/in-flight" ]]; then
    exit 0
fi

agent="${MICROSHIFT_UPDATE_BIN:-/usr/bin/microshift-update}"

if [[ ! -x "${agent}" ]]; then
    echo "microshift-update green.d: ${agent} is missing; update not committed" >&2
    exit 0
fi
if ! "${agent}" greenboot-green; then
    echo "microshift-update green.d: recording the healthy boot failed; see the journal" >&2
fi
exit 0
