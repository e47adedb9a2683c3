#!/bin/sh
# hardening.sh — attacks inside real jails: each is refused with the default
# hardening and works once the protection is switched off in the profile
# (with -D), so that every test shows the protection doing the work.
# The probe (tests/probes/attack) prints "ok" or the errno's name.
. "$SRCDIR/tests/lib.sh"

use_attack_probe
jail_nobody() { as_nobody env PROBE_DIR="$PROBE_DIR" "$CORDON_ANY" run "$P" "$@" 2>&1; }
# Real root in the jail, no user namespace (root launcher only).
NO_USERNS='namespaces={"mount","pid","ipc","uts","net"}'
caps_line() { grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' | awk '{printf "%s ", $2}'; }

# ---- capabilities ----
is "no capability is kept by default" \
  "$(jail -- cat /proc/self/status | caps_line)" \
  "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 "
is "kept capabilities are exactly the listed ones, ambient for a non-root uid" \
  "$(jail -D uid=65534 -D gid=65534 -D 'capabilities={"CAP_NET_BIND_SERVICE","CAP_SETUID"}' -- cat /proc/self/status | caps_line)" \
  "0000000000000480 0000000000000480 0000000000000480 0000000000000480 0000000000000480 "
is "jailed root cannot mount" "$(jail -- attack mount /tmp)" "EPERM"
is "... it can with CAP_SYS_ADMIN kept (and no seccomp, no Landlock)" \
  "$(jail -D 'capabilities={"CAP_SYS_ADMIN"}' -D seccomp.preset=none -D landlock.enabled=false -- attack mount /tmp)" "ok"
is "... Landlock alone forbids it (no mounts under Landlock)" \
  "$(jail -D 'capabilities={"CAP_SYS_ADMIN"}' -D seccomp.preset=none -- attack mount /tmp)" "EPERM"
if is_root; then
  is "real root without capabilities cannot mknod" \
    "$(jail -D "$NO_USERNS" -- attack mknod /tmp/null)" "EPERM"
  is "... it can with CAP_MKNOD kept" \
    "$(jail -D "$NO_USERNS" -D 'capabilities={"CAP_MKNOD"}' -- attack mknod /tmp/null)" "ok"
  is "real root without capabilities cannot chown a file to another user" \
    "$(jail -D "$NO_USERNS" -- sh -c 'touch /tmp/f && attack chown /tmp/f 1234')" "EPERM"
  is "... it can with CAP_CHOWN kept" \
    "$(jail -D "$NO_USERNS" -D 'capabilities={"CAP_CHOWN"}' -- sh -c 'touch /tmp/f && attack chown /tmp/f 1234')" "ok"
  is "a non-root uid cannot setuid back to root" \
    "$(jail -D "$NO_USERNS" -D uid=65534 -D gid=65534 -- attack setuid 0)" "EPERM"
  is "... it can with CAP_SETUID kept (ambient)" \
    "$(jail -D "$NO_USERNS" -D uid=65534 -D gid=65534 -D 'capabilities={"CAP_SETUID"}' -- attack setuid 0)" "ok"
else
  for t in mknod chown setuid; do skip "$t without a user namespace" "needs root"; done
  skip "mknod with CAP_MKNOD" "needs root"; skip "chown with CAP_CHOWN" "needs root"
  skip "setuid with CAP_SETUID" "needs root"
fi

# ---- no_new_privs and setuid binaries ----
is "no_new_privs is on by default" "$(jail -- grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	1"
is "... and off with no_new_privs = false" \
  "$(jail -D no_new_privs=false -- grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	0"
if is_root; then
  # A setuid-root copy of the probe on a bind: binds are nosuid and
  # no_new_privs is on, so it runs with the caller's euid either way.
  cp "$PROBE" "$T/probe/suid" && chmod 4755 "$T/probe/suid"
  is "a setuid-root binary on a bind does not raise the euid" \
    "$(jail -D uid=65534 -D gid=65534 -D "$NO_USERNS" -- suid euid)" "65534"
  is "... nor with no_new_privs = false (binds are nosuid)" \
    "$(jail -D uid=65534 -D gid=65534 -D "$NO_USERNS" -D no_new_privs=false -- suid euid)" "65534"
  is "the same binary outside a jail does" \
    "$(setpriv --reuid=65534 --regid=65534 --clear-groups "$T/probe/suid" euid)" "0"
else
  skip "setuid binary" "needs root"; skip "setuid binary, no_new_privs off" "needs root"
  skip "setuid binary outside" "needs root"
fi

# ---- seccomp: each refused family, then with preset = "none" ----
for call in keyctl add_key bpf perf_event_open mount-syscall umount2 chroot \
            ptrace process_vm_readv personality unshare clone-newuser setns \
            io_uring_setup clock_settime name_to_handle_at userfaultfd; do
  is "seccomp refuses $call" "$(jail -- attack $call)" "EPERM"
  got=$(jail -D seccomp.preset=none -- attack $call)
  if [ "$got" != EPERM ] && [ -n "$got" ]; then _tap_line 0 "... $call reaches the kernel with preset none ($got)"
  else _tap_line 1 "... $call reaches the kernel with preset none" "got: [$got]"; fi
done
is "seccomp allows the personality query" "$(jail -- attack personality-query)" "ok"
is "seccomp allows unshare without namespace flags" "$(jail -- attack unshare-files)" "ok"
is "seccomp.deny refuses a call the preset allows" \
  "$(jail -D 'seccomp.deny={"uname"}' -- sh -c 'uname >/dev/null 2>&1 || echo refused')" "refused"
is "seccomp.allow lifts a refusal" \
  "$(jail -D 'seccomp.allow={"@keyring"}' -- attack keyctl)" "EOPNOTSUPP"
is "a rule refuses a call by its arguments" \
  "$(printf 'include("%s")\nseccomp { rule "personality" { arg0 = "== 0xffffffff" } }\n' "$P" > "$T/rule.conf"; "$CORDON" run "$T/rule.conf" -- attack personality-query 2>&1)" "EPERM"
like "action = kill kills the caller with SIGSYS" \
  "$(jail -D seccomp.action=kill -- attack keyctl; echo "status $?")" "status 159"
# The other ABIs (x32, i386): tests/integration/abi.sh.
is "the strict preset refuses socketpair()" \
  "$(jail -D seccomp.preset=strict -- /probe/attack unshare-files)" "EPERM"

like "cordon seccomp groups lists each group with its calls" \
  "$("$CORDON" seccomp groups)" "@mount .*pivot_root"
# The compiled filter is cached; a damaged cache file is not trusted.
mkdir -m 700 "$T/cache"
is "with a fresh cache the filter refuses keyctl" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
is "... the compiled filter went into the cache" "$(ls "$T/cache/seccomp" | grep -c '\.bpf$')" "1"
for f in "$T"/cache/seccomp/*.bpf; do printf 'garbage' > "$f"; done
is "... a damaged cache file is rebuilt, the filter still refuses keyctl" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
# An entry is used only for the exact input it was built from (the spec,
# this cordon's build, libseccomp's): its file name is only an index.  The
# default preset's entry replaced by the one of a weak filter (no
# allowlist: keyctl and unshare reach the kernel), as a second preimage of
# the name's hash would have it, is rebuilt and replaced.
default_bpf=$(ls "$T"/cache/seccomp/*.bpf)
cp "$default_bpf" "$T/default.bpf"
CORDON_CACHE_DIR="$T/cache" jail -D seccomp.preset=none -D 'seccomp.deny={"uname"}' -- true
weak_bpf=$(ls "$T"/cache/seccomp/*.bpf | grep -v "^$default_bpf\$")
cp "$weak_bpf" "$default_bpf"
is "... an entry of another filter under its name is not used (keyctl)" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
ok "... it is replaced by the right one" cmp "$default_bpf" "$T/default.bpf"
cp "$weak_bpf" "$default_bpf"
is "... nor for unshare(CLONE_NEWUSER) (unshare -Ur)" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack unshare)" "EPERM"
# Damaged entries are rebuilt and replaced, never used as they stand.
size=$(stat -c %s "$default_bpf")
head -c 64 /dev/zero | tr '\0' '\377' | dd of="$default_bpf" bs=1 seek=$((size - 72)) conv=notrunc 2>/dev/null
is "... an entry whose instructions are garbage is not used" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
ok "... and is replaced" cmp "$default_bpf" "$T/default.bpf"
head -c $((size / 2)) "$T/default.bpf" > "$default_bpf"
is "... an entry cut short is not used" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
ok "... and is replaced" cmp "$default_bpf" "$T/default.bpf"
# A cached file is trusted only where no one else could have written it.
cp "$T/default.bpf" "$default_bpf"; chmod 666 "$default_bpf"
CORDON_CACHE_DIR="$T/cache" jail -- true
is "... a file others may write is replaced by a private one" "$(stat -c %a "$default_bpf")" "600"
chmod 777 "$T/cache/seccomp"
is "... a directory others may write is not used, the run goes on" \
  "$(CORDON_CACHE_DIR="$T/cache" jail -- attack keyctl)" "EPERM"
# The cache keeps the 128 files written last.
mkdir -m 700 "$T/full-cache" "$T/full-cache/seccomp"
i=0
while [ $i -lt 200 ]; do : > "$T/full-cache/seccomp/old-$i.bpf"; i=$((i + 1)); done
touch -d '2020-01-01' "$T"/full-cache/seccomp/old-*.bpf
touch -d '2021-01-01' "$T/full-cache/seccomp/old-7.bpf"
is "a cache write keeps the 128 newest files" \
  "$(CORDON_CACHE_DIR="$T/full-cache" jail -- true; ls "$T/full-cache/seccomp" | wc -l)" "128"
is "... the new filter and the newest old file among them" \
  "$(ls "$T/full-cache/seccomp" | grep -c -e '^old-7\.bpf$' -e '^[0-9a-f]*\.bpf$')" "2"

# ---- TIOCSTI: pushing input into the caller's terminal ----
# script(1) gives the jail a terminal; its output carries the probe's.
tty_attack() { # CALL -D...
  call=$1; shift
  script -qec "$(printf '%s ' "$CORDON" run "$P" "$@" -- attack "$call")" /dev/null \
    </dev/null 2>&1 | tr -d '\r' | grep -Eo '(ok|E[A-Z]+)$'
}
is "TIOCSTI is refused by default" "$(tty_attack tiocsti)" "EPERM"
is "... with new_session off, by seccomp" "$(tty_attack tiocsti -D new_session=false)" "EPERM"
is "... with bits above 32 in the request too (CVE-2019-10063)" \
  "$(tty_attack tiocsti-high -D new_session=false)" "EPERM"
is "... without seccomp, by the new session" "$(tty_attack tiocsti -D seccomp.preset=none)" "EPERM"
# The pushed '#' is echoed by the terminal, before the probe's "ok".
is "... with both off, the push works" \
  "$(script -qec "$CORDON run $P -D new_session=false -D seccomp.preset=none -- attack tiocsti" /dev/null </dev/null 2>&1 | tr -d '\r')" "#ok"

# The refused ioctl requests on stdin (/dev/null, where the kernel answers
# ENOTTY), as the kernel reads them: the low 32 bits, whatever the upper
# ones hold (CVE-2019-10063); their neighbours and other requests pass.
for req in 0x5412 0x541c 0x100005412 0x10000541c 0xffffffff00005412 \
           0x800000000000541c; do
  is "seccomp refuses ioctl $req" "$(jail -- attack ioctl $req </dev/null)" "EPERM"
  is "... which reaches the kernel with preset none" \
    "$(jail -D seccomp.preset=none -- attack ioctl $req </dev/null)" "ENOTTY"
done
is "... refused by the strict preset too" \
  "$(jail -D seccomp.preset=strict -- /probe/attack ioctl 0xffffffff0000541c </dev/null)" "EPERM"
is "... and by a profile that lists ioctl in allow" \
  "$(jail -D 'seccomp.allow={"ioctl"}' -- attack ioctl 0x100005412 </dev/null)" "EPERM"
for req in 0x5401 0x5411 0x5413 0x541b 0x541d 0x5402 0x15412 0x80005412 \
           0xffffffff00005401 0x10000541e; do
  is "seccomp allows ioctl $req" "$(jail -- attack ioctl $req </dev/null)" "ENOTTY"
done

# ---- descriptors ----
echo canary > "$T/canary"
exec 7<"$T/canary"
is "an fd the caller leaked without CLOEXEC is closed in the jail" "$(jail -- attack read-fd 7)" "EBADF"
is "... and passed with pass_fds" "$(jail -D 'pass_fds={7}' -- attack read-fd 7)" "ok"
exec 7<&-
like "pass_fds naming a closed fd is an error" "$(jail -D 'pass_fds={9}' -- true)" "pass_fds: fd 9: Bad file descriptor"

# ---- masked /proc ----
is "/proc/keys is masked" "$(jail -- attack open-read /proc/keys)" "EACCES"
is "... and readable with mask_paths = false" "$(jail -D mask_paths=false -- attack open-read /proc/keys)" "ok"
if is_root; then
  is "real root cannot write /proc/sys/kernel/hostname" \
    "$(jail -D "$NO_USERNS" -- attack write /proc/sys/kernel/hostname jailed)" "EROFS"
  is "... it can with mask_paths = false (its own uts namespace)" \
    "$(jail -D "$NO_USERNS" -D mask_paths=false -- sh -c 'attack write /proc/sys/kernel/hostname jailed; hostname')" "ok
jailed"
  if [ -e /proc/sysrq-trigger ]; then
    is "real root cannot open /proc/sysrq-trigger for writing" \
      "$(jail -D "$NO_USERNS" -- attack open-write /proc/sysrq-trigger)" "EROFS"
  else
    skip "/proc/sysrq-trigger" "this kernel has none"
  fi
else
  skip "write hostname as real root" "needs root"; skip "... unmasked" "needs root"
  skip "/proc/sysrq-trigger" "needs root"
fi

# ---- the launcher's binary (CVE-2019-5736) ----
is "pid 1's /proc/1/exe cannot be opened for writing" "$(jail -- attack open-write /proc/1/exe)" "EACCES"
is "... nor for reading" "$(jail -- attack open-read /proc/1/exe)" "EACCES"
if is_root; then
  is "without a pid namespace, the jail's parent's exe is not reachable either" \
    "$(jail -D 'namespaces={"mount","ipc","uts","net"}' -- sh -c 'attack open-read /proc/$PPID/exe')" "EACCES"
else
  skip "exe without a pid namespace" "needs root"
fi

# ---- rootless ----
if is_root && userns_works; then
  is "rootless: no capability is kept" \
    "$(jail_nobody -- cat /proc/self/status | caps_line)" \
    "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000 "
  is "rootless: seccomp refuses unshare" "$(jail_nobody -- attack unshare)" "EPERM"
  is "rootless: ... which works with preset none" "$(jail_nobody -D seccomp.preset=none -- attack unshare)" "ok"
  is "rootless: seccomp refuses keyctl through x32" "$(jail_nobody -- attack x32-keyctl)" "EPERM"
  is "rootless: /proc/keys is masked" "$(jail_nobody -- attack open-read /proc/keys)" "EACCES"
  is "rootless: ... readable with mask_paths = false" "$(jail_nobody -D mask_paths=false -- attack open-read /proc/keys)" "ok"
  is "rootless: /proc/1/exe cannot be opened" "$(jail_nobody -- attack open-read /proc/1/exe)" "EACCES"
  is "rootless: rlimits apply" "$(jail_nobody -D rlimit.nofile=64 -- sh -c 'ulimit -n')" "64"
else
  skip "rootless" "needs root to become nobody, and user namespaces"
fi

# ---- rlimits ----
is "rlimit sets soft and hard alike" "$(jail -D rlimit.nofile=100 -- sh -c 'ulimit -Sn; ulimit -Hn')" "100
100"
is "rlimit SOFT:HARD" "$(jail -D 'rlimit.fsize=1M:2M' -- sh -c 'ulimit -Sf; ulimit -Hf')" "2048
4096"
like "a file past rlimit.fsize fails" \
  "$(jail -D rlimit.fsize=4K -- sh -c 'head -c 8192 /dev/zero > /tmp/big; echo "status $?"')" "status [1-9]"
is "... and is written without it" \
  "$(jail -- sh -c 'head -c 8192 /dev/zero > /tmp/big; echo "status $?"')" "status 0"

done_testing
