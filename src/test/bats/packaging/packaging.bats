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
/usr/lib/microshift-update/microshift-update.classlist
/usr/lib/microshift-update/microshift-update.jar
/usr/lib/microshift-update/microshift-update.jsa
/usr/lib/microshift/manifests.d
/usr/lib/microshift/manifests.d/050-microshift-update
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
    # the packaged script builds an archive from the packaged class list that the launcher maps
    cp "${ROOT}/usr/lib/microshift-update/microshift-update.jar" "${BATS_TEST_TMPDIR}/"
    cp "${ROOT}/usr/lib/microshift-update/microshift-update.classlist" "${BATS_TEST_TMPDIR}/"
    run "${ROOT}/usr/lib/microshift-update/build-class-archive" "${BATS_TEST_TMPDIR}/microshift-update.jar"
    echo "$output"
    [ "$status" -eq 0 ]
    run env MICROSHIFT_UPDATE_JAR="${BATS_TEST_TMPDIR}/microshift-update.jar" JAVA_TOOL_OPTIONS=-Xlog:cds=info \
        "${ROOT}/usr/bin/microshift-update" crash-points
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${BATS_TEST_TMPDIR}/microshift-update.jsa"* ]]
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

@test "docs/install.md's blueprint is valid TOML and adds microshift-update next to microshift" {
    run python3 - "${REPO}/docs/install.md" <<'EOF'
import re, sys, tomllib
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "[[packages]]" in b]
assert len(blocks) == 1, "want one ```toml block with [[packages]], found %d" % len(blocks)
bp = tomllib.loads(blocks[0])
names = [p["name"] for p in bp.get("packages", [])]
assert "microshift" in names, names
assert "microshift-update" in names, names
print("packages:", names)
EOF
    echo "$output"
    [ "$status" -eq 0 ]
}
