#!/usr/bin/env bash
# The host agent's class-data archives next to its jar, as the package builds them
# (src/host/lib/build-class-archive from the class lists in src/host/lib), for the benchmarks
# that start the agent through its launcher: the launcher maps the one for its verb, so a
# benchmark without them would time a start-up no device has.
#   class_archives_fresh REPO JAR   builds both when one is missing or older than the jar or a
#                                   class list (JAR must be absolute: the archive records the
#                                   class path, and the JVM ignores it for any other spelling)

class_archives_fresh() {
  local repo=$1 jar=$2 a f stale=0
  local list="$repo/src/host/lib/microshift-update.classlist" boot_list="$repo/src/host/lib/microshift-update-boot.classlist"
  if [[ $jar != /* ]]; then
    echo "class_archives_fresh: $jar is not an absolute path" >&2
    return 1
  fi
  for a in "${jar%.jar}.jsa" "${jar%.jar}-boot.jsa"; do
    for f in "$jar" "$list" "$boot_list"; do
      [[ -s $a && ! $a -ot $f ]] || stale=1
    done
  done
  ((stale)) || return 0
  MICROSHIFT_UPDATE_CLASSLIST="$list" MICROSHIFT_UPDATE_BOOT_CLASSLIST="$boot_list" \
    "$repo/src/host/lib/build-class-archive" "$jar" >&2
}
