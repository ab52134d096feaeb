#!/usr/bin/env bats
# shellcheck disable=SC2016  # sed and grep patterns that match a literal $ are single-quoted on purpose
# The RPM that hack/package builds: its files, modes, dependencies and scriptlets, and the
# operator manifests it carries. Run by hack/test-packaging (after mvn package built the jar);
# kept out of src/test/bats/ itself so that hack/test-host does not run it a second time.

UNITS=(microshift-update-boot.service microshift-update-apply.service microshift-update-apply.path)
MANIFESTS_DIR=usr/lib/microshift/manifests.d/050-microshift-update

setup_file() {
    REPO="$(cd "${BATS_TEST_DIRNAME}/../../../.." && pwd)"
    export REPO
    "${REPO}/hack/package" >"${BATS_FILE_TMPDIR}/package.log" 2>&1 || {
        cat "${BATS_FILE_TMPDIR}/package.log" >&2
        return 1
    }
    shopt -s nullglob
    local rpms=("${REPO}"/target/rpm/*.rpm)
    [ "${#rpms[@]}" -eq 1 ] || { echo "expected one RPM in target/rpm, found ${#rpms[@]}" >&2; return 1; }
    RPM="${rpms[0]}"
    export RPM
    # the payload, as it lands on a device (rpm2archive comes with Debian's rpm, like rpm2cpio)
    ROOT="${BATS_FILE_TMPDIR}/root"
    export ROOT
    mkdir -p "${ROOT}"
    rpm2archive - <"${RPM}" | tar -xzf - -C "${ROOT}"
}

setup() {
    SCRIPTS="$(rpm -qp --scripts "${RPM}")"
}

# the body of one scriptlet (postinstall, preuninstall, postuninstall, ...) from rpm --scripts
scriptlet() {
    awk -v want="$1" '
        /^[a-z]+ scriptlet( \(using [^)]*\))?:$/ { on = ($1 == want); next }
        on { print }' <<<"${SCRIPTS}"
}

@test "hack/package builds one noarch RPM named after the spec, and the image build context" {
    name="$(sed -n 's/^Name:[[:space:]]*//p' "${REPO}/packaging/microshift-update.spec")"
    version="$(sed -n 's/^Version:[[:space:]]*//p' "${REPO}/packaging/microshift-update.spec")"
    [ "$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}' "${RPM}")" = "${name} ${version} noarch" ]
    [ -f "${REPO}/target/image/Containerfile" ]
    cmp "${REPO}/target/image/target/microshift-update.jar" "${REPO}/target/microshift-update.jar"
}

@test "the package version is the pom's and the tag of the operator image the manifests deploy" {
    version="$(rpm -qp --qf '%{VERSION}' "${RPM}")"
    pom="$(sed -n '0,/<version>/s/.*<version>\([^<]*\)<\/version>.*/\1/p' "${REPO}/pom.xml")"
    [ "${pom%-SNAPSHOT}" = "${version}" ]
    run kubectl kustomize "${ROOT}/${MANIFESTS_DIR}"
    [ "$status" -eq 0 ]
    [[ "$output" == *"image: quay.io/microshift-update/operator:${version}"* ]]
}

@test "the file list is exactly the host agent, units, preset, greenboot scripts, state dir, manifests and docs" {
    expected="$(sort <<'EOF'
/etc/greenboot/check/required.d/50_microshift_update_check.sh
/etc/greenboot/green.d/50_microshift_update_green.sh
/etc/greenboot/red.d/50_microshift_update_red.sh
/usr/bin/microshift-update
/usr/lib/microshift
/usr/lib/microshift-update
/usr/lib/microshift-update/build-class-archive
/usr/lib/microshift-update/microshift-update-boot.classlist
/usr/lib/microshift-update/microshift-update-boot.jsa
/usr/lib/microshift-update/microshift-update.classlist
/usr/lib/microshift-update/microshift-update.jar
/usr/lib/microshift-update/microshift-update.jsa
/usr/lib/microshift/manifests.d
/usr/lib/microshift/manifests.d/050-microshift-update
/usr/lib/microshift/manifests.d/050-microshift-update/aggregated-roles.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/deployment.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/kustomization.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/namespace.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/rbac.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/scc.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/service.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/serviceaccount.yaml
/usr/lib/microshift/manifests.d/050-microshift-update/updateplans.updates.microshift.io-v1.yml
/usr/lib/systemd/system-preset/50-microshift-update.preset
/usr/lib/systemd/system/microshift-update-apply.path
/usr/lib/systemd/system/microshift-update-apply.service
/usr/lib/systemd/system/microshift-update-boot.service
/usr/lib/tmpfiles.d/microshift-update.conf
/usr/share/doc/microshift-update
/usr/share/doc/microshift-update/host.md
/usr/share/doc/microshift-update/install.md
/usr/share/licenses/microshift-update
/usr/share/licenses/microshift-update/LICENSE
/usr/share/licenses/microshift-update/NOTICE
/usr/share/selinux/packages/targeted/microshift_update.cil
/var/lib/microshift-update
EOF
)"
    run diff <(echo "${expected}") <(rpm -qlp "${RPM}" | sort)
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "modes and owners: executables 0755, data 0644, state dir 0700 root:root" {
    got="$(rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "${RPM}")"
    expect() {
        grep -qxF -- "$1 root:root $2" <<<"${got}" || { echo "want $1 root:root $2, have: $(grep -F -- " $2" <<<"${got}" | head -1)"; return 1; }
    }
    expect -rwxr-xr-x /usr/bin/microshift-update
    expect -rwxr-xr-x /etc/greenboot/check/required.d/50_microshift_update_check.sh
    expect -rwxr-xr-x /etc/greenboot/red.d/50_microshift_update_red.sh
    expect -rwxr-xr-x /etc/greenboot/green.d/50_microshift_update_green.sh
    expect -rw-r--r-- /usr/lib/microshift-update/microshift-update.jar
    expect -rwxr-xr-x /usr/lib/microshift-update/build-class-archive
    expect -rw-r--r-- /usr/lib/microshift-update/microshift-update.classlist
    expect -rw-r--r-- /usr/lib/microshift-update/microshift-update-boot.classlist
    expect -rw-r--r-- /usr/lib/systemd/system-preset/50-microshift-update.preset
    expect -rw-r--r-- /usr/lib/tmpfiles.d/microshift-update.conf
    for u in "${UNITS[@]}"; do
        expect -rw-r--r-- "/usr/lib/systemd/system/${u}"
    done
    expect drwx------ /var/lib/microshift-update
    # every manifest 0644, and nothing in the package is writable by group or others
    while read -r mode owner path; do
        case "${path}" in
            /usr/lib/microshift/manifests.d/050-microshift-update/*) [ "${mode}" = -rw-r--r-- ] || { echo "${mode} ${path}"; return 1; } ;;
        esac
        [ "${owner}" = root:root ] || { echo "${owner} ${path}"; return 1; }
        [[ "${mode:5:1}" != w && "${mode:8:1}" != w ]] || { echo "writable by group or others: ${mode} ${path}"; return 1; }
    done <<<"${got}"
}

@test "the packaged files are the repository's files" {
    cmp "${REPO}/target/microshift-update.jar" "${ROOT}/usr/lib/microshift-update/microshift-update.jar"
    cmp "${REPO}/src/host/bin/microshift-update" "${ROOT}/usr/bin/microshift-update"
    for u in "${UNITS[@]}"; do
        cmp "${REPO}/src/host/systemd/${u}" "${ROOT}/usr/lib/systemd/system/${u}"
    done
    cmp "${REPO}/src/host/greenboot/required.d/50_microshift_update_check.sh" "${ROOT}/etc/greenboot/check/required.d/50_microshift_update_check.sh"
    cmp "${REPO}/src/host/greenboot/red.d/50_microshift_update_red.sh" "${ROOT}/etc/greenboot/red.d/50_microshift_update_red.sh"
    cmp "${REPO}/src/host/greenboot/green.d/50_microshift_update_green.sh" "${ROOT}/etc/greenboot/green.d/50_microshift_update_green.sh"
    # every unit and greenboot script of the repository is packaged
    for f in "${REPO}"/src/host/systemd/*; do
        [ -f "${ROOT}/usr/lib/systemd/system/$(basename "$f")" ] || { echo "not packaged: $f"; return 1; }
    done
    for f in "${REPO}"/src/host/greenboot/*/*; do
        d="$(basename "$(dirname "$f")")"
        [ "$d" = required.d ] && d=check/required.d
        [ -f "${ROOT}/etc/greenboot/${d}/$(basename "$f")" ] || { echo "not packaged: $f"; return 1; }
    done
}

@test "the paths the units, greenboot scripts and launcher call are the packaged ones" {
    # the launcher's default jar
    jar="$(sed -n 's/^jar="\${MICROSHIFT_UPDATE_JAR:-\([^}]*\)}"$/\1/p' "${ROOT}/usr/bin/microshift-update")"
    [ "${jar}" = /usr/lib/microshift-update/microshift-update.jar ]
    [ -f "${ROOT}${jar}" ]
    # ExecStart of every service
    for u in "${ROOT}"/usr/lib/systemd/system/*.service; do
        exe="$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")"
        [ -n "${exe}" ] && [ -x "${ROOT}${exe}" ] || { echo "$(basename "$u"): ExecStart ${exe} is not in the package"; return 1; }
    done
    # the agent the greenboot scripts call
    for s in "${ROOT}"/etc/greenboot/*/50_* "${ROOT}"/etc/greenboot/check/required.d/50_*; do
        [ -f "$s" ] || continue
        agent="$(sed -n 's/^agent="\${MICROSHIFT_UPDATE_BIN:-\([^}]*\)}"$/\1/p' "$s")"
        [ "${agent}" = /usr/bin/microshift-update ] || { echo "$s calls ${agent}"; return 1; }
    done
    # the docs the units name
    for u in "${ROOT}"/usr/lib/systemd/system/microshift-update-*; do
        doc="$(sed -n 's|^Documentation=file://||p' "$u")"
        [ -z "${doc}" ] || [ -f "${ROOT}${doc}" ] || { echo "$(basename "$u"): ${doc} is not in the package"; return 1; }
    done
}

@test "the packaged launcher runs the packaged jar" {
    run env MICROSHIFT_UPDATE_JAR="${ROOT}/usr/lib/microshift-update/microshift-update.jar" \
        "${ROOT}/usr/bin/microshift-update" crash-points
    echo "$output"
    [ "$status" -eq 0 ]
    [ -n "$output" ]
}

@test "licence: Apache-2.0 in the License tag and LICENSE, and NOTICE names every library inside the jar" {
    [ "$(rpm -qp --qf '%{LICENSE}' "${RPM}")" = Apache-2.0 ]
    cmp "${REPO}/LICENSE" "${ROOT}/usr/share/licenses/microshift-update/LICENSE"
    cmp "${REPO}/NOTICE" "${ROOT}/usr/share/licenses/microshift-update/NOTICE"
    grep -qF 'Apache License' "${ROOT}/usr/share/licenses/microshift-update/LICENSE"
    grep -qF 'Version 2.0, January 2004' "${ROOT}/usr/share/licenses/microshift-update/LICENSE"
    # the shade plugin keeps each bundled library's META-INF/maven/<group>/<artifact>/pom.properties
    jar="${ROOT}/usr/lib/microshift-update/microshift-update.jar"
    libs="$(unzip -Z1 "${jar}" | sed -n 's|^META-INF/maven/\([^/]*\)/\([^/]*\)/pom.properties$|\1:\2|p' | grep -v "^io.microshift.update:" | sort -u)"
    [ -n "${libs}" ]
    missing=""
    while read -r lib; do
        grep -qE "^${lib}:[^ ]+  [A-Za-z0-9]" "${ROOT}/usr/share/licenses/microshift-update/NOTICE" || missing+=" ${lib}"
    done <<<"${libs}"
    [ -z "${missing}" ] || { echo "NOTICE does not name:${missing}"; return 1; }
    # the merged NOTICE of the Apache-2.0 libraries (section 4(d)) is in the jar
    unzip -p "${jar}" META-INF/NOTICE | grep -q .
    # and the operator image carries both files
    grep -qE '^COPY LICENSE NOTICE /licenses/' "${REPO}/target/image/Containerfile"
    cmp "${REPO}/LICENSE" "${REPO}/target/image/LICENSE"
}

@test "Requires: a Java 17 or newer runtime, microshift, greenboot, and systemd for the scriptlets" {
    requires="$(rpm -qpR "${RPM}")"
    grep -qxF '(java-17-openjdk-headless or java-21-openjdk-headless)' <<<"${requires}"
    grep -qx 'microshift' <<<"${requires}"
    grep -qx 'greenboot' <<<"${requires}"
    run rpm -qp --qf '[%{REQUIREFLAGS:deptype} %{REQUIRENAME}\n]' "${RPM}"
    [[ "$output" == *"post systemd"* ]]
    [[ "$output" == *"preun systemd"* ]]
}

@test "%post presets the units on the first install only" {
    post="$(scriptlet postinstall)"
    echo "${post}"
    grep -qE '^if \[ \$1 -eq 1 \]( && [^;]*)? ?; then' <<<"${post}"
    # systemd 239 (RHEL 8) form, which packaging/rpm-macros.debian reproduces, or systemd 250+ (RHEL 9)
    grep -qE "(systemctl --no-reload preset|systemd-update-helper install-system-units) ${UNITS[*]}( |$)" <<<"${post}"
}

@test "the tmpfiles.d entry creates the state dir 0700 root:root, or corrects it, and %post applies it" {
    grep -qE '^(\[ -x /usr/bin/systemd-tmpfiles \] && )?(/usr/bin/)?systemd-tmpfiles --create microshift-update.conf' <<<"$(scriptlet postinstall)"
    # systemd-tmpfiles itself, on a scratch root holding only the packaged entry
    t="${BATS_TEST_TMPDIR}/tmpfiles-root"
    mkdir -p "${t}/usr/lib/tmpfiles.d"
    cp "${ROOT}/usr/lib/tmpfiles.d/microshift-update.conf" "${t}/usr/lib/tmpfiles.d/"
    systemd-tmpfiles --root="${t}" --create microshift-update.conf
    [ "$(stat -c '%a %u:%g' "${t}/var/lib/microshift-update")" = "700 0:0" ]
    # a state dir that exists with a looser mode (e.g. made by the kubelet's DirectoryOrCreate)
    chmod 0755 "${t}/var/lib/microshift-update"
    systemd-tmpfiles --root="${t}" --create microshift-update.conf
    [ "$(stat -c '%a %u:%g' "${t}/var/lib/microshift-update")" = "700 0:0" ]
}

@test "the packaged agent accepts the state dir as the package creates it" {
    t="${BATS_TEST_TMPDIR}/host"
    mkdir -p "${t}/usr/lib/tmpfiles.d"
    cp "${ROOT}/usr/lib/tmpfiles.d/microshift-update.conf" "${t}/usr/lib/tmpfiles.d/"
    systemd-tmpfiles --root="${t}" --create microshift-update.conf
    # a host status in it, written as the agent writes it (0644, owned by the agent's uid)
    python3 - "${REPO}/docs/marker.md" "${t}/var/lib/microshift-update/host-status.json" <<'EOF2'
import re, sys
blocks = re.findall(r"```json\n(.*?)```", open(sys.argv[1]).read(), re.S)
open(sys.argv[2], "w").write([b for b in blocks if '"state"' in b][0])
EOF2
    chmod 0644 "${t}/var/lib/microshift-update/host-status.json"
    run env MICROSHIFT_UPDATE_JAR="${ROOT}/usr/lib/microshift-update/microshift-update.jar" \
        "${ROOT}/usr/bin/microshift-update" --root "${t}" status
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"host status:"* ]]
    [[ "$output" != *"REFUSED"* ]]
}

@test "SELinux: %post installs the policy module, then creates the state dir and relabels it" {
    post="$(scriptlet postinstall)"
    echo "${post}"
    module=/usr/share/selinux/packages/targeted/microshift_update.cil
    [ -f "${ROOT}${module}" ]
    n_install="$(grep -nxF "/usr/sbin/semodule -n -s targeted -X 200 -i ${module} || :" <<<"${post}" | cut -d: -f1)"
    n_load="$(grep -nxF '/usr/sbin/selinuxenabled && /usr/sbin/load_policy || :' <<<"${post}" | cut -d: -f1)"
    n_create="$(grep -nE 'systemd-tmpfiles --create microshift-update.conf' <<<"${post}" | cut -d: -f1)"
    n_label="$(grep -nxF '/usr/sbin/selinuxenabled && /usr/sbin/restorecon -R -- "/var/lib/microshift-update" || :' <<<"${post}" | cut -d: -f1)"
    [ -n "${n_install}" ] && [ -n "${n_load}" ] && [ -n "${n_create}" ] && [ -n "${n_label}" ]
    [ "${n_install}" -lt "${n_load}" ] && [ "${n_load}" -lt "${n_create}" ] && [ "${n_create}" -lt "${n_label}" ]
    # the tools the scriptlets call, and the types the module names, are there when %post runs
    run rpm -qp --qf '[%{REQUIREFLAGS:deptype} %{REQUIRENAME}\n]' "${RPM}"
    [[ "$output" == *"post policycoreutils"* ]]
    [[ "$output" == *"postun policycoreutils"* ]]
    [[ "$output" == *"post container-selinux"* ]]
}

@test "SELinux: %postun removes the policy module and relabels the state dir on erase only" {
    postun="$(scriptlet postuninstall)"
    echo "${postun}"
    block="$(sed -n '/^if \[ \$1 -eq 0 \]; then$/,/^fi$/p' <<<"${postun}")"
    grep -qF '/usr/sbin/semodule -n -s targeted -X 200 -r microshift_update || :' <<<"${block}"
    grep -qF '/usr/sbin/selinuxenabled && /usr/sbin/load_policy || :' <<<"${block}"
    grep -qF 'restorecon -R -- "/var/lib/microshift-update"' <<<"${block}"
    # nothing of the module is removed outside the erase branch
    [ "$(grep -c 'semodule' <<<"${postun}")" -eq 1 ]
}

@test "SELinux: the module labels the state dir container_file_t and a backup's data copy as MicroShift labels its data" {
    cil="${ROOT}/usr/share/selinux/packages/targeted/microshift_update.cil"
    cmp "${REPO}/packaging/microshift_update.cil" "${cil}"
    # parentheses balance on every statement line (comments start with ;)
    while IFS= read -r line; do
        open="${line//[^(]/}"; close="${line//[^)]/}"
        [ "${#open}" -eq "${#close}" ] || { echo "unbalanced: ${line}"; return 1; }
    done < <(grep -v '^;' "${cil}" | grep -v '^$')
    run diff <(grep -v '^;' "${cil}" | grep -v '^$') - <<'EOF'
(filecon "/var/lib/microshift-update(/.*)?" any (system_u object_r container_file_t ((s0) (s0))))
(filecon "/var/lib/microshift-update/backups/[^/]+/data(/.*)?" any (system_u object_r container_var_lib_t ((s0) (s0))))
EOF
    echo "$output"
    [ "$status" -eq 0 ]
    # the regular expressions match the paths the agent and the operator use (docs/marker.md)
    python3 - "${cil}" <<'EOF2'
import re, sys
rules = re.findall(r'\(filecon "([^"]+)" any \(system_u object_r (\w+)', open(sys.argv[1]).read())
def label(path):
    # file_contexts: the more specific matching rule wins; here, the longer one
    hits = [(len(rx), t) for rx, t in rules if re.fullmatch(rx, path)]
    return max(hits)[1] if hits else None
want = {
    "/var/lib/microshift-update": "container_file_t",
    "/var/lib/microshift-update/request.json": "container_file_t",
    "/var/lib/microshift-update/host-status.json": "container_file_t",
    "/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/etcd.snapshot": "container_file_t",
    "/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/manifest.json": "container_file_t",
    "/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/data": "container_var_lib_t",
    "/var/lib/microshift-update/backups/update-to-4-17-3-0d7e1c52/data/certs/ca.crt": "container_var_lib_t",
    "/var/lib/microshift-updates": None,
}
bad = {p: (label(p), t) for p, t in want.items() if label(p) != t}
assert not bad, bad
EOF2
}

@test "SELinux: the module compiles with secilc against the types it names, into exactly these file contexts" {
    # a minimal MLS policy declaring what the module refers to: system_u, object_r, s0 and the two
    # types of container-selinux (container.te: container_file_t, container_var_lib_t)
    base="${BATS_TEST_TMPDIR}/base.cil"
    cat >"${base}" <<'EOF'
(class file (read))
(classorder (file))
(sid kernel)
(sidorder (kernel))
(user system_u)
(role object_r)
(role system_r)
(type kernel_t)
(type container_file_t)
(type container_var_lib_t)
(category c0)
(categoryorder (c0))
(sensitivity s0)
(sensitivityorder (s0))
(sensitivitycategory s0 (c0))
(allow kernel_t self (file (read)))
(roletype system_r kernel_t)
(roletype object_r container_file_t)
(roletype object_r container_var_lib_t)
(userrole system_u system_r)
(userrole system_u object_r)
(userlevel system_u (s0))
(userrange system_u ((s0) (s0 (c0))))
(sidcontext kernel (system_u system_r kernel_t ((s0) (s0))))
EOF
    cil="${ROOT}/usr/share/selinux/packages/targeted/microshift_update.cil"
    run secilc -M true -o "${BATS_TEST_TMPDIR}/policy" -f "${BATS_TEST_TMPDIR}/file_contexts" "${base}" "${cil}"
    echo "$output"
    [ "$status" -eq 0 ]
    run diff "${BATS_TEST_TMPDIR}/file_contexts" - <<'EOF'
/var/lib/microshift-update(/.*)?	system_u:object_r:container_file_t:s0
/var/lib/microshift-update/backups/[^/]+/data(/.*)?	system_u:object_r:container_var_lib_t:s0
EOF
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "%preun disables and stops the units on erase only, not on upgrade" {
    preun="$(scriptlet preuninstall)"
    echo "${preun}"
    grep -qE '^if \[ \$1 -eq 0 \]( && [^;]*)? ?; then' <<<"${preun}"
    grep -qE "(systemctl --no-reload disable --now|systemd-update-helper remove-system-units) ${UNITS[*]}( |$)" <<<"${preun}"
}

@test "%postun reloads systemd and restarts nothing" {
    postun="$(scriptlet postuninstall)"
    echo "${postun}"
    grep -qE 'systemctl daemon-reload|systemd-update-helper [a-z-]*reload' <<<"${postun}"
    if grep -E 'restart' <<<"${postun}"; then return 1; fi
}

@test "the class-data archive is built on the device after every install and Java update, and is the package's ghost" {
    grep -qxF '/usr/lib/microshift-update/build-class-archive || :' <<<"$(scriptlet posttrans)"
    triggers="$(rpm -qp --triggers "${RPM}")"
    echo "${triggers}"
    grep -qE '^triggerin scriptlet .*-- java-17-openjdk-headless, java-21-openjdk-headless$' <<<"${triggers}"
    grep -qxF '/usr/lib/microshift-update/build-class-archive || :' <<<"${triggers}"
    rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "${RPM}" | grep -qxF 'g /usr/lib/microshift-update/microshift-update.jsa'
    rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "${RPM}" | grep -qxF 'g /usr/lib/microshift-update/microshift-update-boot.jsa'
    # the packaged script builds the archives from the packaged class lists that the launcher maps
    cp "${ROOT}/usr/lib/microshift-update/microshift-update.jar" "${BATS_TEST_TMPDIR}/"
    cp "${ROOT}/usr/lib/microshift-update/microshift-update.classlist" "${BATS_TEST_TMPDIR}/"
    cp "${ROOT}/usr/lib/microshift-update/microshift-update-boot.classlist" "${BATS_TEST_TMPDIR}/"
    run "${ROOT}/usr/lib/microshift-update/build-class-archive" "${BATS_TEST_TMPDIR}/microshift-update.jar"
    echo "$output"
    [ "$status" -eq 0 ]
    run env MICROSHIFT_UPDATE_JAR="${BATS_TEST_TMPDIR}/microshift-update.jar" JAVA_TOOL_OPTIONS=-Xlog:cds=info \
        "${ROOT}/usr/bin/microshift-update" crash-points
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${BATS_TEST_TMPDIR}/microshift-update.jsa"* ]]
    run env MICROSHIFT_UPDATE_JAR="${BATS_TEST_TMPDIR}/microshift-update.jar" JAVA_TOOL_OPTIONS=-Xlog:cds=info \
        "${ROOT}/usr/bin/microshift-update" --root "${BATS_TEST_TMPDIR}/empty-root" --booted-deployment-file /dev/null \
        --marker-owner "$(id -u)" boot
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${BATS_TEST_TMPDIR}/microshift-update-boot.jsa"* ]]
}

@test "no scriptlet or trigger reboots, starts a unit, or touches rpm-ostree or dnf" {
    all="${SCRIPTS}
$(rpm -qp --triggers --filetriggers "${RPM}")"
    echo "${all}"
    if grep -E 'reboot|shutdown|systemctl( [-a-z]+)* (start|restart|try-restart|reload-or-restart|isolate)|enable --now|rpm-ostree|dnf|microshift-update ' <<<"${all}"; then
        echo "^ a scriptlet must not do this"
        return 1
    fi
}

@test "the preset enables exactly the packaged units, and each unit can be enabled" {
    preset="${ROOT}/usr/lib/systemd/system-preset/50-microshift-update.preset"
    run diff <(grep -v '^#' "${preset}" | grep -v '^$' | sort) \
        <(for u in "${ROOT}"/usr/lib/systemd/system/*; do echo "enable $(basename "$u")"; done | sort)
    echo "$output"
    [ "$status" -eq 0 ]
    for u in "${ROOT}"/usr/lib/systemd/system/*; do
        grep -qE '^WantedBy=.+' "$u" || { echo "$(basename "$u") has no WantedBy=; a preset cannot enable it"; return 1; }
    done
}

@test "the packaged manifests render with kubectl kustomize exactly as manifests/ does" {
    run kubectl kustomize "${ROOT}/${MANIFESTS_DIR}"
    [ "$status" -eq 0 ]
    packaged="$output"
    [[ "${packaged}" == *"kind: CustomResourceDefinition"* ]]
    [[ "${packaged}" == *"kind: Deployment"* ]]
    run diff <(echo "${packaged}") <(kubectl kustomize "${REPO}/manifests")
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "the offline-registry overlay changes the operator image and nothing else" {
    run diff <(kubectl kustomize "${REPO}/manifests") <(kubectl kustomize "${REPO}/packaging/overlays/offline-registry")
    echo "$output"
    [ "$status" -eq 1 ]
    [ "$(grep -c '^[<>]' <<<"$output")" -eq 2 ]
    grep -qxE '<[[:space:]]+image: quay.io/microshift-update/operator:[^ ]+' <<<"$output"
    grep -qxE '>[[:space:]]+image: mirror.example.invalid:5000/microshift-update/operator:[^ ]+' <<<"$output"
}

@test "the overlay, installed on a device as docs/install.md says, renders against the packaged base" {
    # the resources line the overlay's comment and docs/install.md give for a device
    line="$(sed -n 's/^#[[:space:]]*\(- \.\.\/\.\.\/\.\.\/\.\.\/usr\/lib\/microshift\/manifests\.d\/[^ ]*\)$/\1/p' \
        "${REPO}/packaging/overlays/offline-registry/kustomization.yaml")"
    [ "${line}" = "- ../../../../usr/lib/microshift/manifests.d/050-microshift-update" ]
    grep -qF -- "${line}" "${REPO}/docs/install.md"
    overlay="${ROOT}/etc/microshift/manifests.d/060-microshift-update-offline"
    mkdir -p "${overlay}"
    sed "s|^- \.\./\.\./\.\./manifests\$|${line}|" "${REPO}/packaging/overlays/offline-registry/kustomization.yaml" \
        >"${overlay}/kustomization.yaml"
    run kubectl kustomize "${overlay}"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" == *"image: mirror.example.invalid:5000/microshift-update/operator:"* ]]
    [[ "$output" == *"kind: CustomResourceDefinition"* ]]
}

@test "docs/install.md's blueprint is valid TOML, adds microshift-update next to microshift and embeds the operator image by digest" {
    run python3 - "${REPO}/docs/install.md" <<'EOF'
import re, sys, tomllib
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[packages]]" in b]
assert len(blocks) == 1, "want one ```toml block with [[packages]], found %d" % len(blocks)
bp = tomllib.loads(blocks[0])
names = [p["name"] for p in bp.get("packages", [])]
assert "microshift" in names, names
assert "microshift-update" in names, names
# the operator image, embedded by digest, in the repository the manifests deploy
sources = [c["source"] for c in bp.get("containers", [])]
assert any(re.fullmatch(r"quay\.io/microshift-update/operator@sha256:[0-9a-f]{64}", s) for s in sources), sources
print("packages:", names, "containers:", sources)
EOF
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "with OPERATOR_IMAGE_DIGEST the packaged manifests run the image by that digest, IfNotPresent; a non-digest is refused" {
    digest="sha256:$(printf 'ab%.0s' {1..32})"
    run env OPERATOR_IMAGE_DIGEST="sha256:not-a-digest" "${REPO}/hack/package"
    [ "$status" -ne 0 ]
    [[ "$output" == *"is not a digest"* ]]
    run env OPERATOR_IMAGE_DIGEST="${digest}" "${REPO}/hack/package"
    echo "$output"
    [ "$status" -eq 0 ]
    pinned="${BATS_TEST_TMPDIR}/pinned"
    mkdir -p "${pinned}"
    rpm2archive - <"${REPO}"/target/rpm/*.rpm | tar -xzf - -C "${pinned}"
    run kubectl kustomize "${pinned}/${MANIFESTS_DIR}"
    [ "$status" -eq 0 ]
    grep -qxE "[[:space:]]+image: quay.io/microshift-update/operator@${digest}" <<<"$output"
    grep -qxE '[[:space:]]+imagePullPolicy: IfNotPresent' <<<"$output"
    [ "$(grep -c 'image: ' <<<"$output")" -eq 1 ]
    # the repository's manifests are unchanged; the development package goes back in place
    run grep -q '^  digest:' "${REPO}/manifests/kustomization.yaml"
    [ "$status" -ne 0 ]
    "${REPO}/hack/package" >/dev/null
}
