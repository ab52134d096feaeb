#!/bin/bash
# greenboot required.d: after an update, wait (bounded by the request's
# healthCheckTimeoutSeconds) for MicroShift and the operator's verification of this
# boot. Exit 0 when healthy or when no update is in flight; 1 with the reason otherwise
# (a missing or broken agent fails it only while an update is in flight).
# Runs after MicroShift's own 40_microshift_running_check.sh.
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
    echo "FAIL: ${agent} is missing or not executable; cannot check the MicroShift update" >&2
    exit 1
fi

"${agent}" greenboot-check
rc=$?
if [[ ${rc} -ne 0 ]]; then
    echo "FAIL: MicroShift update health check failed (exit ${rc}); see the lines above and: microshift-update status" >&2
    exit 1
fi
exit 0
