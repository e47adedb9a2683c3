#!/bin/sh
# The service profile runs a long-running server on the host's loopback
# port 8080, as root and rootless, in a network namespace of this test's
# own (tests/fixtures/network/netlib.sh), and SIGTERM stops it.
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"
make_uplink
world_usable_tun

app="$T/app"
cp -r "$SRCDIR/tests/fixtures/jobs/service" "$app" && chmod -R a+rX "$app"

for who in root nobody; do
  if [ $who = root ]; then
    # run is started in the background: it execs, so that $! is cordon
    run() { cd "$app" && exec env -i PATH=/usr/bin:/bin PWD="$app" CORDON_CONFIG=/nonexistent "$CORDON" run "$@"; }
  elif userns_works; then
    run() { exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- sh -c 'cd "$1" && TMPDIR=$2 && export TMPDIR && shift 2 && exec env CORDON_CONFIG=/nonexistent "$@"' _ "$app" "$T" "$CORDON_ANY" run "$@"; }
  else skip "$who" "unprivileged user namespaces are off"; continue; fi

  fresh "$T/s"
  run "$SRCDIR/profiles/service.conf" > "$T/s" 2>&1 & s=$!
  wait_for "$T/s" 'listening|cordon:'
  if [ $who != root ] && grep -q 'cgroup' "$T/s"; then
    skip "service ($who)" "no cgroup delegated to nobody here: limits are refused, as cordon(1) says"
    wait $s; continue
  fi
  is "service ($who): the loopback port reaches it" "$($PY -c "$GET" 127.0.0.1 8080 2>&1)" "hits 1"
  is "service ($who): it keeps its state between requests" "$($PY -c "$GET" 127.0.0.1 8080 2>&1)" "hits 2"
  kill -TERM $s; wait $s; rc=$?
  is "service ($who): SIGTERM stops it" "$rc" 0
  is "service ($who): pasta is gone with it" "$(pastas_here)" ""
done

done_testing
