#!/bin/sh
# supervise.sh — pid 1 and the launcher: time limit, signals, reaping, and
# the jail dying with the launcher.
. "$SRCDIR/tests/lib.sh"

# Jails from profile NAME LINE... (tests/lib.sh): the host's /usr and /dev,
# all namespaces but time with a /proc, and a bare environment, unless the
# LINEs set them.
profile basic
profile limit 'time_limit = 1'
profile nopid 'namespaces = {"user", "mount"}' 'mount "/proc" { type = "bind" source = "/proc" }'

# 2,000 binds: a set-up long enough to be caught in the act.
profile slowsetup 'time_limit = 1'
i=0
while [ $i -lt 2000 ]; do
  echo "mount \"/b/$i\" { type = \"bind\"  source = \"/usr/share\" }"
  i=$((i + 1))
done >> "$T/slowsetup.conf"

# The host pids of processes whose command line is exactly ARGS.
pids_of() { pgrep -x -f "$*" >/dev/null; }

for who in root nobody; do
  # bg_run: for `bg_run ... &`, so that $! is cordon itself.
  if [ $who = root ]; then
    run() { "$CORDON" run "$@"; }
    bg_run() { exec "$CORDON" run "$@"; }
  elif userns_works; then
    run() { as_nobody "$CORDON_ANY" run "$@"; }
    bg_run() { exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- env TMPDIR="$T" "$CORDON_ANY" run "$@"; }
  else skip "as nobody" "unprivileged user namespaces are off"; continue; fi

  err=$(run "$T/limit.conf" -- sleep 30 2>&1); rc=$?
  is "$who: time limit: killed by SIGTERM" $rc 143
  is "$who: time limit: says so" "$err" "cordon: killed: time limit 1s reached"
  err=$(run "$T/limit.conf" -- sh -c 'trap "" TERM; sleep 30' 2>&1); rc=$?
  is "$who: time limit: SIGKILL when SIGTERM is ignored" $rc 137
  is "$who: time limit within the limit" "$(run "$T/limit.conf" -- echo fast 2>&1)" fast

  # How the command ended, as the status and the report tell it: from its
  # wait status, so that a status of 128+N it exits with itself is no
  # signal, and a command that never ran says so.
  mkdir -p "$T/rep" && chmod 1777 "$T/rep"
  rep=$T/rep/$who.json
  # ended PROFILE CMD...: "STATUS REASON EXIT_STATUS SIGNAL" of the run.
  ended() {
    _p=$1; shift
    run --report "$rep" "$T/$_p.conf" -- "$@" 2>/dev/null
    echo "$? $(jq -r '"\(.reason) \(.exit_status) \(.signal)"' "$rep")"
  }
  for p in basic nopid; do
    is "$who, $p: exit 137 by itself is no signal" "$(ended $p sh -c 'exit 137')" "137 exited 137 null"
    is "$who, $p: killed by SIGKILL" "$(ended $p sh -c 'kill -KILL $$')" "137 signaled 137 9"
    is "$who, $p: exit 143 by itself" "$(ended $p sh -c 'exit 143')" "143 exited 143 null"
    is "$who, $p: killed by SIGTERM" "$(ended $p sh -c 'kill -TERM $$')" "143 signaled 143 15"
    is "$who, $p: exit 129 by itself" "$(ended $p sh -c 'exit 129')" "129 exited 129 null"
    is "$who, $p: exit 127 by itself is no exec failure" "$(ended $p sh -c 'exit 127')" "127 exited 127 null"
    is "$who, $p: exit 126 by itself" "$(ended $p sh -c 'exit 126')" "126 exited 126 null"
    is "$who, $p: a command not found" "$(ended $p /nonexistent)" "127 not_found 127 null"
    is "$who, $p: ... says why" "$(jq -r .error "$rep")" \
      "exec /nonexistent: No such file or directory (ENOENT)"
    is "$who, $p: a command that cannot be executed" "$(ended $p /usr)" "126 cannot_execute 126 null"
    is "$who, $p: ... says why" "$(jq -r .error "$rep")" "exec /usr: Permission denied (EACCES)"
  done
  is "$who: a time limit the command outlives is still one" \
    "$(ended limit sh -c 'trap "exit 3" TERM; sleep 30 & wait')" "3 time_limit 3 null"

  # An orphan's zombie is reaped by pid 1.
  is "$who: orphans are reaped" \
    "$(run "$T/basic.conf" -- sh -c 'sh -c "sleep 0.1 &"; sleep 2; grep -l "^State:.*Z" /proc/[0-9]*/status')" ""
  is "$who: orphans are reaped without a pid namespace" \
    "$(run "$T/nopid.conf" -- sh -c 'sh -c "sleep 0.1 &"; sleep 2
        set -- $(cat /proc/$PPID/task/$PPID/children)
        [ "$*" = "$$" ] && echo clean || echo "children of the subreaper: $*"')" clean

  # SIGTERM to the launcher reaches the command's trap.
  # (emptied first: the job's own "> $out" happens only once it runs, and
  # wait_until must not see an earlier job's "ready")
  out=$T/out.$who
  : > "$out"
  bg_run "$T/basic.conf" -- sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done' > "$out" &
  launcher=$!
  wait_until grep -q ready "$out"
  kill -TERM $launcher
  wait $launcher; rc=$?
  is "$who: SIGTERM is forwarded" "$(cat "$out")" "ready
got TERM"
  is "$who: ... and the trap's status comes back" $rc 7

  : > "$out"
  bg_run "$T/basic.conf" -- sh -c 'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done' > "$out" &
  launcher=$!
  wait_until grep -q ready "$out"
  kill -USR1 $launcher
  wait_until grep -q 'got USR1' "$out"
  is "$who: SIGUSR1 is forwarded" "$(cat "$out")" "ready
got USR1"
  kill -TERM $launcher; wait $launcher

  # A set-up that hangs is held to the time limit too: pid 1, stopped as
  # soon as it exists (the launcher's first child: no fork per look, so
  # the look cannot lose the race to a set-up of 2,000 mounts), is killed
  # at the limit, and the command never runs.
  out=$T/out-setup.$who
  : > "$out"
  bg_run "$T/slowsetup.conf" -- sh -c 'echo ran; sleep 30' > "$out" 2>&1 &
  launcher=$!
  pid1=
  i=0
  while [ -z "$pid1" ] && [ $i -lt 200000 ]; do
    read -r pid1 _ < /proc/$launcher/task/$launcher/children 2>/dev/null
    i=$((i + 1))
  done
  kill -STOP $pid1
  wait $launcher; rc=$?
  is "$who: a hung set-up: killed at the time limit" "$rc $(cat "$out")" \
    "137 cordon: killed: time limit 1s reached"
  fails "$who: ... and its pid 1 is gone" kill -0 $pid1

  # SIGKILL to the launcher takes the jail down with it.
  marker=$((4000 + $$ % 1000))
  bg_run "$T/basic.conf" -- sleep $marker &
  launcher=$!
  wait_until pids_of sleep $marker
  ok "$who: the jailed command runs" pids_of sleep $marker
  kill -KILL $launcher
  wait $launcher 2>/dev/null
  ok "$who: killing the launcher kills the jail" wait_until eval "! pids_of sleep $marker"
done

is "nothing left mounted on the host" "$(host_mounts_matching "$T"; host_mounts_matching oldroot)" ""
done_testing
