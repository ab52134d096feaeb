#!/bin/bash
# greenboot required.d: after an update, wait (bounded by the request's
# healthCheckTimeoutSeconds) for MicroShift and the operator's verification of this
# boot. Exit 0 when healthy or when no update is in flight; 1 with the reason otherwise.
# Runs after MicroShift's own 40_microshift_running_check.sh.
set -uo pipefail

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
