# shellcheck shell=bash
# Sourced by the stubs that refuse a reboot under a systemd shutdown lock (rpm-ostree, systemctl):
# the locks the busctl stub lists that block a shutdown, as a JSON array of [what, who, why, mode,
# uid, pid]. The test of rpm-ostree's check_sd_inhibitor_locks (rpmostreed-utils.cxx): `what`
# contains "shutdown", mode is "block".
shutdown_blockers() {
    busctl --json=short call org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager \
        ListInhibitors | jq -c '[.data[0][] | select((.[0] | contains("shutdown")) and .[3] == "block")]'
}
