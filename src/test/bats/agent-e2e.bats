#!/usr/bin/env bats
# End to end through the launcher and the real jar, on a test root: a real ostree sysroot,
# stub rpm-ostree and systemctl on PATH (stubs/), real cp and sync. MicroShift's own
# backup/restore verbs are absent here, so the agent falls back to cp.

setup() {
    REPO="$(cd "${BATS_TEST_DIRNAME}/../../.." && pwd)"
    LAUNCHER="${REPO}/src/host/bin/microshift-update"
    export MICROSHIFT_UPDATE_JAR="${REPO}/target/microshift-update.jar"
    [ -r "${MICROSHIFT_UPDATE_JAR}" ] || skip "build the jar first: mvn -B package"
    TMP="$(mktemp -d)"
    R="${TMP}/root"
    export FAKE_SYSROOT="${TMP}/sysroot" FAKE_BOOTED="${R}/run/booted" FAKE_LOG="${TMP}/commands" FAKE_STATE="${TMP}/state"
    export PATH="${BATS_TEST_DIRNAME}/stubs:${PATH}"
    mkdir -p "${FAKE_SYSROOT}" "${FAKE_STATE}" "${R}/run" "${R}/proc/sys/kernel/random"
    touch "${R}/run/ostree-booted" "${FAKE_STATE}/microshift-active"
    new_boot

    ostree admin init-fs "${FAKE_SYSROOT}" >/dev/null
    ostree admin os-init --sysroot="${FAKE_SYSROOT}" rhel >/dev/null
    FROM_COMMIT="$(commit rhel/9/x86_64/edge-4.17.1 4.17.1)"
    TARGET_COMMIT="$(commit rhel/9/x86_64/edge 4.17.3)"
    ostree admin deploy --sysroot="${FAKE_SYSROOT}" --os=rhel "${FROM_COMMIT}" >/dev/null 2>&1
    echo "${FROM_COMMIT}" > "${FAKE_BOOTED}"

    data="${R}/var/lib/microshift"
    mkdir -p "${data}/etcd/member/snap" "${data}/resources/kubeadmin"
    head -c 200000 /dev/urandom > "${data}/etcd/member/snap/db"
    echo "apiVersion: v1" > "${data}/resources/kubeadmin/kubeconfig"
    chmod 600 "${data}/resources/kubeadmin/kubeconfig"
    echo '{"version":"4.17.1","deployment_id":"rhel-x.0","boot_id":"none"}' > "${data}/version"
    cp -a "${data}" "${TMP}/original"

    state="${R}/var/lib/microshift-update"
    set_dir="${state}/backups/update-to-4-17-3-0d7e1c52"
    mkdir -p "${set_dir}"
    truncate -s 57671712 "${set_dir}/etcd.snapshot"
    snapshot_sha="$(sha256sum "${set_dir}/etcd.snapshot" | cut -d' ' -f1)"
    echo '{}' > "${set_dir}/manifest.json"
    # the agent checks the snapshot's size and sha256 against the request's
    awk '/^```json/{n++; f=(n==1); next} /^```/{f=0} f{print}' "${REPO}/docs/marker.md" \
        | jq --arg c "${TARGET_COMMIT}" --arg s "${snapshot_sha}" \
            '.target.ostreeRef = "rhel/9/x86_64/edge" | .target.ostreeCommit = $c | .backup.etcdSnapshotSha256 = $s | del(.verification)' \
        > "${state}/request.json"

    # what greenboot's scripts call
    cat > "${TMP}/agent" <<WRAP
#!/bin/bash
exec "${LAUNCHER}" --root "${R}" --booted-deployment-file "${FAKE_BOOTED}" --marker-owner "$(id -u)" "\$@"
WRAP
    chmod +x "${TMP}/agent"
    export MICROSHIFT_UPDATE_BIN="${TMP}/agent"
    # where the greenboot scripts look for the in-flight flag
    export MICROSHIFT_UPDATE_STATE_DIR="${state}"
}

teardown() {
    [ -d "${FAKE_SYSROOT:-/nonexistent}/ostree/deploy/rhel/deploy" ] &&
        find "${FAKE_SYSROOT}/ostree/deploy/rhel/deploy" -mindepth 1 -maxdepth 1 -type d -exec chattr -i {} + 2>/dev/null
    rm -rf "${TMP}"
}

new_boot() {
    cat /proc/sys/kernel/random/uuid > "${R}/proc/sys/kernel/random/boot_id"
}

commit() {
    local tree="${TMP}/tree-$2"
    mkdir -p "${tree}/usr/lib/modules/5.14.0/" "${tree}/usr/etc" "${tree}/usr/bin"
    echo kernel > "${tree}/usr/lib/modules/5.14.0/vmlinuz"
    echo initramfs > "${tree}/usr/lib/modules/5.14.0/initramfs.img"
    echo "ID=rhel" > "${tree}/usr/etc/os-release"
    echo "microshift $2" > "${tree}/usr/bin/microshift"
    ostree --repo="${FAKE_SYSROOT}/ostree/repo" commit --branch="$1" --tree=dir="${tree}"
}

agent() {
    "${TMP}/agent" "$@"
}

state_of() {
    jq -r .state "${R}/var/lib/microshift-update/host-status.json"
}

# the reboot: the default (first) deployment boots, microshift.service not yet started
reboot_into() {
    rm -f "${FAKE_STATE}/reboot-requested" "${FAKE_STATE}/microshift-active" "${FAKE_STATE}/staged-deployment-locked"
    new_boot
    echo "$1" > "${FAKE_BOOTED}"
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
    grep -qx "rpm-ostree finalize-deployment ${TARGET_COMMIT}" "${FAKE_LOG}"
    grep -qx "systemctl stop microshift.service" "${FAKE_LOG}"
    # finalize-deployment reboots (rpmostreed_daemon_reboot): the agent asks for no second reboot
    run grep -qx "systemctl reboot" "${FAKE_LOG}"
    [ "$status" -ne 0 ]

    # the operator verifies this boot
    state="${R}/var/lib/microshift-update"
    jq --arg b "$(cat "${R}/proc/sys/kernel/random/boot_id")" \
        '.verification = {sequence: .sequence, bootId: $b, result: "Passed", time: "2026-01-31T12:09:41Z"}' \
        "${state}/request.json" > "${state}/.request.new"
    mv "${state}/.request.new" "${state}/request.json"

    run "${REPO}/src/host/greenboot/required.d/50_microshift_update_check.sh"
    [ "$status" -eq 0 ]
    [[ "$output" == *"OK: MicroShift is active and the operator verified boot"* ]]
    run "${REPO}/src/host/greenboot/green.d/50_microshift_update_green.sh"
    [ "$status" -eq 0 ]
    [ "$(state_of)" = Committed ]
    [ ! -e "${state}/in-flight" ]
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
