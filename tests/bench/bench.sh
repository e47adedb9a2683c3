#!/bin/sh
# bench.sh — cordon side by side with bubblewrap, crun and unshare, in one
# run, on the same jail (see README.md).  `make bench` runs it as root:
#   CORDON=src/cordon LAUNCH=tests/bench/launch MKBPF=tests/bench/mkbpf \
#   TCPLOAD=tests/bench/tcpload sh bench.sh
# BENCH_SCALE scales every count (0.1 for a quick look); BENCH_ONLY picks
# sections (blocked startup growth throughput listen rss leaks profile); BENCH_BLOCK
# the block length of the blocked section (11).  The report, in
# Markdown, goes to stdout; the raw samples stay in $BENCH_KEEP if set.
set -eu

: "${CORDON:?CORDON must name the cordon binary}"
: "${LAUNCH:?LAUNCH must name the launch helper}"
: "${MKBPF:?MKBPF must name the mkbpf helper}"
: "${TCPLOAD:?TCPLOAD must name the tcpload helper}"

# Every row runs in the same small environment, whoever starts the bench.
# bubblewrap, unshare and crun pass theirs on to /bin/true, one more copy
# per start than cordon (which clears it), so a large caller's environment
# counted against them in the root rows and not in the nobody rows, which
# setpriv --reset-env gives the same few variables as here.
if [ "${BENCH_ENV:-}" != clean ]; then
  set --
  for v in CORDON LAUNCH MKBPF TCPLOAD BENCH_SCALE BENCH_ONLY BENCH_BLOCK BENCH_KEEP PYTHON; do
    eval "if [ -n \"\${$v+set}\" ]; then set -- \"\$@\" \"$v=\$$v\"; fi"
  done
  exec env -i BENCH_ENV=clean TERM="${TERM:-dumb}" HOME=/root SHELL=/bin/sh \
    USER=root LOGNAME=root \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "$@" /bin/sh "$0"
fi
SCALE=${BENCH_SCALE:-1}
ONLY=${BENCH_ONLY:-blocked startup growth throughput listen rss leaks profile}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (the rootless rows run as nobody via setpriv)"
for t in bwrap crun unshare setpriv /usr/bin/time ip; do
  command -v "$t" >/dev/null || die "$t is missing (./bootstrap installs it)"
done
scaled() { $PYTHON -c "import sys; print(max(int(sys.argv[2]), int(float(sys.argv[1]) * int(sys.argv[3]))))" "$SCALE" "$1" "$2"; }
want() {
  case " $ONLY " in *" $1 "*) echo "bench: $1 ..." >&2; return 0 ;; esac
  return 1
}
stats() { $PYTHON "$HERE/stats.py" "$@"; }

# ---- the work directory: binaries nobody can run, profiles, bundles ----
W=$(mktemp -d /tmp/cordon-bench.XXXXXX)
chmod 755 "$W"
cleanup() {
  if [ -n "${BENCH_KEEP:-}" ]; then cp -r "$W/." "$BENCH_KEEP/"; fi
  rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/bin" "$W/out"
# cordon's caches (compiled filters and profiles) go with the rest; the
# nobody rows have theirs under their XDG_RUNTIME_DIR, $W/state-nobody.
CORDON_CACHE_DIR="$W/cache"; export CORDON_CACHE_DIR
cp "$CORDON" "$W/bin/cordon"
cp "$LAUNCH" "$W/bin/launch"
chmod 755 "$W/bin/cordon" "$W/bin/launch"
C="$W/bin/cordon"
L="$W/bin/launch"
BWRAP=$(command -v bwrap)
CRUN=$(command -v crun)
UNSHARE=$(command -v unshare)
TRUE=/bin/true

# cordon: the jail as a profile (BINDS extra read-only binds).
cordon_profile() { # FILE BINDS [EXTRA-TEXT]
  {
    cat <<'EOF'
name = "bench"
argv = {"/bin/true"}
uid = 0
gid = 0
namespaces = {"user", "mount", "pid", "ipc", "uts", "net"}
root = "tmpfs"
mount "/usr" { type = "bind"  source = "/usr" }
symlink "/bin"   { target = "usr/bin" }
symlink "/sbin"  { target = "usr/sbin" }
symlink "/lib"   { target = "usr/lib" }
symlink "/lib64" { target = "usr/lib64" }
mount "/proc" { type = "proc" }
mount "/dev"  { type = "dev" }
mount "/tmp"  { type = "tmpfs" }
EOF
    i=0
    while [ "$i" -lt "$2" ]; do
      echo "mount \"/b/$i\" { type = \"bind\"  source = \"/usr/share\" }"
      i=$((i + 1))
    done
    if [ -n "${3:-}" ]; then printf '%s\n' "$3"; fi
  } > "$1"
}
# The bare jail is bubblewrap's and crun's: no system call filter.  cordon
# loads its default preset unless a profile says otherwise, so this one does.
BARE='seccomp { preset = "none" }'
cordon_profile "$W/bare.conf" 0 "$BARE"
cordon_profile "$W/hard.conf" 0 'seccomp { preset = "default" }
capabilities = {}'
cordon_profile "$W/hardcg.conf" 0 'seccomp { preset = "default" }
capabilities = {}
cgroup { memory = "512M"  pids = 128 }'

# bubblewrap: the same jail as flags.
BW="$BWRAP --unshare-user --unshare-pid --unshare-ipc --unshare-uts --unshare-net --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp"
bwrap_binds() { # BINDS
  i=0
  while [ "$i" -lt "$1" ]; do
    printf ' --ro-bind /usr/share /b/%s' "$i"
    i=$((i + 1))
  done
}

# The seccomp filter for bwrap and crun (cordon's "default" preset's shape).
"$MKBPF" "$W/filter.bpf" > "$W/allowed.txt" 2>"$W/mkbpf.log" || die "mkbpf: $(cat "$W/mkbpf.log")"
chmod 644 "$W/filter.bpf"
BWS="$BW --seccomp 3 --cap-drop ALL"

# crun: an OCI bundle of the same shape, per id map and hardening.
mkdir -p "$W/rootfs/usr" "$W/rootfs/proc" "$W/rootfs/dev" "$W/rootfs/tmp"
for l in bin lib lib64 sbin; do ln -s "usr/$l" "$W/rootfs/$l"; done
crun_bundle() { # DIR HOST-ID HARDENED [BINDS]
  mkdir -p "$1"
  ln -s ../rootfs "$1/rootfs"
  $PYTHON "$HERE/stats.py" oci "$2" "$3" "$W/allowed.txt" "${4:-0}" > "$1/config.json"
}
crun_bundle "$W/crun-root" 0 no
crun_bundle "$W/crun-root-hard" 0 yes
crun_bundle "$W/crun-nobody" 65534 no
crun_bundle "$W/crun-nobody-hard" 65534 yes
mkdir -p "$W/state-root" "$W/state-nobody"
chown 65534:65534 "$W/state-nobody" "$W/out"
chmod -R a+rX "$W"
CR="$CRUN --cgroup-manager=disabled"

# crun 1.8.1 refuses the hybrid cgroup layout: its rows run in a private
# mount namespace without /sys/fs/cgroup/unified (one per launch run).
in_crun_ns() {
  "$UNSHARE" -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$@"
}

# Does this cordon accept the hardening keys yet?
HARD=no
HARDCG=no
if "$C" check "$W/hard.conf" > "$W/hard-check.log" 2>&1; then HARD=yes; fi
if "$C" check "$W/hardcg.conf" > "$W/hardcg-check.log" 2>&1; then HARDCG=yes; fi
# The leak test runs the most that cordon can set up: cgroups too.
LEAK=bare
if [ "$HARDCG" = yes ]; then LEAK=hardcg
elif [ "$HARD" = yes ]; then LEAK=hard; fi
cat "$W/$LEAK.conf" > "$W/leak.conf"
echo 'dir "/usr/cordon-bench-cannot-exist" { }' >> "$W/leak.conf"
mv "$W/leak.conf" "$W/fail.conf"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(loadavg)
cat <<EOF
## Results

- date: $(date)
- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)
- tools: $(bwrap --version), $(crun --version | head -1), $(unshare --version), cordon $("$C" --version 2>/dev/null | head -1 || echo '?')
- BENCH_SCALE=$SCALE; loadavg at start: $LOAD_START
- command: \`make bench\` (as root, in a configured build tree)
EOF
if [ "$HARD" = no ]; then
  echo "- cordon+sec: not accepted by this cordon (\`cordon check\`: $(head -1 "$W/hard-check.log")) — its rows say n/a"
fi
if [ "$HARDCG" = no ]; then
  echo "- cordon+sec+cg: not accepted by this cordon (\`cordon check\`: $(head -1 "$W/hardcg-check.log")) — its rows say n/a"
fi
echo

# ---- start-up ----
# $run, $cb, $st: how $who's rows run, its crun bundle and crun state.
as_who() { # root|nobody
  who=$1
  if [ "$who" = root ]; then run=""; cb="$W/crun-root"; st="$W/state-root"
  else run="setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- env XDG_RUNTIME_DIR=$W/state-nobody"; cb="$W/crun-nobody"; st="$W/state-nobody"; fi
}
# $hard_cordon: the cordon+sec and cordon+sec+cg rows that $who can run.
# A row that cannot run for this user (cgroup limits need a writable
# cgroup, which nobody lacks here) says n/a, with cordon's reason in NOTES.
hard_rows() { # NOTES
  hard_cordon=""
  for row in hard:cordon+sec hardcg:cordon+sec+cg; do
    conf=${row%%:*}; name=${row#*:}
    case $conf in hard) accepted=$HARD ;; *) accepted=$HARDCG ;; esac
    if [ "$accepted" != yes ]; then continue; fi
    # shellcheck disable=SC2086
    if in_crun_ns $run "$C" run "$W/$conf.conf" > "$W/try.log" 2>&1; then
      hard_cordon="$hard_cordon --- $name $C run $W/$conf.conf"
    else
      echo "- $name, $who: n/a, cordon says: $(head -1 "$W/try.log")" >> "$1"
    fi
  done
}
startup() { # root|nobody
  as_who "$1"
  out="$W/out/$who"
  mkdir -p "$out"
  chown 65534:65534 "$out"
  hard_rows "$W/out/notes-$who"
  runs=$(scaled 20 400)
  # shellcheck disable=SC2086
  in_crun_ns $run "$L" -w 20 -n "$runs" -o "$out" -- \
    floor $TRUE \
    --- unshare $UNSHARE -U -r -m -p -f -n -i -u $TRUE \
    --- bwrap $BW $TRUE \
    --- crun $CR --root "$st" run -b "$cb" b%N \
    --- cordon $C run "$W/bare.conf" \
    --- cordon-cold +CORDON_CACHE_DIR= $C run "$W/bare.conf" \
    --- bwrap+sec @3="$W/filter.bpf" $BWS $TRUE \
    --- crun+sec $CR --root "$st" run -b "$cb-hard" b%N \
    $hard_cordon
  echo "### Start-up, $who ($runs interleaved runs each, /bin/true in the jail)"
  echo
  stats startup "$out" floor unshare bwrap crun cordon cordon-cold bwrap+sec crun+sec cordon+sec cordon+sec+cg
  if [ -f "$W/out/notes-$who" ]; then cat "$W/out/notes-$who"; fi
  echo
}
if want startup; then
  startup root
  startup nobody
fi

# ---- start-up, blocked back to back ----
# What a user who starts jail after jail lives with (a CI runner, a server
# that starts a jail per request): blocks of BENCH_BLOCK runs of one tool
# back to back, the blocks shuffled; the first run of a block, which pays
# for what the previous tool left the kernel to finish, is kept apart.
# The targets are judged on this design (README.md).  crun is left out:
# at 3-4× the others' time it would double the section's length.
blocked() { # root|nobody
  as_who "$1"
  out="$W/out/blocked-$who"
  mkdir -p "$out"
  chown 65534:65534 "$out"
  hard_rows "$W/out/notes-blocked-$who"
  block=${BENCH_BLOCK:-11}
  rounds=$(scaled 3 30)
  # shellcheck disable=SC2086
  $run "$L" -b "$block" -w 10 -n "$rounds" -o "$out" -- \
    floor $TRUE \
    --- unshare $UNSHARE -U -r -m -p -f -n -i -u $TRUE \
    --- bwrap $BW $TRUE \
    --- cordon $C run "$W/bare.conf" \
    --- bwrap+sec @3="$W/filter.bpf" $BWS $TRUE \
    $hard_cordon
  echo "### Start-up back to back, $who ($rounds rounds of shuffled blocks of $block runs per tool; the first of each block apart)"
  echo
  stats blocked "$out" floor unshare bwrap cordon bwrap+sec cordon+sec cordon+sec+cg
  if [ -f "$W/out/notes-blocked-$who" ]; then echo; cat "$W/out/notes-blocked-$who"; fi
  echo
}
if want blocked; then
  blocked root
  blocked nobody
fi

# ---- growth with extra read-only binds ----
if want growth; then
  runs=$(scaled 10 100)
  set -- 0 16 64 256 1000
  cmds=""
  for k in "$@"; do
    cordon_profile "$W/binds-$k.conf" "$k" "$BARE"
    crun_bundle "$W/crun-binds-$k" 0 no "$k"
    i=0
    while [ "$i" -lt "$k" ]; do mkdir -p "$W/rootfs/b/$i"; i=$((i + 1)); done
    cmds="$cmds --- cordon-$k $C run $W/binds-$k.conf --- bwrap-$k $BW$(bwrap_binds "$k") $TRUE"
    cmds="$cmds --- crun-$k $CR --root $W/state-root run -b $W/crun-binds-$k g%N"
  done
  mkdir -p "$W/out/growth"
  # shellcheck disable=SC2086
  in_crun_ns "$L" -w 5 -n "$runs" -o "$W/out/growth" -- ${cmds# --- }
  echo "### Growth with extra read-only binds of /usr/share (root, $runs interleaved runs each)"
  echo
  stats growth "$W/out/growth" "$@"
  echo
fi

# ---- throughput ----
if want throughput; then
  jails=$(scaled 20 200)
  echo "### Throughput, root (jails/s running /bin/true; $jails jails per round, 3 interleaved rounds, median)"
  echo
  for p in 1 2 8; do
    # shellcheck disable=SC2086
    in_crun_ns "$L" -w 5 -j "$p" -n "$jails" -r 3 -- \
      unshare $UNSHARE -U -r -m -p -f -n -i -u $TRUE \
      --- bwrap $BW $TRUE \
      --- crun $CR --root "$W/state-root" run -b "$W/crun-root" t%N \
      --- cordon $C run "$W/bare.conf" > "$W/out/tp-$p"
  done
  stats throughput "$W/out" 1 2 8
  echo
fi

# ---- listen: a jail per TCP connection (listen.py) ----
if want listen; then
  command -v socat >/dev/null || die "socat is missing (./bootstrap installs it)"
  n=$(scaled 20 200)
  rounds=3
  cordon_profile "$W/listen.conf" 0 "$BARE
listen { address = \"127.0.0.1:8099\"  max_connections = 256 }"
  echo "### Listen: a jail per TCP connection, root ($n connections a server, in-flight level and round; $rounds rounds, median)"
  echo
  # a network namespace of its own: the port is the bench's alone
  unshare -n sh -c 'ip link set lo up && exec "$@"' _ \
    $PYTHON "$HERE/listen.py" "$C" "$W/listen.conf" "$BW" "$n" "$rounds" "$TCPLOAD"
  echo
fi

# ---- launcher peak RSS ----
if want rss; then
  n=$(scaled 5 20)
  rss() { # NAME CMD...
    name=$1; shift
    i=0
    while [ "$i" -lt "$n" ]; do
      /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
      i=$((i + 1))
    done > "$W/out/rss-$name"
  }
  # shellcheck disable=SC2086
  rss bwrap $BW $TRUE
  # shellcheck disable=SC2086
  rss cordon $C run "$W/bare.conf"
  # shellcheck disable=SC2086
  in_crun_ns sh -c "$(cat <<EOF
i=0; while [ \$i -lt $n ]; do
  /usr/bin/time -v $CR --root $W/state-root run -b $W/crun-root r\$i 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print \$2}'
  i=\$((i + 1)); done > $W/out/rss-crun
EOF
)"
  echo "### Launcher peak RSS (\`/usr/bin/time -v\`, maximum resident set size, root, median of $n)"
  echo
  stats rss "$W/out" bwrap crun cordon
  echo
fi

# ---- leaks ----
snapshot() {
  echo "mounts $(wc -l < /proc/self/mountinfo)"
  # cordon's per-jail cgroups (other users of this machine may make others).
  echo "cgroups $(find /sys/fs/cgroup -mindepth 1 -type d -name 'cordon-*' 2>/dev/null | wc -l)"
  echo "netns $(ip netns list 2>/dev/null | wc -l) $(find /run/netns -mindepth 1 2>/dev/null | wc -l)"
  echo "links $(ip -o link show | wc -l) veth $(ip -o link show type veth | wc -l)"
  echo "processes $(ps -e -o args= | grep -c "^$C" || true)"
  echo "fds-of-this-shell $(find /proc/$$/fd -mindepth 1 | wc -l)"
}
if want leaks; then
  total=$(scaled 100 2000)
  fail=$((total * 9 / 100))
  killed=$((total / 100))
  ok=$((total - fail - killed))
  snapshot > "$W/out/leaks-before"
  # The launcher's peak RSS, from runs on their own before and after the
  # mix: the same conditions on both sides (the first runs of the mix run
  # beside the time-limited jails, the last ones do not).
  rss_n=$(scaled 20 100)
  "$L" -w 0 -m -n "$rss_n" -- cordon "$C" run "$W/$LEAK.conf" > "$W/out/leak-rss-before"
  # Killed by the time limit (1 s), four at a time, alongside the rest.
  (
    i=0
    while [ "$i" -lt "$killed" ]; do
      for j in 1 2 3 4; do
        [ "$i" -lt "$killed" ] || break
        "$C" run -D time_limit=1 "$W/$LEAK.conf" -- /bin/sleep 30 >/dev/null 2>&1 &
        i=$((i + 1))
      done
      wait
    done
  ) &
  killer=$!
  "$L" -w 0 -k -n "$ok" -o "$W/out" -- good-runs "$C" run "$W/$LEAK.conf" 2> "$W/out/leak-good.log"
  "$L" -w 0 -n "$fail" -k -o "$W/out" -- setup-fails "$C" run "$W/fail.conf" 2> "$W/out/leak-fail.log"
  wait "$killer"
  "$L" -w 0 -m -n "$rss_n" -- cordon "$C" run "$W/$LEAK.conf" > "$W/out/leak-rss-after"
  # The launcher's fds while a jail runs, and the command's.
  "$C" run "$W/bare.conf" -- /bin/sleep 2 >/dev/null 2>&1 &
  cpid=$!
  sleep 1
  # Only what cordon opened: not what it inherited from this shell.
  launcher_fds=$(for f in /proc/$cpid/fd/*; do
    t=$(readlink "$f")
    [ "$(readlink "/proc/$$/fd/${f##*/}" 2>/dev/null)" = "$t" ] || printf '%s->%s ' "${f##*/}" "$t"
  done)
  wait "$cpid" || true
  jail_fds=$("$C" run "$W/bare.conf" -- /bin/sh -c 'cd /proc/self/fd && echo *' 2>&1)
  snapshot > "$W/out/leaks-after"
  "$C" run "$W/fail.conf" > /dev/null 2> "$W/out/fail-message" || true
  echo "### Leaks (root, profile $LEAK; $ok good runs, $fail failing set-up, $killed killed by the time limit)"
  echo
  stats leaks "$W/out" "$launcher_fds" "$jail_fds" "$(head -1 "$W/out/fail-message")"
  echo
fi

# ---- profile cost ----
if want profile; then
  d="$W/include"
  mkdir -p "$d"
  for lvl in 0 1 2 3 4 5 6 7 8 9 10; do
    {
      if [ "$lvl" -lt 10 ]; then echo "include(\"lvl-$((lvl + 1)).conf\")"; fi
      if [ "$lvl" = 0 ]; then sed -n '1,14p' "$W/bare.conf"; fi
      m=0
      while [ "$m" -lt 50 ] && [ "$lvl" -gt 0 ]; do
        echo "mount \"/m/$lvl/$m\" { type = \"bind\"  source = \"/usr/share\" }"
        m=$((m + 1))
      done
    } > "$d/lvl-$lvl.conf"
  done
  "$C" check "$d/lvl-0.conf" > "$W/out/include-check.log" 2>&1 \
    || die "cordon check of the generated profile failed: $(head -3 "$W/out/include-check.log")"
  runs=$(scaled 10 100)
  mkdir -p "$W/out/profile"
  "$L" -w 5 -n "$runs" -o "$W/out/profile" -- \
    check-bare "$C" check "$W/bare.conf" \
    --- check-500 "$C" check "$d/lvl-0.conf" \
    --- show-500 "$C" show "$d/lvl-0.conf"
  echo "### Profile cost (\`cordon check\` on 11 files: 10 levels of includes, 500 mounts; $runs runs)"
  echo
  stats startup "$W/out/profile" check-bare check-500 show-500
  echo
fi

echo "loadavg at end: $(loadavg) (at start: $LOAD_START)"
if [ "$HARD" = no ] || [ "$HARDCG" = no ]; then
  echo
  echo "cordon+sec, cordon+sec+cg: n/a where not accepted — re-run \`make bench\` once cordon accepts \`seccomp { preset = \"default\" }\` and \`capabilities = {}\`."
fi
