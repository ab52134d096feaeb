#!/usr/bin/env bash
# A device root with an update in flight, for the boot-path verbs (sourced by
# hack/bench.d/host-startup, hack/update-classlist and src/test/bats/launcher.bats): under
# DIR/root, docs/marker.md's request.json (the operator's verification of this boot in it) and
# its accepted copy, the in-flight flag and a host-status.json in Rebooting; the target deployment
# booted (DIR/booted, for --booted-deployment-file); the stubs of src/test/bats/stubs on PATH
# with microshift.service active. `boot` then records Booted and `greenboot-check` answers OK at
# once.
#   inflight_root REPO DIR     lays it out; sets inflight_agent (the launcher's options before the
#                              verb: --root, --booted-deployment-file, --marker-owner) and
#                              inflight_state (the state dir)
#   inflight_rebooting         puts host-status.json back in Rebooting (before each `boot`)
#   inflight_rolled_back       turns it into the rollback greenboot made: host-status.json in
#                              Unhealthy after the target's boot, the previous deployment booted,
#                              microshift.service stopped, the backup set's data copy under
#                              backups/ (a small tree) and the target's data in /var/lib/microshift:
#                              `boot` then records RolledBack, restores the copy and records Restored
#   backup_set ROOT ID [DEPLOYMENT]
#                              under the device root ROOT, backup set ID's data copy of 4.17.1 (a small
#                              tree, its version file naming DEPLOYMENT) and the 4.17.3 data dir it
#                              replaces: what `restore ID` and the rollback's boot put back

inflight_agent=()
inflight_state=""
_inflight_dir=""

inflight_root() {
  local repo=$1 dir=$2 root boot_id
  _inflight_dir=$dir
  root="$dir/root"
  inflight_state="$root/var/lib/microshift-update"
  mkdir -p "$inflight_state" "$root/proc/sys/kernel/random" "$dir/fake-state"
  awk '/^```json/{n++; f=1; next} /^```/{f=0} f{print > (dir "/block-" n ".json")}' dir="$dir" "$repo/docs/marker.md"
  boot_id="$(cat /proc/sys/kernel/random/uuid)"
  echo "$boot_id" >"$root/proc/sys/kernel/random/boot_id"
  jq --arg b "$boot_id" '.verification.bootId = $b' "$dir/block-1.json" >"$inflight_state/request.json"
  cp "$inflight_state/request.json" "$inflight_state/accepted-request.json"
  jq '.state = "Rebooting" | .message = "rebooting into 4.17.3" | .greenbootAttempts = 0 | .history = .history[0:3]
      | del(.bootIdAfter, .deploymentAfter, .restoredBackupId, .failedDataPath)' "$dir/block-2.json" >"$dir/rebooting.json"
  touch "$inflight_state/in-flight"
  jq -r .target.ostreeCommit "$inflight_state/request.json" >"$dir/booted"
  export FAKE_STATE="$dir/fake-state" FAKE_LOG="$dir/commands" PATH="$repo/src/test/bats/stubs:$PATH"
  touch "$FAKE_STATE/microshift-active"
  # shellcheck disable=SC2034 # read by the scripts that source this
  inflight_agent=(--root "$root" --booted-deployment-file "$dir/booted" --marker-owner "$(id -u)")
  inflight_rebooting
}

inflight_rebooting() {
  cp "$_inflight_dir/rebooting.json" "$inflight_state/host-status.json"
}

inflight_rolled_back() {
  local root="$_inflight_dir/root" before
  before="$(jq -r .deploymentBefore "$_inflight_dir/block-2.json")"
  jq --arg b "$(cat /proc/sys/kernel/random/uuid)" '.state = "Unhealthy" | .bootIdAfter = $b
      | .message = "greenboot health checks failed" | .history = .history[0:5]
      | del(.deploymentAfter, .restoredBackupId, .failedDataPath)' "$_inflight_dir/block-2.json" >"$inflight_state/host-status.json"
  echo "$before" >"$_inflight_dir/booted"
  backup_set "$root" "$(jq -r .dataCopy.backupId "$_inflight_dir/block-2.json")" "$before"
  rm -f "$FAKE_STATE/microshift-active"
}

backup_set() {
  local root=$1 set="$1/var/lib/microshift-update/backups/$2" data="$1/var/lib/microshift"
  rm -rf "$set" "$data" "$root"/var/lib/microshift.failed-*
  mkdir -p "$set/data/etcd/member/snap" "$data/etcd/member/snap"
  echo "4.17.1 db" >"$set/data/etcd/member/snap/db"
  echo '{"version":"4.17.1","deployment_id":"'"${3:-rhel-a.0}"'","boot_id":"none"}' >"$set/data/version"
  echo '{}' >"$set/manifest.json"
  echo "4.17.3 db" >"$data/etcd/member/snap/db"
  echo '{"version":"4.17.3"}' >"$data/version"
}
