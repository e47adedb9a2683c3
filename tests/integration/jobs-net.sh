#!/bin/sh
# jobs-net.sh — build-net, the build that fetches: as root and rootless, a
# build step downloads a file over user-mode networking (pasta) and keeps
# it in the workspace's cache, and a later offline step builds from the
# cache.  Runs in a network namespace of its own (netlib.sh): the "remote"
# server listens on an address of that namespace's lo, not on loopback, so
# the jail reaches it as it would a host on the network.
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"
make_uplink
world_usable_tun
ip addr add 198.51.100.1/32 dev lo

P="$SRCDIR/profiles"
F="$SRCDIR/tests/fixtures/jobs"

# fetch step: the download into the cache, then the build that uses it
fetch='mkdir -p "$XDG_CACHE_HOME" && python3 -c "$GET" 198.51.100.1 7777 > "$XDG_CACHE_HOME/dep.txt"'
build='./configure >/dev/null && make check >/dev/null && cat "$XDG_CACHE_HOME/dep.txt"'

for who in root nobody; do
  d="$T/net-$who"
  rm -rf "$d" && cp -r "$F/c-project" "$d" && chmod -R u+rwX "$d"
  if [ $who = root ]; then
    run() { (cd "$d" && env -i PATH=/usr/bin:/bin PWD="$d" GET="$GET" CORDON_CONFIG=/nonexistent "$CORDON" run "$@" 2>&1); }
  elif userns_works; then
    chown -R 65534:65534 "$d"
    run() { as_nobody sh -c 'cd "$1" && shift && exec env GET="$0" CORDON_CONFIG=/nonexistent "$@"' "$GET" "$d" "$CORDON_ANY" run "$@" 2>&1; }
  else
    skip "build-net ($who)" "unprivileged user namespaces are off"; continue
  fi
  fresh "$T/srv"
  $PY -c "$SERVE" 198.51.100.1 7777 "dependency 1.0" > "$T/srv" 2>&1 & srv=$!
  wait_for "$T/srv" listening
  # the jail's environment is cleared: GET goes in on the command line
  out=$(run "$P/build-net.conf" -- sh -c "GET='$GET'; $fetch && echo fetched"); rc=$?
  kill_own $srv; wait $srv 2>/dev/null
  is "build-net ($who): the fetch step reaches the server" "$rc $out" "0 fetched"
  is "build-net ($who): ... into the workspace's cache" "$(cat "$d/.cache/dep.txt" 2>&1)" "dependency 1.0"
  out=$(run "$P/build-net.conf" -D network.mode=none -- sh -c "$build"); rc=$?
  is "build-net ($who): the offline build uses the cache" "$rc $out" "0 dependency 1.0"
  fails "build-net ($who): with network.mode none there is no server" \
    run "$P/build-net.conf" -D network.mode=none -- python3 -c "$GET" 198.51.100.1 7777
  is "build-net ($who): pasta is gone with the jail" "$(pastas_here)" ""
done

done_testing
