#!/usr/bin/env bats
# The greenboot scripts: pass the agent's verdict through (required.d) and never fail
# the boot (red.d, green.d). The agent is a stub that records its arguments. With no
# update in flight (no in-flight flag) they decide in shell, start no agent and pass.

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
    export MICROSHIFT_UPDATE_STATE_DIR="${TMP}/state"
    mkdir -p "${MICROSHIFT_UPDATE_STATE_DIR}"
    touch "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"   # an update in flight, unless a test removes it
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

@test "no update in flight: required.d, red.d and green.d pass without starting the agent" {
    rm "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    echo '{"state":"Committed"}' > "${MICROSHIFT_UPDATE_STATE_DIR}/host-status.json"
    for script in required.d/50_microshift_update_check.sh red.d/50_microshift_update_red.sh \
        green.d/50_microshift_update_green.sh; do
        STUB_RC=1 run "${GB}/${script}"
        [ "$status" -eq 0 ]
        MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${GB}/${script}"
        [ "$status" -eq 0 ]
    done
    [ ! -e "${STUB_LOG}" ]
}

@test "no update in flight: a broken Java does not fail the boot" {
    rm "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    printf '#!/bin/bash\necho "Error: could not find libjava.so" >&2\nexit 1\n' > "${MICROSHIFT_UPDATE_BIN}"
    run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    [[ "$output" != *"libjava"* ]]
}

@test "update in flight: a broken agent fails required.d" {
    printf '#!/bin/bash\necho "Error: could not find libjava.so" >&2\nexit 1\n' > "${MICROSHIFT_UPDATE_BIN}"
    run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 1 ]
    [[ "$output" == *"MicroShift update health check failed (exit 1)"* ]]
}

@test "any entry named in-flight keeps the scripts strict: a dangling symlink, a directory" {
    rm "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    ln -s "${TMP}/nowhere" "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 1 ]
    rm "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    mkdir "${MICROSHIFT_UPDATE_STATE_DIR}/in-flight"
    MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${GB}/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 1 ]
}

@test "the boot unit starts only with the in-flight or the commit-unconfirmed flag (any entry), before the health checks" {
    unit="${REPO}/src/host/systemd/microshift-update-boot.service"
    [ "$(grep -c '^Condition' "${unit}")" -eq 4 ]
    for flag in in-flight commit-unconfirmed; do
        grep -qx "ConditionPathExists=|/var/lib/microshift-update/${flag}" "${unit}"
        grep -qx "ConditionPathIsSymbolicLink=|/var/lib/microshift-update/${flag}" "${unit}"
    done
    grep -q '^Before=.*greenboot-healthcheck.service' "${unit}"
    grep -q '^After=.*greenboot-rpm-ostree-grub2-check-fallback.service' "${unit}"
}
