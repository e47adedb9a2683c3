#!/bin/sh
# cgroup.sh — resource limits in real jails (v1 or v2, as the host has them):
# OOM kill and its message, a fork bomb held at pids, a cpu quota, the run
# report, and no cgroup left behind, not even by a SIGKILLed launcher.
. "$SRCDIR/tests/lib.sh"

# profile NAME LINE...: base_profile (tests/lib.sh) with the default
# namespaces, a /proc of the jail's pid namespace (the host's without one),
# and the lines.
profile() {
  name=$1; shift
  case "$*" in
    *namespaces*) proc='mount "/proc" { type = "bind" source = "/proc" }' ;;
    *) proc='mount "/proc" { type = "proc" }' ;;
  esac
  { base_profile -n -p; printf '%s\n' "$proc" "$@"; } > "$T/$name.conf"
}
profile free
profile mem 'cgroup { memory = "32M" memory_swap = "0" }'
profile memfill 'cgroup { memory = "32M" memory_swap = "0" }' 'mount "/fill" { type = "tmpfs" }'
profile pids 'cgroup { pids = 20 }'
profile bomb 'cgroup { pids = 64 }' 'time_limit = 2'
profile cpu 'cgroup { cpu = 0.5 }'
profile limit 'cgroup { pids = 100 }' 'time_limit = 1'
profile nocgns 'cgroup { pids = 100 }' 'namespaces = {"user", "mount", "pid", "ipc", "uts", "net"}'
profile nopidns 'cgroup { pids = 100 }' 'namespaces = {"user", "mount", "ipc", "uts", "net", "cgroup"}'

# Every jail cgroup of this test goes under its own parent, removed at exit.
parent="cordon-test-$$"
printf 'cgroup_parent = "%s"\n' "$parent" > "$T/cordon.conf"
chmod 644 "$T"/*.conf
export CORDON_CONFIG="$T/cordon.conf"
run() { "$CORDON" run "$@"; }

# The parent directories, one per hierarchy cordon used (from -v).
parents=$(run -v "$T/nopidns.conf" -D 'cgroup.memory="64M"' -D 'cgroup.cpu=1' -- true 2>&1 |
          sed -n 's|^cordon: cgroup v[12] \(.*\)/cordon-[0-9]*-[0-9a-f]\{16\}$|\1|p')
remove_parents() {
  for p in $parents; do
    for d in "$p"/cordon-*; do [ -d "$d" ] && rmdir "$d"; done
    rmdir "$p" 2>/dev/null
  done
}
at_exit remove_parents
if [ -z "$parents" ]; then
  if is_root; then
    ok "cgroups can be made here" false
  else
    skip "cgroup limits" "not root and no delegated cgroup"
  fi
  done_testing; exit
fi
# jail_cgroups: the jail cgroups that exist now (there must be none).
# cgroup v2 or v1: what holds the parent (which itself comes and goes).
on_v2() { [ -e "$(dirname "${parents%% *}")/cgroup.controllers" ]; }
jail_cgroups() { for p in $parents; do ls -d "$p"/cordon-* 2>/dev/null; done; }
field() { jq -r "$1" "$T/report.json"; }

# ---- memory ----
# The shell holds 100 MiB of "a"s: far more than the limit.
hog='x=$(head -c 104857600 /dev/zero | tr "\0" a); echo ${#x}'
err=$(run --report "$T/report.json" "$T/mem.conf" -- sh -c "$hog" 2>&1); rc=$?
is "oom: killed with 137" "$rc" 137
is "oom: says so" "$err" "cordon: killed: out of memory (limit 32M)"
is "oom: report reason" "$(field .reason)" oom
is "oom: report signal" "$(field .signal)" 9
like "oom: report peak memory near the limit" "$(field .peak_memory)" '^3[0-4][0-9]{6}$'
is "oom: the report has the limits set" "$(jq -c .limits "$T/report.json")" \
  '{"memory":33554432,"memory_swap":0,"pids":null,"cpu":null,"time_limit":null,"rlimits":{}}'
# A jail that fills a tmpfs past the limit holds that memory in no
# process's RSS: the OOM killer may take any of the jail's tasks, pid 1
# included, but never cordon itself, which writes its report and removes
# the cgroup.
rm -f "$T/report.json"
run --report "$T/report.json" "$T/memfill.conf" -- sh -c 'head -c 104857600 /dev/zero > /fill/x' > /dev/null 2>&1
like "oom in a tmpfs: cordon outlives it and reports" "$(field .reason 2>&1)" '^(oom|exited|signaled)$'
is "... and leaves no cgroup" "$(jail_cgroups)" ""

# The limit kills a child; the command itself then exits 137: it was not
# killed, and cordon does not say it was.  The child asks to be the OOM
# killer's choice: this failed once in CI's VM (check-vm), probably the
# kernel taking the small command too; the victim is the kernel's pick.
err=$(run --report "$T/report.json" "$T/mem.conf" -- sh -c "sh -c 'echo 1000 >/proc/self/oom_score_adj; $hog'; exit 137" 2>&1); rc=$?
is "oom of a child, exit 137 by itself: the status" "$rc" 137
unlike "... no 'killed' message from cordon (the shell's own 'Killed' is about its child)" "$err" "cordon"
is "... the report: exited, and the kill counted" \
  "$(field .reason):$(field .signal):$(field .oom_kills)" exited:null:1
is "oom: without the limit the same command runs" \
  "$(run "$T/free.conf" -- sh -c "$hog" 2>&1)" 104857600
is "oom: a command that fits is not killed" \
  "$(run "$T/mem.conf" -- sh -c 'x=$(head -c 1048576 /dev/zero | tr "\0" a); echo ${#x}' 2>&1)" 1048576

# ---- pids ----
# Start up to 100 sleepers: the limit stops them at 20 (counting sh and pid 1).
# The shell gives up at the first fork that fails; the last count stands.
spawn='i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); echo $i; done'
n=$(run "$T/pids.conf" -- sh -c "$spawn" 2>/dev/null | tail -n 1)
like "pids: forks stop at the limit ($n)" "$n" '^1[0-9]$'
is "pids: without the limit they do not" \
  "$(run "$T/free.conf" -- sh -c "$spawn" 2>/dev/null | tail -n 1)" 100
# A real fork bomb, held at 64 processes and ended by the time limit.
run --report "$T/report.json" "$T/bomb.conf" -- sh -c 'f() { f | f & }; f; exec sleep 10' >/dev/null 2>&1
is "fork bomb: ended by the time limit" "$(field .reason)" time_limit
is "fork bomb: the report says the pids limit was reached" "$(field .pids_limit_reached)" true
is "... and has the limits" "$(field '"\(.limits.pids):\(.limits.time_limit)"')" 64:2
peak=$(field .peak_pids)
if [ "$peak" = null ]; then skip "fork bomb: held at pids" "no pids.peak here"
else ok "fork bomb: held at pids ($peak)" test "$peak" -le 64; fi
is "fork bomb: nothing left" "$(jail_cgroups)" ""

# ---- cpu ----
# The share of one CPU a busy loop got in 3 s, from the shell's `times`
# (its children's user and system time): set-up time does not count.
busy='timeout 3 sh -c "while :; do :; done"; times'
share() {
  run "$@" -- sh -c "$busy" | awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/)
    print int((u[1] * 60 + u[2] + s[1] * 60 + s[2]) / 3 * 100) }'
}
s=$(share "$T/cpu.conf")
ok "cpu = 0.5: about half a CPU (${s}%)" test "$s" -ge 20 -a "$s" -le 80
s=$(share "$T/cpu.conf" -D cgroup.cpu=0.1)
ok "cpu = 0.1: at most about a tenth (${s}%)" test "$s" -le 15
# Without a limit: more than the tight one allows, even on a loaded host.
s=$(share "$T/free.conf")
ok "cpu: without the limit more (${s}%)" test "$s" -ge 25

# ---- the run report ----
run --report "$T/report.json" "$T/pids.conf" -- sh -c 'echo "a \"quoted\" \\ word"; exit 3' >/dev/null
is "report: profile" "$(field .profile)" pids
is "report: argv, escaped by jansson" "$(field '.argv | length'):$(field '.argv[2]')" '3:echo "a \"quoted\" \\ word"; exit 3'
is "report: exit status" "$(field .exit_status)" 3
is "report: exited" "$(field .reason):$(field .signal)" exited:null
like "report: start is RFC 3339" "$(field .start)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
like "report: end is RFC 3339" "$(field .end)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
is "report: times are numbers" "$(field '[.wall_time, .user_time, .system_time] | map(type) | join(",")')" number,number,number
is "report: every field" "$(field 'keys | join(",")')" \
  argv,end,exit_status,landlock_abi,limits,oom_kills,peak_memory,peak_pids,pids_limit_reached,profile,reason,signal,start,status,system_time,user_time,wall_time
is "report: status ended" "$(field .status)" ended
is "report: a pids limit not reached" "$(field .pids_limit_reached)" false
like "report: oom_kills counted where there is a memory cgroup" "$(field .oom_kills)" '^[0-9]+$'
if userns_works; then
  as_nobody "$CORDON_ANY" run -q --report-fd 3 -- true 3>"$T/nobody.json"
  # Here (cgroup v1) nobody gets no cgroup; elsewhere it may, then both count.
  is "report: without a memory cgroup oom_kills is null like peak_memory, not 0" \
    "$(jq -c '(.peak_memory == null) == (.oom_kills == null)' "$T/nobody.json")" true
  is "report: without a pids cgroup pids_limit_reached is null like peak_pids" \
    "$(jq -c '(.peak_pids == null) == (.pids_limit_reached == null)' "$T/nobody.json")" true
fi
run --report "$T/report.json" "$T/cpu.conf" -D rlimit.nofile=64 -D 'rlimit.stack="8M:unlimited"' -- true
is "report: the cpu quota and the rlimits as applied (null: unlimited)" \
  "$(jq -c '[.limits.cpu, .limits.rlimits.nofile, .limits.rlimits.stack]' "$T/report.json")" \
  '[0.5,{"soft":64,"hard":64},{"soft":8388608,"hard":null}]'
# A SIGKILLed launcher leaves the report it wrote at the start: the run's
# profile, command, limits and start, status "running", nothing stale.
echo stale > "$T/killed.json"
"$CORDON" run -q --report "$T/killed.json" "$T/pids.conf" -- sleep 30 & k=$!
i=0; until grep -q running "$T/killed.json" 2>/dev/null || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
kill_own -KILL $k; wait $k 2>/dev/null
is "report: a SIGKILLed launcher leaves a report saying running" \
  "$(jq -r '"\(.status):\(.reason):\(.exit_status):\(.end)"' "$T/killed.json")" running:null:null:null
is "... with the command, the limits and the start" \
  "$(jq -r '"\(.argv[0]):\(.limits.pids):\(.limits.time_limit):\(.start | test("^[0-9]{4}-"))"' "$T/killed.json")" \
  sleep:20:null:true
ls -a "$T" > "$T/ls"
is "... and no temporary file beside it" "$(grep -c cordon-report "$T/ls")" 0
run --report "$T/report.json" "$T/free.conf" -- sh -c 'kill -TERM $$'
is "report: signaled" "$(field .reason):$(field .signal):$(field .exit_status)" signaled:15:143
like "report: peaks measured without limits too" "$(field .peak_memory)" '^[0-9]+$'
run --report "$T/report.json" "$T/limit.conf" -- sleep 30 2>/dev/null
is "report: time limit" "$(field .reason):$(field .exit_status)" time_limit:143
run --report "$T/report.json" "$T/free.conf" -D 'cwd="/nonexistent"' -- true 2>/dev/null; rc=$?
is "report: setup error" "$(field .reason):$(field .exit_status):$rc" setup_error:125:125
like "report: setup error says why" "$(field .error)" 'chdir /nonexistent'
out=$(run --report-fd 3 "$T/free.conf" -- echo hi 3>"$T/fd.json")
is "report-fd: the command's output is its own" "$out" hi
is "report-fd: the report" "$(jq -r .reason "$T/fd.json")" exited
err=$(run --report /nonexistent/r.json "$T/free.conf" -- true 2>&1); rc=$?
is "report: an unwritable file fails before the jail" "$rc:$err" \
  "125:cordon: --report /nonexistent/r.json: open /nonexistent: No such file or directory (ENOENT)"

# ---- the cgroup namespace ----
# The child is moved into its cgroup before it unshares the namespace.
if on_v2; then line='0:'; else line='[0-9]+:pids'; fi
like "cgroup ns: the jail sees its cgroup as /" \
  "$(run "$T/pids.conf" -- cat /proc/self/cgroup)" "^$line:/\$"
like "cgroup ns: without it, the jail sees where it is" \
  "$(run "$T/nocgns.conf" -- cat /proc/self/cgroup)" "^$line:(/.*)?/$parent/cordon-[0-9]+-[0-9a-f]{16}\$"

# ---- clean-up ----
is "no cgroup left after the runs above" "$(jail_cgroups)" ""
is "... nor the parent cordon made for them" "$(for p in $parents; do ls -d "$p" 2>/dev/null; done)" ""
# running ARGS: is a process with exactly this command line alive?
running() {
  for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$f" 2>/dev/null; echo; done | grep -qx "$* "
}
run "$T/nopidns.conf" -- sh -c 'sleep 3131 & exit 1'
is "no cgroup left when a process outlives the command (no pid ns)" "$(jail_cgroups)" ""
fails "... and that process was killed" running sleep 3131
run "$T/pids.conf" -- /nonexistent 2>/dev/null
is "no cgroup left after a failed exec" "$(jail_cgroups)" ""

# A SIGKILLed launcher leaves its (empty) cgroup; the next run that makes
# one removes it.
"$CORDON" run "$T/pids.conf" -- sleep 30 &
launcher=$!
i=0; while [ -z "$(jail_cgroups)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
stale=$(jail_cgroups)
kill_own -KILL $launcher; wait $launcher 2>/dev/null
i=0; while [ -n "$(cat $stale/cgroup.procs 2>/dev/null)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
like "SIGKILLed launcher: its cgroup stays" "$stale" cordon-
run "$T/pids.conf" -- true
is "SIGKILLed launcher: the next run with limits removes it" "$(jail_cgroups)" ""

# Two launchers with the same pid, each in a pid namespace of its own (as
# in two containers), at once: each jail gets a cgroup of its own, and
# neither run takes the other's for stale.
if unshare -p -f --mount-proc true 2>/dev/null; then
  # twin N: in a new pid namespace, a launcher whose jail lives until a
  # line comes on the FIFO go.N (not for a time: a slow VM takes seconds
  # for one run).
  twin() {
    unshare -p -f --mount-proc sh -c '"$0" run "$1" -- /bin/sh -c "read x" <"$2" & echo "launcher pid $!"; wait $!; echo "rc=$?"' \
      "$CORDON" "$T/pids.conf" "$T/go.$1" > "$T/twin.$1" 2>&1
  }
  mkfifo "$T/go.1" "$T/go.2"
  twin 1 & t1=$!
  twin 2 & t2=$!
  exec 8>"$T/go.1" 9>"$T/go.2"
  i=0; while [ "$(jail_cgroups | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
  is "same pid, two pid namespaces: two cgroups at once" "$(jail_cgroups | wc -l)" 2
  run "$T/pids.conf" -- true
  is "... which another run does not take for stale" "$(jail_cgroups | wc -l)" 2
  echo >&8; echo >&9; exec 8>&- 9>&-
  wait $t1 $t2
  is "... the launchers had the same pid" "$(sed -n 1p "$T/twin.1")" "$(sed -n 1p "$T/twin.2")"
  is "... and both jails ran" "$(cat "$T/twin.1" "$T/twin.2" | grep -c '^rc=0$')" 2
  is "... and none is left" "$(jail_cgroups)" ""
  # A launcher killed with its pid namespace leaves its cgroup stale; a run
  # outside that namespace removes it (by its free lock, not its name).
  unshare -p -f --kill-child --mount-proc "$CORDON" run "$T/pids.conf" -- sleep 30 & u=$!
  i=0; while [ -z "$(jail_cgroups)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  stale=$(jail_cgroups)
  kill_own -KILL $u; wait $u 2>/dev/null
  i=0; while [ -n "$(cat $stale/cgroup.procs 2>/dev/null)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  ok "a launcher killed with its pid namespace: its cgroup stays ($stale)" test -n "$stale" -a -d "$stale"
  run "$T/pids.conf" -- true
  is "... and a run outside that namespace removes it" "$(jail_cgroups)" ""
else
  skip "two launchers with the same pid" "unshare -p cannot make a pid namespace here"
fi

# Many runs, some killed: none is left.
n=0
while [ $n -lt 200 ]; do
  if [ $((n % 50)) = 0 ]; then
    "$CORDON" run "$T/pids.conf" -- sleep 30 & l=$!
    sleep 0.3; kill_own -KILL $l; wait $l 2>/dev/null
  else
    run "$T/pids.conf" -- true
  fi
  n=$((n + 1))
done
run "$T/pids.conf" -- true
is "200 runs, 4 of them SIGKILLed: no cgroup left" "$(jail_cgroups)" ""

# ---- rootless ----
if ! as_nobody true 2>/dev/null; then
  skip "rootless" "cannot run as nobody (as_nobody needs util-linux's setpriv)"
elif userns_works; then
  err=$(as_nobody env CORDON_CONFIG="$T/cordon.conf" "$CORDON_ANY" run "$T/pids.conf" -- true 2>&1); rc=$?
  if [ $rc = 0 ]; then
    skip "rootless: limits refused" "this host delegates a cgroup to nobody"
  else
    is "rootless: limits without a writable cgroup: 125" $rc 125
    like "rootless: ... with a clear error" "$err" '^cordon: the profile sets cgroup limits, and there is no writable cgroup to enforce them \(a jail never runs unlimited instead\): mkdir .*: Permission denied \(EACCES\)$'
  fi
  is "rootless: no limits, no cgroup needed" \
    "$(as_nobody env CORDON_CONFIG="$T/cordon.conf" "$CORDON_ANY" run "$T/free.conf" -- echo ok 2>&1)" ok
  # On v2, root delegates a subtree to nobody as systemd's Delegate=yes does
  # (controllers enabled from above; the directory, cgroup.procs,
  # cgroup.subtree_control and cgroup.threads chowned) and starts nobody's
  # launcher in a leaf of it: the jails' cgroups go next to that leaf.
  d=${parents%% *}/u65534
  if is_root && on_v2; then
    undelegate() {
      for x in "$d/$parent"/cordon-* "$d/$parent" "$d/launcher" "$d"; do
        [ -d "$x" ] && rmdir "$x"
      done
    }
    at_exit undelegate
    # The test's parent went with its last jail: make it again, with the
    # controllers its children need, as cordon does.
    mkdir -p "$d"
    for c in $(cat "${parents%% *}/cgroup.controllers"); do
      echo "+$c" > "${parents%% *}/cgroup.subtree_control"
    done
    for c in $(cat "$d/cgroup.controllers"); do echo "+$c" > "$d/cgroup.subtree_control"; done
    chown 65534:65534 "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
    as_nobody mkdir "$d/launcher"
    # delegated ARGS: cordon run ARGS as nobody, started in the leaf.
    delegated() {
      (echo 0 > "$d/launcher/cgroup.procs" &&
        as_nobody env CORDON_CONFIG="$T/cordon.conf" "$CORDON_ANY" run "$@")
    }
    err=$(delegated "$T/mem.conf" -- sh -c "$hog" 2>&1); rc=$?
    is "rootless, delegated v2: oom killed with 137" "$rc" 137
    is "rootless, delegated v2: ... and says so" "$err" "cordon: killed: out of memory (limit 32M)"
    is "rootless, delegated v2: without the limit the same command runs" \
      "$(delegated "$T/free.conf" -- sh -c "$hog" 2>&1)" 104857600
    n=$(delegated "$T/pids.conf" -- sh -c "$spawn" 2>/dev/null | tail -n 1)
    like "rootless, delegated v2: forks stop at the limit ($n)" "$n" '^1[0-9]$'
    like "rootless, delegated v2: the jail's cgroup is next to the launcher's" \
      "$(delegated "$T/nocgns.conf" -- cat /proc/self/cgroup 2>&1)" "^0::(/.*)?/u65534/$parent/cordon-[0-9]+-[0-9a-f]{16}\$"
    is "rootless, delegated v2: no cgroup left" "$(ls -d "$d/$parent"/cordon-* 2>/dev/null)" ""
  else
    skip "rootless: limits in a delegated cgroup" "delegating a subtree needs root and cgroup v2"
  fi
else
  skip "rootless" "unprivileged user namespaces are off"
fi

done_testing
