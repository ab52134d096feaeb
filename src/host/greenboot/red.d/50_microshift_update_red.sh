#!/bin/bash
# greenboot red.d: record the failed attempt (Unhealthy; Failed on rpm hosts) in
# host-status.json. Never fails: greenboot must go on to its reboot, fallback or (greenboot-rs)
# rollback.
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
    echo "microshift-update red.d: ${agent} is missing; attempt not recorded" >&2
    exit 0
fi
if ! "${agent}" greenboot-red; then
    echo "microshift-update red.d: recording the failed attempt failed; see the journal" >&2
fi
exit 0
