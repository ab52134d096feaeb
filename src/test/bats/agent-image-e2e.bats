#!/usr/bin/env bats
# End to end on an image-mode (bootc) host through the launcher and the real jar, on a test root
# (lib/device.bash): the stub bootc (stubs/bootc) pulls images from a test registry whose images
# are ostree commits of the real sysroot.

load lib/device

FROM_DIGEST="sha256:1111111111111111111111111111111111111111111111111111111111111111"
TARGET_DIGEST="sha256:3333333333333333333333333333333333333333333333333333333333333333"
FROM_IMAGE="registry.example.com/edge/microshift-bootc@${FROM_DIGEST}"
TARGET_IMAGE="registry.example.com/edge/microshift-bootc@${TARGET_DIGEST}"

setup() {
    device_setup
    # the booted deployment came from FROM_IMAGE; the registry serves both images
    echo "${FROM_COMMIT} ${FROM_IMAGE} ${FROM_DIGEST}" > "${FAKE_STATE}/bootc-deployed"
    printf '%s %s %s\n' "${FROM_IMAGE}" "${FROM_DIGEST}" "${FROM_COMMIT}" \
        "${TARGET_IMAGE}" "${TARGET_DIGEST}" "${TARGET_COMMIT}" > "${FAKE_STATE}/bootc-registry"
    write_request ".type = \"image\" | del(.target.ostreeRef, .target.ostreeCommit) | .target.image = \"${TARGET_IMAGE}\""
}

teardown() {
    device_teardown
}

apply_and_reboot_into_target() {
    run agent apply
    echo "$output"
    [ "$status" -eq 0 ]
    [ -e "${FAKE_STATE}/reboot-requested" ]
    [ "$(state_of)" = Rebooting ]
    diff -r "${TMP}/original" "${R}/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/data"
    reboot_into "$(bootc status --json | jq -r '.status.staged.ostree.checksum')"
    [ "$(cat "${FAKE_BOOTED}")" = "${TARGET_COMMIT}" ]
    run agent boot
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Booted ]
    touch "${FAKE_STATE}/microshift-active"
}

@test "image update: switch, download-only, apply from downloaded, boot, committed" {
    apply_and_reboot_into_target
    grep -qx "bootc switch ${TARGET_IMAGE}" "${FAKE_LOG}"
    grep -qx "bootc upgrade --download-only" "${FAKE_LOG}"
    grep -qx "bootc upgrade --from-downloaded --apply" "${FAKE_LOG}"
    grep -qx "systemctl stop microshift.service" "${FAKE_LOG}"
    # the staged deployment was locked before MicroShift stopped: an unplanned reboot in between
    # would have booted the old image
    [ "$(grep -n -m1 -x 'bootc upgrade --download-only' "${FAKE_LOG}" | cut -d: -f1)" -lt \
        "$(grep -n -m1 -x 'systemctl stop microshift.service' "${FAKE_LOG}" | cut -d: -f1)" ]
    # bootc reboots itself (--apply): no second reboot
    run grep -qx "systemctl reboot" "${FAKE_LOG}"
    [ "$status" -ne 0 ]
    [ "$(bootc status --json | jq -r '.status.booted.image.imageDigest')" = "${TARGET_DIGEST}" ]

    verify_boot
    run "${REPO}/src/host/greenboot/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    run "${REPO}/src/host/greenboot/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Committed ]
    run agent status --history 1
    [[ "$output" =~ Committed\ +update-to-4-17-3\ +4\.17\.1\ -\>\ 4\.17\.3 ]]
}

@test "image rollback: the previous image boots and the data dir comes back byte for byte" {
    apply_and_reboot_into_target
    echo "migrated by 4.17.3" >> "${R}/var/lib/microshift/etcd/member/snap/db"
    run "${REPO}/src/host/greenboot/red.d/50_microshift_update_red.sh"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Unhealthy ]

    reboot_into "${FROM_COMMIT}"   # greenboot's rollback (bootc rollback, then reboot)
    run agent boot
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Restored ]
    diff -r "${TMP}/original" "${R}/var/lib/microshift"
}

@test "an image the registry does not have: the update fails before MicroShift stops, nothing staged" {
    missing="registry.example.com/edge/microshift-bootc@sha256:$(printf '9%.0s' {1..64})"
    write_request ".type = \"image\" | del(.target.ostreeRef, .target.ostreeCommit) | .target.image = \"${missing}\""
    run agent apply
    echo "$output"
    [ "$status" -ne 0 ]
    [ "$(state_of)" = Failed ]
    [[ "$(jq -r .message "${state}/host-status.json")" == *"manifest unknown"* ]]
    run grep -qx "systemctl stop microshift.service" "${FAKE_LOG}"
    [ "$status" -ne 0 ]
    [ -e "${FAKE_STATE}/microshift-active" ]
    [ "$(bootc status --json | jq -r '.status.staged')" = null ]
}

@test "type image on a host that boots an ostree commit is refused before anything runs" {
    : > "${FAKE_STATE}/bootc-deployed"
    run agent apply
    echo "$output"
    [ "$status" -ne 0 ]
    [ "$(state_of)" = Failed ]
    [[ "$(jq -r .message "${state}/host-status.json")" == *"boots an ostree commit, not a container image"* ]]
    run grep -q "^bootc switch" "${FAKE_LOG}"
    [ "$status" -ne 0 ]
    [ -e "${FAKE_STATE}/microshift-active" ]
}
