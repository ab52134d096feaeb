# shellcheck shell=bash
# Sourced by the test stubs (stubs/rpm-ostree, stubs/bootc): the deployments of the real ostree
# sysroot ${FAKE_SYSROOT}, in boot order (the first is the default of the next boot), one line
# each: checksum and origin refspec ("-" when the origin has none).
deployments() {
    ostree admin status --sysroot="${FAKE_SYSROOT}" | awk '
        /^[* ] / && match($0, /[0-9a-f]+\.[0-9]+/) && RLENGTH > 64 {
            if (c != "") print c, "-"
            c = substr($0, RSTART, 64)
            next
        }
        /origin refspec:/ { print c, $3; c = "" }
        END { if (c != "") print c, "-" }'
}
