#!/usr/bin/env bats
# End to end on an ostree host through the launcher and the real jar, on a test root (lib/device.bash).

load lib/device

setup() {
    device_setup
    write_request '.target.ostreeRef = "rhel/9/x86_64/edge" | .target.ostreeCommit = $c'
}

teardown() {
    device_teardown
}

apply_and_reboot_into_target() {
    run agent apply
    [ "$status" -eq 0 ]
    [ -e "${FAKE_STATE}/reboot-requested" ]
    [ "$(state_of)" = Rebooting ]
    [ -f "${R}/var/lib/microshift-update/in-flight" ]
    diff -r "${TMP}/original" "${R}/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/data"
    reboot_into "$(rpm-ostree status --json | jq -r '.deployments[0].checksum')"
    [ "$(cat "${FAKE_BOOTED}")" = "${TARGET_COMMIT}" ]
    run agent boot
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Booted ]
    touch "${FAKE_STATE}/microshift-active"
}

@test "ostree update: apply, reboot, boot, greenboot checks pass, committed" {
    apply_and_reboot_into_target
    grep -qx "rpm-ostree rebase rhel/9/x86_64/edge ${TARGET_COMMIT} --lock-finalization" "${FAKE_LOG}"
    grep -qx "rpm-ostree finalize-deployment --allow-unlocked ${TARGET_COMMIT}" "${FAKE_LOG}"
    grep -qx "systemctl stop microshift.service" "${FAKE_LOG}"
    # finalize-deployment reboots (rpmostreed_daemon_reboot): the agent asks for no second reboot
    run grep -qx "systemctl reboot" "${FAKE_LOG}"
    [ "$status" -ne 0 ]

    verify_boot

    run "${REPO}/src/host/greenboot/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    [[ "$output" == *"OK: MicroShift is active and the operator verified boot"* ]]
    run "${REPO}/src/host/greenboot/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Committed ]
    [ ! -e "${state}/in-flight" ]
    # until the next boot: grub may still fall back before greenboot recorded the boot as good
    [ -e "${state}/commit-unconfirmed" ]
    # nothing in flight: the next boot's greenboot passes even with the agent broken
    MICROSHIFT_UPDATE_BIN="${TMP}/missing" run "${REPO}/src/host/greenboot/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    run agent status
    [[ "$output" == *"host status:  Committed: update to 4.17.3 committed"* ]]
    # history.json: one record of the update, printed by status --history
    run agent status --history 3
    [ "$status" -eq 0 ]
    [[ "$output" == *"history:      the last 1 of 1 updates"* ]]
    [[ "$output" =~ Committed\ +update-to-4-17-3\ +4\.17\.1\ -\>\ 4\.17\.3 ]]
    run agent status --history 21
    [ "$status" -eq 2 ]
    # the next boot of the target confirms the commit
    reboot_into "${TARGET_COMMIT}"
    run agent boot
    [ "$status" -eq 0 ]
    [ ! -e "${state}/commit-unconfirmed" ]
    [ "$(state_of)" = Committed ]
}

@test "ostree rollback: the data dir comes back byte for byte" {
    apply_and_reboot_into_target
    echo "migrated by 4.17.3" >> "${R}/var/lib/microshift/etcd/member/snap/db"

    run "${REPO}/src/host/greenboot/red.d/50_microshift_update_red.sh"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Unhealthy ]

    reboot_into "${FROM_COMMIT}"   # greenboot's fallback
    run agent boot
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Restored ]
    [ ! -e "${R}/var/lib/microshift-update/in-flight" ]
    run agent status --history 1
    [[ "$output" == *"RolledBack"* ]]
    diff -r "${TMP}/original" "${R}/var/lib/microshift"
    aside="$(jq -r .failedDataPath "${R}/var/lib/microshift-update/host-status.json")"
    grep -q "migrated by 4.17.3" "${R}${aside}/etcd/member/snap/db"
}

@test "a hostile request.json is refused, nothing runs, the refusal is reported" {
    state="${R}/var/lib/microshift-update"
    jq '.target.ostreeRef = "--sysroot=/tmp/evil"' "${state}/request.json" > "${state}/.r" && mv "${state}/.r" "${state}/request.json"
    run agent apply
    [ "$status" -eq 1 ]
    [[ "$output" == *"target.ostreeRef: '--sysroot=/tmp/evil' does not match"* ]]
    [ ! -e "${FAKE_LOG}" ]
    # reported to the operator against the request's uid and sequence
    [ "$(state_of)" = Failed ]
    [[ "$(jq -r .message "${state}/host-status.json")" == "request.json refused: target.ostreeRef: '--sysroot=/tmp/evil'"* ]]
}

@test "a block-mode shutdown lock refuses the update before MicroShift stops, and nothing stays staged" {
    # systemd-inhibit --what=shutdown:sleep --mode=block, as a firmware update takes it
    echo '[["shutdown:sleep","fwupd","Updating the firmware","block",0,77],["shutdown","kubelet","Kubelet needs time","delay",0,78]]' \
        > "${FAKE_STATE}/inhibitors"
    run agent apply
    [ "$status" -eq 1 ]
    [ "$(state_of)" = Failed ]
    message="$(jq -r .message "${R}/var/lib/microshift-update/host-status.json")"
    [[ "${message}" == *"held by fwupd (pid 77, uid 0): Updating the firmware"* ]]
    [[ "${message}" != *kubelet* ]]
    [ -e "${FAKE_STATE}/microshift-active" ]
    [ ! -e "${FAKE_STATE}/reboot-requested" ]
    run grep -qx "systemctl stop microshift.service" "${FAKE_LOG}"
    [ "$status" -ne 0 ]
    grep -qx "rpm-ostree cleanup --pending" "${FAKE_LOG}"
    [ "$(rpm-ostree status --json | jq '[.deployments[] | select(.staged)] | length')" -eq 0 ]
}
