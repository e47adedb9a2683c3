#!/bin/sh
# landlock.sh — the landlock section: each attack with Landlock on, then
# off, as root and as nobody.  The TCP and scope tests need the host's
# network namespace shared, so the file runs in a network namespace of its
# own (tests/fixtures/network/netlib.sh).
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"

abi=$("$CORDON" check -v "$SRCDIR/profiles/default.conf" 2>&1 |
  sed -n 's/^landlock: ABI \([0-9]*\);.*/\1/p')
if [ -z "$abi" ]; then
  skip "landlock" "this kernel has no Landlock"; done_testing; exit
fi

mkdir -p "$T/canary" && echo secret > "$T/canary/file" && chmod 644 "$T/canary/file"
CANARY="mount \"/canary\" { type = \"bind\" source = \"$T/canary\" }"
profile exposed "$CANARY"
profile denied-off "$CANARY" 'landlock { deny = {"/canary"} enabled = false }'
TMP='mount "/tmp" { type = "tmpfs" }'
profile denied "$CANARY" "$TMP" 'landlock { deny = {"/canary"} }'
profile writable 'mount "/w" { type = "tmpfs" }' "$TMP" \
  'landlock { derive = false  execute = {"/usr"}  write = {"/w"} }'
profile abi99 'landlock { min_abi = 99  required = true }'
profile abi99-soft 'landlock { min_abi = 99 }'
# host network, no pid namespace: abstract sockets and processes of this
# test's namespaces are in reach
HOSTNET='namespaces = {"user", "mount", "ipc", "uts"}
network { mode = "host" }'
profile port "$HOSTNET" 'landlock { tcp_connect = {7001} }'
profile port-off "$HOSTNET" 'landlock { tcp_connect = {7001} enabled = false }'
profile scoped "$HOSTNET" 'landlock { scope = {"abstract_unix_socket", "signal"} }'
profile unscoped "$HOSTNET"
# CAP_SYS_ADMIN kept, no seccomp: only Landlock stands between the command
# and the mount calls that would change its view
profile capadmin "$CANARY" "$TMP" 'capabilities = {"CAP_SYS_ADMIN"}' \
  'seccomp { preset = "none" }' 'landlock { deny = {"/canary"} }'
profile capadmin-off "$CANARY" "$TMP" 'capabilities = {"CAP_SYS_ADMIN"}' \
  'seccomp { preset = "none" }' 'landlock { deny = {"/canary"} enabled = false }'
mkdir -p "$T/rw"
profile shown "$CANARY" "$TMP" \
  "mount \"/data\" { type = \"bind\" source = \"$T/rw\" writable = true }" \
  'landlock { read = {"/usr/share"} write = {"/data"} execute = {"/usr/bin"}
              deny = {"/canary/sub"} tcp_bind = {7003} tcp_connect = {7001}
              scope = {"signal"} min_abi = 99 }'
chmod 644 "$T"/*.conf

# show: after the profile, as comments, the rules the run puts in (one
# line each, with the access it allows) and what this kernel enforces.
rules() { "$CORDON" show "$@" | grep '^# landlock rule: '; }
is "show: the rules derived from the mounts, then the lists" "$(rules "$T/shown.conf")" \
'# landlock rule: read+execute "/" (the jail'"'"'s root, read-only; entry by entry around "/canary/sub")
# landlock rule: read+execute "/usr" (bind mount, read-only)
# landlock rule: read+write+execute "/proc" (proc mount)
# landlock rule: read+write+execute "/dev" (dev mount)
# landlock rule: read+execute "/canary" (bind mount, read-only; entry by entry around "/canary/sub")
# landlock rule: read+write+execute "/tmp" (tmpfs mount)
# landlock rule: read+write+execute "/data" (bind mount, writable)
# landlock rule: read "/usr/share" (landlock.read)
# landlock rule: read+write+execute "/data" (landlock.write)
# landlock rule: read+execute "/usr/bin" (landlock.execute)
# landlock rule: tcp_bind 7003 (landlock.tcp_bind, ABI 4)
# landlock rule: tcp_connect 7001 (landlock.tcp_connect, ABI 4)
# landlock rule: deny "/canary/sub" (landlock.deny)
# landlock rule: scope signal (landlock.scope, ABI 6)'
is "show: derive = false: the lists only" "$(rules "$T/writable.conf")" \
'# landlock rule: read+write+execute "/w" (landlock.write)
# landlock rule: read+execute "/usr" (landlock.execute)'
is "show: Landlock off: no rule, no word of the kernel" \
  "$("$CORDON" show "$T/denied-off.conf" | grep -c '^# landlock')" 0
out=$("$CORDON" show "$T/shown.conf")
like "show: this kernel's ABI" "$out" "# landlock: ABI $abi; file rules: enforced \(derived from the mounts, and the lists\)"
like "show: ... a min_abi above it" "$out" "# landlock: min_abi 99: NOT met \(the kernel has ABI $abi\)"
if [ "$abi" -ge 4 ]; then ports=enforced; else ports="NOT enforced \(needs ABI 4\)"; fi
if [ "$abi" -ge 6 ]; then scope=enforced; else scope="NOT enforced \(needs ABI 6\)"; fi
like "show: ... the ports" "$out" "# landlock: tcp_bind/tcp_connect: $ports"
like "show: ... the scope" "$out" "# landlock: scope: $scope"
if [ "$abi" -ge 5 ]; then
  unlike "show: ... every file right handled" "$out" "NOT (enforced|available) \(needs ABI [1-5]\)"
else
  like "show: ... the file rights it lacks" "$out" "# landlock: ioctl_dev: NOT enforced \(needs ABI 5\)"
fi
like "check -v: the same rules" "$("$CORDON" check -v "$T/shown.conf" 2>&1)" \
  'landlock rule: read\+write\+execute "/data" \(bind mount, writable\)'
# deny takes paths out of the derived rules: where none are derived it is
# an error at its line, not a key that does nothing.
printf 'landlock {\n    derive = false\n    deny = {"/canary"}\n}\n' > "$T/deny-underived.conf"
out=$("$CORDON" check "$T/deny-underived.conf" 2>&1); rc=$?
is "deny with derive = false: invalid" "$rc" 1
like "... at its line" "$out" "deny-underived.conf:3: error: 'landlock.deny' takes paths out of the rules derived from the mounts, and 'landlock.derive' is false"
printf 'namespaces = {}\nlandlock {\n    read = {"/usr"}\n    deny = {"/usr/share"}\n}\n' > "$T/deny-nons.conf"
out=$("$CORDON" check "$T/deny-nons.conf" 2>&1); rc=$?
is "deny without namespaces: invalid" "$rc" 1
like "... at its line" "$out" "deny-nons.conf:4: error: .*a jail without namespaces derives none"
ok "deny with Landlock off stays valid (the section is off)" "$CORDON" check "$T/denied-off.conf"
printf 'namespaces = {}\n' > "$T/nons-nothing.conf"
like "check: no namespaces and no Landlock paths: every access refused, said" \
  "$("$CORDON" check "$T/nons-nothing.conf" 2>&1)" "nons-nothing.conf:1: warning: a jail without namespaces and without landlock read, write or execute paths is refused every file access"
unlike "... not said once it has a path" \
  "$("$CORDON" check "$T/deny-nons.conf" 2>&1)" "is refused every file access"

# a path is printed quoted: a newline in it cannot start a key
"$CORDON" show "$T/shown.conf" -D 'landlock.read={"/x\nname = \"evil\""}' > "$T/show1.conf"
"$CORDON" show "$T/show1.conf" > "$T/show2.conf"
ok "show: the output reads back to the same profile" cmp "$T/show1.conf" "$T/show2.conf"
is "show: ... a newline in a rule's path starts no key" "$(grep -c '^name *=' "$T/show2.conf")" 1

ABSTRACT_SERVE='import socket,sys
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen()
print("listening", flush=True); s.settimeout(60)
while True:
    c, _ = s.accept(); c.sendall(b"reached"); c.close()'
ABSTRACT_GET='import socket,sys
c = socket.socket(socket.AF_UNIX)
try:
    c.connect("\0" + sys.argv[1]); print(c.recv(10).decode())
except OSError as e:
    print(e.strerror)'
CONNECT='import socket,sys
try:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    print(c.recv(100).decode())
except OSError as e:
    print(e.strerror)'
# Mount calls that would change the jail's view, by name; prints each
# name and "ok" or the errno's name.
MOUNT_ATTACK='import ctypes, errno, os, platform, sys
libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE, MNT_DETACH = 32, 4096, 16384, 1 << 18, 2
def res(r): return "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()]
def mount(src, dst, fs, flags):
    return libc.mount(src and src.encode(), dst.encode(), fs and fs.encode(),
                      ctypes.c_ulong(flags), None)
os.makedirs("/tmp/m", exist_ok=True)
for a in sys.argv[1:]:
    if a == "bind":          # the denied canary, bound elsewhere
        r = mount("/canary", "/tmp/m", None, MS_BIND)
    elif a == "tmpfs-over":  # a tmpfs over the denied path
        r = mount("none", "/canary", "tmpfs", 0)
    elif a == "umount":      # a mount of the jail taken away
        r = libc.umount2(b"/canary", MNT_DETACH)
    elif a == "remount":     # the read-only /usr made writable
        r = mount(None, "/usr", None, MS_REMOUNT | MS_BIND)
    elif a == "propagation":
        r = mount(None, "/", None, MS_REC | MS_PRIVATE)
    elif a == "pivot_root":
        r = libc.syscall({"x86_64": 155, "aarch64": 41}[platform.machine()], b"/tmp", b"/tmp")
    elif a == "move_mount":  # the new mount API: a clone of /canary moved
        fd = libc.syscall(428, -100, b"/canary", 1)
        r = fd if fd < 0 else libc.syscall(429, fd, b"", -100, b"/tmp/m", 4)
    elif a == "unshare-umount":   # a mount namespace of its own first
        r = libc.unshare(0x00020000)
        r = r if r < 0 else libc.umount2(b"/canary", MNT_DETACH)
    print(a, res(r))'
KEEP='import socket,sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); s.settimeout(60)
print("listening", flush=True)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.close()'

for who in root nobody; do
  # (bg ...) &: $! is the process itself, to kill
  if [ $who = root ]; then run() { "$CORDON" run "$@"; }; bg() { exec "$@"; }
  elif userns_works; then run() { as_nobody "$CORDON_ANY" run "$@"; }
    bg() { exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- env TMPDIR="$T" "$@"; }
  else skip "$who" "unprivileged user namespaces are off"; continue; fi

  # A mount exposes the canary; a Landlock deny takes it away again.
  is "$who: the mount exposes the canary" \
    "$(run "$T/exposed.conf" -- cat /canary/file 2>&1)" secret
  like "$who: deny: the canary cannot be read" \
    "$(run "$T/denied.conf" -- cat /canary/file 2>&1)" "Permission denied"
  is "$who: deny, Landlock off: it can" \
    "$(run "$T/denied-off.conf" -- cat /canary/file 2>&1)" secret
  is "$who: deny: the rest of the jail is as it was" \
    "$(run "$T/denied.conf" -- sh -c 'cat /usr/lib/os-release >/dev/null && echo x > /tmp/t && cat /tmp/t' 2>&1)" x

  # CAP_SYS_ADMIN, no seccomp filter: under Landlock no mount call goes
  # through (the kernel refuses them to a process with a Landlock domain
  # since ABI 1), so the kept capability cannot undo the deny; off, each
  # works.
  attacks="bind tmpfs-over umount remount propagation pivot_root move_mount unshare-umount"
  is "$who: CAP_SYS_ADMIN under Landlock: every mount call is refused" \
    "$(run "$T/capadmin.conf" -- $PY -c "$MOUNT_ATTACK" $attacks 2>&1)" \
    "$(for a in $attacks; do echo "$a EPERM"; done)"
  for a in $attacks; do
    is "$who: ... Landlock off: $a works" \
      "$(run "$T/capadmin-off.conf" -- $PY -c "$MOUNT_ATTACK" $a 2>&1)" "$a ok"
  done
  like "$who: ... and the canary stays denied" \
    "$(run "$T/capadmin.conf" -- sh -c 'cat /canary/file' 2>&1)" "Permission denied"

  # derive = false: only the lists; a writable tmpfs is not writable
  # outside 'write' (the jail's own /tmp), the toolchain still runs.
  is "$who: derive off: write list writable, toolchain runs" \
    "$(run "$T/writable.conf" -- sh -c 'echo w > /w/f && cat /w/f' 2>&1)" w
  like "$who: derive off: /tmp outside the lists is not" \
    "$(run "$T/writable.conf" -- sh -c 'echo w > /tmp/f' 2>&1)" "Permission denied|Read-only"

  # required: a kernel below min_abi fails the run and names the ABIs.
  err=$(run "$T/abi99.conf" -- true 2>&1); rc=$?
  is "$who: required, min_abi above the kernel's: exit 125" "$rc" 125
  like "$who: ... naming both ABIs" "$err" "min_abi needs Landlock ABI 99; this kernel has Landlock ABI $abi \(required = true\)"
  err=$(run "$T/abi99-soft.conf" -- echo ran 2>&1); rc=$?
  is "$who: not required: the command runs" "$rc" 0
  like "$who: ... after one warning" "$err" "warning: landlock: min_abi needs Landlock ABI 99"

  # tcp_connect: only the port listed.
  if [ "$abi" -ge 4 ]; then
    fresh "$T/s1"; fresh "$T/s2"
    (bg $PY -c "$KEEP" 7001) > "$T/s1" 2>&1 & s1=$!
    (bg $PY -c "$KEEP" 7002) > "$T/s2" 2>&1 & s2=$!
    wait_for "$T/s1" listening; wait_for "$T/s2" listening
    is "$who: tcp_connect: the listed port works" \
      "$(run "$T/port.conf" -- $PY -c "$CONNECT" 7001 2>&1)" 7001
    is "$who: tcp_connect: another port is refused (EACCES)" \
      "$(run "$T/port.conf" -- $PY -c "$CONNECT" 7002 2>&1)" "Permission denied"
    is "$who: tcp_connect, Landlock off: it is reached" \
      "$(run "$T/port-off.conf" -- $PY -c "$CONNECT" 7002 2>&1)" 7002
    kill_own $s1 $s2; wait $s1 $s2 2>/dev/null
  else
    skip "$who: tcp_connect" "Landlock ABI $abi < 4"
  fi

  # scope: a host abstract socket and a host process of the same user.
  if [ "$abi" -ge 6 ]; then
    fresh "$T/as"
    (bg $PY -c "$ABSTRACT_SERVE" cordon-test-$$) > "$T/as" 2>&1 & as=$!
    wait_for "$T/as" listening
    is "$who: no scope: a host abstract socket is reached" \
      "$(run "$T/unscoped.conf" -- $PY -c "$ABSTRACT_GET" cordon-test-$$ 2>&1)" reached
    is "$who: scope: it is not" \
      "$(run "$T/scoped.conf" -- $PY -c "$ABSTRACT_GET" cordon-test-$$ 2>&1)" "Operation not permitted"
    kill_own $as; wait $as 2>/dev/null
  fi
  # a root jail's ids map to other host ids: only nobody's jail is the
  # same user as a process it starts outside
  if [ "$abi" -ge 6 ] && [ $who = nobody ]; then
    (bg sleep 60) & victim=$!
    like "$who: scope: a host process cannot be signalled" \
      "$(run "$T/scoped.conf" -- kill -0 "$victim" 2>&1)" "Operation not permitted"
    ok "$who: no scope: it can" run "$T/unscoped.conf" -- kill -0 "$victim"
    kill_own $victim; wait 2>/dev/null
  fi
done

# cordon enter re-reads the jail's effective profile (which has no rule
# comments) and puts the same rules on the entered command.
mkdir -p "$T/ew" && chmod 777 "$T/ew"
profile entered "$CANARY" "$TMP" 'landlock { deny = {"/canary"} }' \
  "mount \"/w\" { type = \"bind\" source = \"$T/ew\" writable = true }"
chmod 644 "$T/entered.conf"
n=ll$$-enter
"$CORDON" run --name $n "$T/entered.conf" -- sh -c 'touch /w/ready; exec sleep 60' &
jail_launcher=$!
at_exit "kill_own $jail_launcher"
i=0
until [ -e "$T/ew/ready" ] && "$CORDON" ps --json | jq -e --arg n $n \
    'any(.[]; .name == $n and .pid)' >/dev/null 2>&1 || [ $i -ge 200 ]; do
  sleep 0.1; i=$((i + 1))
done
like "enter: the canary stays denied" \
  "$("$CORDON" enter $n -- cat /canary/file 2>&1)" "Permission denied"
is "enter: the rest is as the jail's command has it" \
  "$("$CORDON" enter $n -- sh -c 'echo e > /w/e && cat /w/e; ls /canary 2>&1 | grep -c denied')" "e
1"
"$CORDON" stop $n >/dev/null 2>&1; wait $jail_launcher 2>/dev/null

# namespaces = {}: Landlock and seccomp alone, on host paths, run by
# nobody (as where user namespaces are not allowed); off, the same command
# outside cordon, for the difference.
mkdir -p "$T/host" "$T/out" && echo hostsecret > "$T/host/canary"
chmod 644 "$T/host/canary"; chmod 777 "$T/host" "$T/out"
printf '%s\n' 'namespaces = {}' 'uid = 65534' 'gid = 65534' \
  'environment { set = {"PATH=/usr/bin:/bin"} }' \
  "landlock { execute = {\"/usr\", \"/etc\"}  write = {\"$T/out\"} }" > "$T/nons.conf"
chmod 644 "$T/nons.conf"
nons() { as_nobody "$CORDON_ANY" run "$T/nons.conf" -- "$@" 2>&1; }
like "no namespaces: a host canary outside the lists cannot be read" \
  "$(nons cat "$T/host/canary")" "Permission denied"
is "... outside cordon nobody can read it" "$(as_nobody cat "$T/host/canary")" hostsecret
like "no namespaces: nothing outside 'write' can be written" \
  "$(nons sh -c "echo x > $T/host/new")" "Permission denied"
ok "... outside cordon nobody can" as_nobody sh -c "echo x > $T/host/new"
is "no namespaces: 'write' is writable, the toolchain runs" \
  "$(nons sh -c "echo w > $T/out/f && cat $T/out/f && ls /usr/bin/sh")" "w
/usr/bin/sh"

# --report records the ABI used (null when off).
"$CORDON" run --report "$T/r.json" "$T/exposed.conf" -- true
is "report: landlock_abi" "$(jq -r .landlock_abi "$T/r.json")" "$abi"
"$CORDON" run --report "$T/r.json" "$T/denied-off.conf" -- true
is "report: landlock off: null" "$(jq -r .landlock_abi "$T/r.json")" null
like "check -v: what the kernel enforces" \
  "$("$CORDON" check -v "$T/scoped.conf" 2>&1)" "landlock: scope: (enforced|NOT enforced)"

done_testing
