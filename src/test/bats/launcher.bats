#!/usr/bin/env bats
# The launcher: finding Java, clear failures, and the real jar's validate/status verbs.

setup() {
    REPO="$(cd "${BATS_TEST_DIRNAME}/../../.." && pwd)"
    LAUNCHER="${REPO}/src/host/bin/microshift-update"
    JAR="${REPO}/target/microshift-update.jar"
    TMP="$(mktemp -d)"
    unset JAVA_HOME
}

teardown() {
    rm -rf "${TMP}"
}

fake_java() {
    # $1: dir for bin/java; records its argv
    mkdir -p "$1/bin"
    printf '#!/bin/bash\necho "fake java from %s: $*"\n' "$1" > "$1/bin/java"
    chmod +x "$1/bin/java"
}

@test "fails with a clear message when no Java runtime exists" {
    MICROSHIFT_UPDATE_JAR="${JAR}" PATH=/nonexistent run /bin/bash "${LAUNCHER}" status
    [ "$status" -eq 3 ]
    [[ "$output" == *"no Java runtime found (need Java 17 or newer)"* ]]
    [[ "$output" == *"java-17-openjdk-headless"* ]]
}

@test "prefers JAVA_HOME and passes the arguments through" {
    fake_java "${TMP}/jdk"
    touch "${TMP}/agent.jar"
    JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root /x status
    [ "$status" -eq 0 ]
    [[ "$output" == "fake java from ${TMP}/jdk: "*"-cp ${TMP}/agent.jar io.microshift.update.cli.Main --root /x status" ]]
}

@test "the launcher runs the main class that the jar's manifest names" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    manifest="$(unzip -p "${JAR}" META-INF/MANIFEST.MF | tr -d '\r' | awk -F': ' '$1 == "Main-Class" { print $2 }')"
    [ -n "${manifest}" ]
    grep -qx "main_class=${manifest}" "${LAUNCHER}"
}

@test "falls back to PATH when JAVA_HOME has no java" {
    fake_java "${TMP}/onpath"
    touch "${TMP}/agent.jar"
    JAVA_HOME="${TMP}/empty" PATH="${TMP}/onpath/bin:/usr/bin:/bin" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" status
    [ "$status" -eq 0 ]
    [[ "$output" == *"has no bin/java; trying PATH"* ]]
    [[ "$output" == *"fake java from ${TMP}/onpath"* ]]
}

@test "fails clearly when the jar is missing" {
    MICROSHIFT_UPDATE_JAR="${TMP}/nope.jar" run "${LAUNCHER}" status
    [ "$status" -eq 3 ]
    [[ "$output" == *"agent jar not found at ${TMP}/nope.jar"* ]]
}

@test "validate accepts both examples of docs/marker.md" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    awk '/^```json/{n++; f=1; next} /^```/{f=0} f{print > (dir "/example-" n ".json")}' dir="${TMP}" "${REPO}/docs/marker.md"
    [ -s "${TMP}/example-1.json" ]
    [ -s "${TMP}/example-2.json" ]
    cp "${TMP}/example-1.json" "${TMP}/request.json"
    cp "${TMP}/example-2.json" "${TMP}/host-status.json"
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" validate "${TMP}/request.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"valid request.json"* ]]
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" validate "${TMP}/host-status.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"valid host-status.json"* ]]
}

@test "validate prints every problem, one a line, and exits 1" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    printf '{"apiVersion":"updates.microshift.io/marker/v9","sequence":0,"evil":1}\n' > "${TMP}/request.json"
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" validate "${TMP}/request.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"request.json: apiVersion: 'updates.microshift.io/marker/v9' is not one of"* ]]
    [[ "$output" == *"request.json: evil: unknown field"* ]]
    [[ "$output" == *"request.json: sequence: 0 is outside"* ]]
    [[ "$output" == *"request.json: plan: required"* ]]
    [ "${#lines[@]}" -ge 8 ]
}

@test "validate refuses a symlink" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    echo '{}' > "${TMP}/real.json"
    ln -s "${TMP}/real.json" "${TMP}/request.json"
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" validate "${TMP}/request.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"is a symlink"* ]]
}

@test "status under an empty --root says no update has run; unknown verbs exit 2" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" --root "${TMP}" status
    [ "$status" -eq 0 ]
    [[ "$output" == *"host status:  none (no update has run)"* ]]
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" frobnicate
    [ "$status" -eq 2 ]
    [[ "$output" == *"unknown verb frobnicate"* ]]
}

@test "crash-points lists the named points of apply and boot" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" crash-points
    [ "$status" -eq 0 ]
    [[ "$output" == *"apply.data-copy.before-rename"* ]]
    [[ "$output" == *"boot.data-moved-aside"* ]]
}

# a java that prints the final flags of the launcher's JVM options (everything before -cp)
flag_printing_java() {
    real_java="$(command -v java)" || skip "no java on PATH"
    mkdir -p "${TMP}/jdk/bin"
    cat > "${TMP}/jdk/bin/java" <<JAVA
#!/bin/bash
flags=()
for a in "\$@"; do [[ "\$a" == -cp ]] && break; flags+=("\$a"); done
echo "argv: \${flags[*]}"
exec "${real_java}" "\${flags[@]}" -XX:+UnlockDiagnosticVMOptions -XX:+PrintFlagsFinal -version
JAVA
    chmod +x "${TMP}/jdk/bin/java"
    touch "${TMP}/agent.jar"
}

@test "apply and etcd-snapshot keep the C2 compiler: C1 alone has no SHA-256 intrinsic (apply hashes the snapshot)" {
    flag_printing_java
    for verb in apply etcd-snapshot; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root /x --marker-owner 0 "${verb}"
        [ "$status" -eq 0 ]
        level="$(awk '$2 == "TieredStopAtLevel" { print $4 }' <<<"${output}")"
        tiered="$(awk '$2 == "TieredCompilation" { print $4 }' <<<"${output}")"
        echo "${verb}: TieredStopAtLevel=${level} TieredCompilation=${tiered}"
        [[ "${level}" == 4 || "${tiered}" == false ]]
        # C2 only for what runs 10x more often than by default
        [[ "$(awk '$2 == "Tier4InvocationThreshold" { print $4 }' <<<"${output}")" == 50000 ]]
    done
    sha="$(awk '$2 == "UseSHA256Intrinsics" { print $4 }' <<<"${output}")"
    [[ "${sha}" == true ]] || skip "this CPU gives the JVM no SHA-256 intrinsic"
}

@test "the boot-path verbs start with C1 alone, and C1 only for what runs 50x more than by default" {
    flag_printing_java
    for verb in boot greenboot-check greenboot-red greenboot-green restore status validate; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root 7 "${verb}"
        [ "$status" -eq 0 ]
        [[ "$(awk '$2 == "TieredStopAtLevel" { print $4 }' <<<"${output}")" == 1 ]]
        [[ "$(awk '$2 == "CompileThresholdScaling" { print $4 }' <<<"${output}")" == 50.0* ]]
    done
}

@test "the boot-path verbs run G1, whose archive maps its heap objects; the others the serial GC" {
    flag_printing_java
    for verb in boot greenboot-check greenboot-red greenboot-green restore; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root 7 "${verb}"
        [ "$status" -eq 0 ]
        [[ "$(awk '$2 == "UseG1GC" { print $4 }' <<<"${output}")" == true ]]
        [[ "$(awk '$2 == "UseSerialGC" { print $4 }' <<<"${output}")" == false ]]
    done
    for verb in apply etcd-snapshot status validate; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root 7 "${verb}"
        [ "$status" -eq 0 ]
        [[ "$(awk '$2 == "UseSerialGC" { print $4 }' <<<"${output}")" == true ]]
    done
}

@test "the class-data archive next to the jar is mapped when it exists, and a stale one is ignored" {
    flag_printing_java
    JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" status
    [[ "$(grep '^argv:' <<<"${output}")" != *SharedArchiveFile* ]]
    head -c 4096 /dev/urandom > "${TMP}/agent.jsa"
    JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" status
    [ "$status" -eq 0 ]
    [[ "$(grep '^argv:' <<<"${output}")" == *"-XX:SharedArchiveFile=${TMP}/agent.jsa"* ]]
    # the real JVM with that garbage archive: ignored (-Xshare:auto), the verb runs
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    cp "${TMP}/agent.jsa" "${TMP}/stale.jsa"
    MICROSHIFT_UPDATE_CDS="${TMP}/stale.jsa" MICROSHIFT_UPDATE_JAR="${JAR}" run "${LAUNCHER}" crash-points
    [ "$status" -eq 0 ]
    [[ "$output" == *"apply.data-copy.before-rename"* ]]
}

@test "the boot-path verbs map the boot archive when it exists, the other verbs the full one" {
    flag_printing_java
    touch "${TMP}/agent.jsa"
    for verb in boot greenboot-check greenboot-red greenboot-green; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root 7 "${verb}"
        [[ "$(grep '^argv:' <<<"${output}")" == *"-XX:SharedArchiveFile=${TMP}/agent.jsa"* ]]
    done
    touch "${TMP}/agent-boot.jsa"
    for verb in boot greenboot-check greenboot-red greenboot-green restore; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" --root 7 "${verb}"
        [ "$status" -eq 0 ]
        [[ "$(grep '^argv:' <<<"${output}")" == *"-XX:SharedArchiveFile=${TMP}/agent-boot.jsa"* ]]
    done
    for verb in apply status validate etcd-snapshot crash-points; do
        JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" run "${LAUNCHER}" "${verb}"
        [[ "$(grep '^argv:' <<<"${output}")" == *"-XX:SharedArchiveFile=${TMP}/agent.jsa"* ]]
    done
    JAVA_HOME="${TMP}/jdk" MICROSHIFT_UPDATE_JAR="${TMP}/agent.jar" MICROSHIFT_UPDATE_CDS="${TMP}/other.jsa" \
        run "${LAUNCHER}" --root 7 boot
    [[ "$(grep '^argv:' <<<"${output}")" != *SharedArchiveFile* ]]
}

@test "build-class-archive builds an archive the agent's JVM maps" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    cp "${JAR}" "${TMP}/microshift-update.jar"
    cp "${REPO}/src/host/lib/microshift-update.classlist" "${TMP}/"
    run "${REPO}/src/host/lib/build-class-archive" "${TMP}/microshift-update.jar"
    [ "$status" -eq 0 ]
    [ -s "${TMP}/microshift-update.jsa" ]
    MICROSHIFT_UPDATE_JAR="${TMP}/microshift-update.jar" JAVA_TOOL_OPTIONS=-Xlog:cds=info run "${LAUNCHER}" crash-points
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${TMP}/microshift-update.jsa"* ]]
}

# only_archived_jar_classes LOG WHAT: the -Xlog:class+load LOG names no class of the jar loaded
# from the jar itself, only from the archive
only_archived_jar_classes() {
    local from_jar
    from_jar="$(grep 'source: file:' "$1" || true)"
    [[ -z "${from_jar}" ]] || {
        echo "$2 loads classes of the jar from outside the archive (rerun hack/update-classlist):"
        echo "${from_jar}"
        return 1
    }
}

@test "the class-data archive covers the boot path of an update in flight" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    cp "${JAR}" "${TMP}/microshift-update.jar"
    cp "${REPO}/src/host/lib/microshift-update.classlist" "${REPO}/src/host/lib/microshift-update-boot.classlist" "${TMP}/"
    run "${REPO}/src/host/lib/build-class-archive" "${TMP}/microshift-update.jar"
    [ "$status" -eq 0 ]
    [ -s "${TMP}/microshift-update-boot.jsa" ]
    # shellcheck source=hack/lib/inflight-root.sh
    . "${REPO}/hack/lib/inflight-root.sh"
    inflight_root "${REPO}" "${TMP}/device"
    export MICROSHIFT_UPDATE_JAR="${TMP}/microshift-update.jar"
    for verb in boot greenboot-check; do
        JAVA_TOOL_OPTIONS="-Xlog:class+load:file=${TMP}/${verb}.log -Xlog:cds=info" run "${LAUNCHER}" "${inflight_agent[@]}" "${verb}"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Opened archive ${TMP}/microshift-update-boot.jsa"* ]]
        # its heap objects too: the boot module layer is the archived one, not built at start
        [[ "$output" == *"full module graph: enabled"* ]]
        grep -q 'source: shared objects file' "${TMP}/${verb}.log"
        # every class of the jar came from the archive (of the JDK's, which ones a run loads
        # depends a little on timing: the stub's exit racing its output, for one)
        only_archived_jar_classes "${TMP}/${verb}.log" "${verb}"
    done
    [ "$(jq -r .state "${inflight_state}/host-status.json")" = Booted ]
    # and the boot after greenboot rolled back: RolledBack, the data copy restored, Restored
    inflight_rolled_back
    JAVA_TOOL_OPTIONS="-Xlog:class+load:file=${TMP}/rollback.log" run "${LAUNCHER}" "${inflight_agent[@]}" boot
    [ "$status" -eq 0 ]
    [ "$(jq -r .state "${inflight_state}/host-status.json")" = Restored ]
    [ "$(cat "${TMP}/device/root/var/lib/microshift/etcd/member/snap/db")" = "4.17.1 db" ]
    only_archived_jar_classes "${TMP}/rollback.log" "boot after a rollback"
}

@test "the boot archive covers restore, the rollback's data copy" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    cp "${JAR}" "${TMP}/microshift-update.jar"
    cp "${REPO}/src/host/lib/microshift-update.classlist" "${REPO}/src/host/lib/microshift-update-boot.classlist" "${TMP}/"
    run "${REPO}/src/host/lib/build-class-archive" "${TMP}/microshift-update.jar"
    [ "$status" -eq 0 ]
    # shellcheck source=hack/lib/inflight-root.sh
    . "${REPO}/hack/lib/inflight-root.sh"
    root="${TMP}/device"
    backup_set "${root}" b1
    mkdir -p "${TMP}/fake-state"
    FAKE_STATE="${TMP}/fake-state" FAKE_LOG="${TMP}/commands" PATH="${REPO}/src/test/bats/stubs:${PATH}" \
        MICROSHIFT_UPDATE_JAR="${TMP}/microshift-update.jar" JAVA_TOOL_OPTIONS="-Xlog:class+load:file=${TMP}/restore.log -Xlog:cds=info" \
        run "${LAUNCHER}" --root "${root}" --marker-owner "$(id -u)" restore b1
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${TMP}/microshift-update-boot.jsa"* ]]
    [ "$(cat "${root}/var/lib/microshift/etcd/member/snap/db")" = "4.17.1 db" ]
    only_archived_jar_classes "${TMP}/restore.log" restore
}

@test "etcd-snapshot starts without Jackson: no marker or tool output to read" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    # certificates that do not exist: the verb stops at its first etcd step, after the start-up
    MICROSHIFT_UPDATE_JAR="${JAR}" MICROSHIFT_CERTS_DIR="${TMP}/no-certs" ETCD_ENDPOINTS=https://127.0.0.1:1 \
        JAVA_TOOL_OPTIONS="-Xlog:class+load:file=${TMP}/classes.log" run "${LAUNCHER}" etcd-snapshot "${TMP}/snapshot"
    [ "$status" -eq 1 ]
    [[ "$output" == *"client certificate"* || "$output" == *"CA certificate"* ]]
    grep -q 'io.microshift.update.etcd.EtcdSnapshotter ' "${TMP}/classes.log"
    run grep 'com.fasterxml.jackson.databind.ObjectMapper ' "${TMP}/classes.log"
    [ "$status" -eq 1 ]
}

@test "build-class-archive writes the archive a second argument names (the operator's image builds its own so)" {
    [ -r "${JAR}" ] || skip "build the jar first: mvn -B package"
    cp "${JAR}" "${TMP}/microshift-update.jar"
    MICROSHIFT_UPDATE_CLASSLIST="${REPO}/operator/microshift-update-operator.classlist" \
        run "${REPO}/src/host/lib/build-class-archive" "${TMP}/microshift-update.jar" "${TMP}/operator.jsa"
    [ "$status" -eq 0 ]
    [ -s "${TMP}/operator.jsa" ]
    [ ! -e "${TMP}/microshift-update.jsa" ]
    run java -Xshare:on -XX:SharedArchiveFile="${TMP}/operator.jsa" -Xlog:cds=info -cp "${TMP}/microshift-update.jar" -version
    [ "$status" -eq 0 ]
    [[ "$output" == *"Opened archive ${TMP}/operator.jsa"* ]]
}
