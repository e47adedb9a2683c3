#!/bin/sh
# network-user.sh — user mode: pasta gives a jail outbound TCP and published
# ports, the host's loopback only with host_loopback, as root and as nobody,
# and stops with the jail.  Runs in a network
# namespace of its own with a veth uplink for pasta to mirror (see
# tests/fixtures/network/netlib.sh).
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"
make_uplink
make_remote
world_usable_tun

net_profile user 'network { mode = "user" publish = {"8080:8000/tcp"} }'
net_profile loopback 'network { mode = "user" host_loopback = true }'
net_profile none 'network { mode = "none" }'

for who in root nobody; do
  if [ $who = root ]; then run() { "$CORDON" run "$@"; }
  elif userns_works; then run() { as_nobody "$CORDON_ANY" run "$@"; }
  else skip "$who" "unprivileged user namespaces are off"; continue; fi

  like "$who: the jail has eth0 with the uplink's address" \
    "$(run "$T/user.conf" -- ip -o -4 addr 2>&1)" "eth0 +inet 192\.0\.2\.1/24"

  # Outbound: a server on the remote host, the uplink's gateway, answers.
  fresh "$T/rsrv"
  remote $PY -c "$SERVE" 192.0.2.254 7777 remote > "$T/rsrv" 2>&1 & rsrv=$!
  wait_for "$T/rsrv" listening
  is "$who: the jail reaches a server beyond the uplink" \
    "$(run "$T/user.conf" -- $PY -c "$GET" 192.0.2.254 7777 2>&1)" remote
  fails "$who: with mode none it does not" run "$T/none.conf" -- $PY -c "$GET" 192.0.2.254 7777
  kill_own $rsrv; wait $rsrv 2>/dev/null

  # The host's loopback: pasta maps the gateway's address to it unless
  # told not to; cordon tells it not to unless host_loopback = true.
  fresh "$T/srv"
  $PY -c "$SERVE" 127.0.0.1 7778 outer > "$T/srv" 2>&1 & srv=$!
  wait_for "$T/srv" listening
  fails "$who: by default the host's loopback service is out of reach" \
    run "$T/user.conf" -- $PY -c "$GET" 192.0.2.254 7778
  is "$who: with host_loopback = true the gateway's address reaches it" \
    "$(run "$T/loopback.conf" -- $PY -c "$GET" 192.0.2.254 7778 2>&1)" outer
  kill_own $srv; wait $srv 2>/dev/null

  fresh "$T/j"
  run "$T/user.conf" -- $PY -c "$SERVE" 0.0.0.0 8000 inner > "$T/j" 2>&1 & j=$!
  wait_for "$T/j" listening
  is "$who: the published port reaches the server in the jail" \
    "$($PY -c "$GET" 127.0.0.1 8080 2>&1)" inner
  wait $j
  is "$who: pasta is gone with the jail" "$(pastas_here)" ""
done

# pasta's command line is built to size: 100 published ports (each two
# arguments) all reach pasta, the last one too.
many=$(i=0; while [ $i -lt 100 ]; do printf '"%d:%d", ' $((20000 + i)) $((20000 + i)); i=$((i + 1)); done)
net_profile many "network { mode = \"user\" publish = { ${many%, } } }"
fresh "$T/m"
"$CORDON" run "$T/many.conf" -- $PY -c "$SERVE" 0.0.0.0 20099 last > "$T/m" 2>&1 & m=$!
wait_for "$T/m" 'listening|Error|error|failed'
like "100 publish entries: the jail starts" "$(cat "$T/m")" listening
is "... and the 100th port reaches the jail" "$($PY -c "$GET" 127.0.0.1 20099 2>&1)" last
wait $m

# A killed launcher takes pasta along (it is pasta's parent-death signal).
fresh "$T/k"
"$CORDON" run "$T/user.conf" -- $PY -c "$BIND" 127.0.0.1 9000 60 > "$T/k" 2>&1 & k=$!
wait_for "$T/k" bound
like "a running jail has its pasta" "$(pastas_here)" "[0-9]"
kill_own -KILL $k; wait $k 2>/dev/null
n=0; while [ -n "$(pastas_here)" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
is "pasta is gone with a killed launcher" "$(pastas_here)" ""

# Where /dev/net/tun is not open to everyone (no udev), an unprivileged
# run's error says so, and how to fix it.  The node is this namespace's own
# (world_usable_tun), closed for the test.
if ! userns_works; then
  skip "nobody: /dev/net/tun not writable" "unprivileged user namespaces are off"
else
  chmod 0600 /dev/net/tun
  out=$(as_nobody "$CORDON_ANY" run "$T/user.conf" -- true 2>&1); rc=$?
  chmod 0666 /dev/net/tun
  is "nobody, /dev/net/tun not writable: the run fails with 125" "$rc" 125
  like "... saying pasta needs read and write access to it" "$out" \
    "network: pasta failed .*; pasta needs read and write access to /dev/net/tun \(mode 0600, owner root\); on systems without udev, chmod 0666 /dev/net/tun"
fi

# Without pasta: a clear error naming the Debian package.
out=$(unshare -m sh -c "mount --bind /dev/null $(command -v pasta) && \"$CORDON\" run \"$T/user.conf\" -- true" 2>&1); rc=$?
is "no pasta: the run fails with 125" "$rc" 125
like "... naming the package" "$out" 'network mode "user" needs pasta, which is not installed \(Debian package passt\)'

done_testing
