#!/bin/sh
# network.sh — network modes none and host, as root and as nobody, and what
# a profile may not ask for.  Runs in a network namespace of its own (see
# tests/fixtures/network/netlib.sh).
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"

net_profile none 'network { mode = "none" }'
net_profile host 'namespaces = {"user", "mount", "pid", "ipc", "uts", "cgroup"}' \
  'network { mode = "host" }'
net_profile bridge 'network { mode = "bridge" }'
# an interface of this (test) namespace, to see from a host-network jail
ip link add ctest-host type veth peer name ctest-host1

for who in root nobody; do
  if [ $who = root ]; then run() { "$CORDON" run "$@"; }
  elif userns_works; then run() { as_nobody "$CORDON_ANY" run "$@"; }
  else skip "$who" "unprivileged user namespaces are off"; continue; fi

  links=$(run "$T/none.conf" -- ip -o link | awk '{print $2 $3}')
  is "$who: none: only lo, and it is up" "$links" "lo:<LOOPBACK,UP,LOWER_UP>"
  like "$who: none: lo has 127.0.0.1" "$(run "$T/none.conf" -- ip -o -4 addr)" "lo +inet 127\.0\.0\.1/8"
  like "$who: host: the jail sees this namespace's interfaces" \
    "$(run "$T/host.conf" -- ip -o link)" "ctest-host"

  # A listener outside: out of reach from none, reachable with host.
  fresh "$T/srv"
  $PY -c "$SERVE" 127.0.0.1 7777 outside > "$T/srv" 2>&1 & srv=$!
  wait_for "$T/srv" listening
  fails "$who: none: a TCP listener outside is out of reach" \
    run "$T/none.conf" -- $PY -c "$GET" 127.0.0.1 7777
  is "$who: host: the same listener is reached" \
    "$(run "$T/host.conf" -- $PY -c "$GET" 127.0.0.1 7777 2>&1)" outside
  kill_own $srv; wait $srv 2>/dev/null

  # Two jails listen on one port at once; without net namespaces they cannot.
  for mode in none host; do
    # The first holds its port until the second has tried (bounded at 60 s).
    fresh "$T/a"
    run "$T/$mode.conf" -- $PY -c "$BIND" 127.0.0.1 8000 60 > "$T/a" 2>&1 & a=$!
    wait_for "$T/a" bound
    second=$(run "$T/$mode.conf" -- $PY -c "$BIND" 127.0.0.1 8000 0 2>&1)
    pkill -TERM -P $a; wait $a 2>/dev/null
    if [ $mode = none ]; then
      is "$who: none: two jails listen on port 8000" "$(cat "$T/a") $second" "bound bound"
    else
      like "$who: host: the second jail cannot (shared port space)" "$second" "Address already in use"
    fi
  done
done

if userns_works; then
  out=$(as_nobody "$CORDON_ANY" run "$T/bridge.conf" -- true 2>&1); rc=$?
  is "nobody: bridge mode fails with 125" "$rc" 125
  like "nobody: ... and says it needs root" "$out" 'network mode "bridge" needs root \(mode "user" works without\)'
fi

# check: the host network is a warning, however it comes about.
printf 'namespaces = {"user", "mount"}\n' > "$T/nonet.conf"
like "check warns when 'net' is not in namespaces" "$("$CORDON" check "$T/nonet.conf" 2>&1)" \
  "nonet.conf:1: warning: no 'net' namespace: the jail shares the host's network"
like "check warns on mode host" "$("$CORDON" check "$T/host.conf" 2>&1)" \
  "host.conf:10: warning: network: mode \"host\": the jail shares the host's network"
printf 'network { mode = "host" }\n' > "$T/hostnet.conf"
like "mode host with \"net\" in namespaces is an error" "$("$CORDON" check "$T/hostnet.conf" 2>&1)" \
  "hostnet.conf:1: error: network: mode \"host\" shares the host's network: remove \"net\" from namespaces"

done_testing
