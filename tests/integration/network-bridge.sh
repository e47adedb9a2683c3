#!/bin/sh
# network-bridge.sh — bridge mode (root): jails on one bridge reach each
# other and the gateway, auto addresses are distinct, publish forwards, and
# nothing is left after normal, failed and killed runs.  Runs in a network
# namespace of its own (see tests/fixtures/network/netlib.sh).
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"
make_uplink

NETNS=$(stat -L -c %i /proc/self/ns/net)
COOKIE=$(/usr/bin/python3 -c 'import socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])')
LEASES=/run/cordon/net/cordon0@$COOKIE
at_exit 'rm -rf "$LEASES" "/run/cordon/net/cordon0@$NETNS"'
mkdir -p "$T/share" && chmod 777 "$T/share"
share="mount \"/share\" { type = \"bind\" source = \"$T/share\" writable = true }"
net_profile auto 'network { mode = "bridge" }' "$share"
net_profile fixed 'network { mode = "bridge" address = "10.88.0.10/24" }'
net_profile pub 'network { mode = "bridge" publish = {"127.0.0.1:8080:8000/tcp", "8081:8000"} }'
net_profile nat 'network { mode = "bridge" nat = true }'
net_profile nonet 'namespaces = {"user", "mount", "pid", "ipc", "uts", "cgroup"}'

# What a jail may leave behind: host veths, leases, forwards.
leftovers() {
  ip -o link | grep -o 'cordon-v[0-9]*'
  ls "$LEASES" 2>/dev/null
  nft list map ip cordon publish_addr 2>/dev/null | grep elements
  nft list map ip cordon publish_any 2>/dev/null | grep elements
}

out=$("$CORDON" run "$T/auto.conf" -- sh -c 'ip -o -4 addr show eth0; ip route' 2>&1)
like "eth0 has the first free address" "$out" "eth0 +inet 10\.88\.0\.2/24"
like "the default route goes through the gateway" "$out" "default via 10\.88\.0\.1 dev eth0"
like "cordon made the bridge, with the gateway address" "$(ip -o -4 addr show cordon0)" "inet 10\.88\.0\.1/24"
is "nothing left after a normal run" "$(leftovers)" ""

# Two jails at once: one serves, the other reaches it and the gateway.
fresh "$T/gw"; fresh "$T/a"
$PY -c "$SERVE" 10.88.0.1 7777 gateway > "$T/gw" 2>&1 & gw=$!
"$CORDON" run "$T/fixed.conf" -- $PY -c "$SERVE" 0.0.0.0 8000 from-jail > "$T/a" 2>&1 & a=$!
wait_for "$T/a" listening
wait_for "$T/gw" listening
is "a jail reaches another jail on the bridge" \
  "$("$CORDON" run "$T/auto.conf" -- $PY -c "$GET" 10.88.0.10 8000 2>&1)" from-jail
is "a jail reaches the gateway" \
  "$("$CORDON" run "$T/auto.conf" -- $PY -c "$GET" 10.88.0.1 7777 2>&1)" gateway
wait $a; kill_own $gw; wait $gw 2>/dev/null
fails "without a net namespace, the jail is not on the bridge" \
  "$CORDON" run "$T/nonet.conf" -- sh -c 'ip -o addr | grep -q "eth0 .*10\.88\."'

# 20 jails at once: each notes its address, then waits for the others.
i=0
while [ $i -lt 20 ]; do
  "$CORDON" run "$T/auto.conf" -- sh -c "ip -o -4 addr show eth0 > /share/addr.$i
    n=0; while [ ! -e /share/go ] && [ \$n -lt 300 ]; do sleep 0.1; n=\$((n + 1)); done" &
  i=$((i + 1))
done
n=0
while [ "$(ls "$T/share" | grep -c addr)" -lt 20 ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.2
touch "$T/share/go"
wait
is "20 concurrent auto jails get 20 distinct addresses" \
  "$(awk '{print $4}' "$T"/share/addr.* | sort -u | grep -c '^10\.88\.0\.')" 20
is "nothing left after 20 runs" "$(leftovers)" ""
rm -f "$T"/share/*

# publish: from this namespace's loopback and its uplink address.
for target in 127.0.0.1:8080 192.0.2.1:8081; do
  fresh "$T/p"
  "$CORDON" run "$T/pub.conf" -- $PY -c "$SERVE" 0.0.0.0 8000 published > "$T/p" 2>&1 & p=$!
  wait_for "$T/p" listening
  got=$($PY -c "$GET" ${target%:*} ${target#*:} 2>&1)
  if [ "$got" != published ]; then
    # Once refused before "fresh" above (wait_for saw the first target's
    # "listening"); should it fail again: what the host had then.
    { echo "jail: $(cat "$T/p")"; leftovers; ip neigh show dev cordon0
      nft list chain ip cordon output; } 2>&1 | sed 's/^/# /'
  fi
  is "publish: $target reaches the server in the jail" "$got" published
  wait $p
done
is "the forwards are gone with the jail" "$(leftovers)" ""
fails "without the jail, the published port is closed" $PY -c "$GET" 127.0.0.1 8080

# Failed runs: the address is taken; the host port is taken.
fresh "$T/a"; fresh "$T/b"
"$CORDON" run "$T/fixed.conf" -- $PY -c "$BIND" 0.0.0.0 8000 3 > "$T/a" 2>&1 & a=$!
"$CORDON" run "$T/pub.conf" -- $PY -c "$BIND" 0.0.0.0 8000 3 > "$T/b" 2>&1 & b=$!
wait_for "$T/a" bound
wait_for "$T/b" bound
out=$("$CORDON" run "$T/fixed.conf" -- true 2>&1); rc=$?
is "a taken address fails the run (125)" "$rc" 125
like "... saying so" "$out" "network address 10\.88\.0\.10 is in use by another jail on bridge cordon0"
out=$("$CORDON" run "$T/pub.conf" -- true 2>&1); rc=$?
is "a published port taken fails the run (125)" "$rc" 125
like "... saying so" "$out" "publish 127\.0\.0\.1:8080:8000/tcp \(is the host port published by another jail\?\)"
wait $a $b
is "nothing left after failed runs" "$(leftovers)" ""

# Killed launcher: the jail dies with it; the next run clears the rest.
fresh "$T/k"
"$CORDON" run "$T/pub.conf" -- $PY -c "$BIND" 0.0.0.0 8000 60 > "$T/k" 2>&1 & k=$!
wait_for "$T/k" bound
like "a running jail has its veth, lease and forwards" "$(leftovers | tr '\n' ' ')" "cordon-v.* 10\.88\.0\.2 .*elements"
kill_own -KILL $k; wait $k 2>/dev/null
n=0; while ip -o link | grep -q cordon-v && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$CORDON" run "$T/auto.conf" -- true
is "the next run removed the killed one's lease and forwards" "$(leftovers)" ""

# A killed jail with 100 published ports: its lease lists them all, and
# the next run removes every one (the lease is read to its end).
many=$(i=0; while [ $i -lt 100 ]; do printf '"127.0.0.1:%d:8000", ' $((20000 + i)); i=$((i + 1)); done)
net_profile many "network { mode = \"bridge\" publish = { ${many%, } } }"
fresh "$T/k"
"$CORDON" run "$T/many.conf" -- $PY -c "$BIND" 0.0.0.0 8000 60 > "$T/k" 2>&1 & k=$!
wait_for "$T/k" bound
is "100 publish entries: all 100 forwards are in place" \
  "$(nft list map ip cordon publish_addr | grep -o '127\.0\.0\.1 \. tcp \. [0-9]*' | wc -l)" 100
kill_own -KILL $k; wait $k 2>/dev/null
n=0; while ip -o link | grep -q cordon-v && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$CORDON" run "$T/auto.conf" -- true
is "the next run removed all 100 forwards of the killed one" "$(leftovers)" ""

# Leases are the namespace's, by its cookie: the leases of a dead namespace
# that had this one's inode number (a stale lease naming a veth) are not
# taken for this namespace's, and their veth is left alone.
mkdir -p "/run/cordon/net/cordon0@$NETNS"
printf 'pid 1\nveth ctest-victim\n' > "/run/cordon/net/cordon0@$NETNS/10.88.0.77"
ip link add ctest-victim type veth peer name ctest-victim2
"$CORDON" run "$T/auto.conf" -- true
ok "a dead namespace's lease with this inode number removes nothing here" \
  ip link show ctest-victim
ip link del ctest-victim 2>/dev/null
rm -rf "/run/cordon/net/cordon0@$NETNS"

# nat: one masquerade element for the subnet, added once.
"$CORDON" run "$T/nat.conf" -- true
"$CORDON" run "$T/nat.conf" -- true
is "nat: the subnet is in nat_subnets once" \
  "$(nft list set ip cordon nat_subnets | grep -o '10\.88\.0\.0/24' | wc -l)" 1
like "nat: one masquerade rule for it" "$(nft list chain ip cordon postrouting)" \
  "ip saddr @nat_subnets ip daddr != @nat_subnets masquerade"

done_testing
