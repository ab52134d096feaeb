# shellcheck shell=bash
# Loaded by the end-to-end bats tests: a test root with a real ostree sysroot, the stubs of
# ../stubs on PATH (rpm-ostree, bootc, systemctl, busctl), real cp and sync, and the agent run through the
# launcher and the real jar. MicroShift's own backup/restore verbs are absent here, so the agent
# falls back to cp.

# the root, the sysroot with FROM_COMMIT booted and TARGET_COMMIT in the repo, MicroShift's data
# dir (kept aside in ${TMP}/original) and a backup set with its etcd snapshot; sets
# snapshot_sha, state and the agent wrapper that greenboot's scripts call
device_setup() {
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

# request.json: docs/marker.md's example with this device's snapshot, changed by the jq filter $1
# (the agent checks the snapshot's size and sha256 against the request's)
write_request() {
    awk '/^```json/{n++; f=(n==1); next} /^```/{f=0} f{print}' "${REPO}/docs/marker.md" \
        | jq --arg c "${TARGET_COMMIT}" --arg s "${snapshot_sha}" \
            ".backup.etcdSnapshotSha256 = \$s | del(.verification) | $1" \
        > "${state}/request.json"
}

device_teardown() {
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
    rm -f "${FAKE_STATE}/reboot-requested" "${FAKE_STATE}/microshift-active" "${FAKE_STATE}/staged-deployment-locked" \
        "${FAKE_STATE}/rpm-ostree-staged"
    new_boot
    echo "$1" > "${FAKE_BOOTED}"
}

# the operator verifies this boot: request.json's verification, as the operator writes it
verify_boot() {
    jq --arg b "$(cat "${R}/proc/sys/kernel/random/boot_id")" \
        '.verification = {sequence: .sequence, bootId: $b, result: "Passed", time: "2026-01-31T12:09:41Z"}' \
        "${state}/request.json" > "${state}/.request.new"
    mv "${state}/.request.new" "${state}/request.json"
}
