#!/usr/bin/env bats
# The greenboot scripts: pass the agent's verdict through (required.d) and never fail
# the boot (red.d, green.d). The agent is a stub that records its arguments.

setup() {
    REPO="$(cd "${BATS_TEST_DIRNAME}/../../.." && pwd)"
    GB="${REPO}/src/host/greenboot"
    TMP="$(mktemp -d)"
    export STUB_LOG="${TMP}/calls"
    export MICROSHIFT_UPDATE_BIN="${TMP}/agent"
    cat > "${MICROSHIFT_UPDATE_BIN}" <<'STUB'
#!/bin/bash
echo "$*" >> "${STUB_LOG}"
echo "${STUB_OUT:-}"
exit "${STUB_RC:-0}"
STUB
    chmod +x "${MICROSHIFT_UPDATE_BIN}"
}

teardown() {
    rm -rf "${TMP}"
}

@test "required.d passes when the agent's check passes" {
    STUB_OUT="OK: MicroShift is active and the operator verified boot x" run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    [ "$(cat "${STUB_LOG}")" = "greenboot-check" ]
    [[ "$output" == *"OK: MicroShift is active"* ]]
}

@test "required.d fails with the agent's reason" {
    STUB_RC=1 STUB_OUT="FAIL: timed out after 600s waiting for microshift.service to be active" \
        run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"timed out after 600s waiting for microshift.service"* ]]
    [[ "$output" == *"MicroShift update health check failed (exit 1)"* ]]
}

@test "required.d fails clearly when the agent is missing" {
    MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"${TMP}/missing is missing or not executable"* ]]
}

@test "red.d records the attempt and never fails" {
    run "${GB}/red.d/50_microshift_update_red.sh"
    [ "$status" -eq 0 ]
    [ "$(cat "${STUB_LOG}")" = "greenboot-red" ]
    STUB_RC=1 run "${GB}/red.d/50_microshift_update_red.sh"
    [ "$status" -eq 0 ]
    [[ "$output" == *"recording the failed attempt failed"* ]]
}

@test "green.d commits and never fails" {
    run "${GB}/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
    [ "$(cat "${STUB_LOG}")" = "greenboot-green" ]
    STUB_RC=1 run "${GB}/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
    [[ "$output" == *"recording the healthy boot failed"* ]]
    MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${GB}/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
}
