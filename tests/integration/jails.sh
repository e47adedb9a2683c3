#!/bin/sh
# jails.sh — running jails: their records, cordon ps, enter and stop, and
# what a process entered into a jail can do (exactly what the jail's own
# command can).
. "$SRCDIR/tests/lib.sh"


# Names unique to this run: other test runs share root's state directory.
U=h7t$$
mkdir -p "$T/w" "$T/xdg" && chmod 777 "$T/w"
chown 65534:65534 "$T/xdg" 2>/dev/null; chmod 700 "$T/xdg"
profile basic 'mount "/w" { type = "bind" source = "'"$T/w"'" writable = true }'

# Every jail still running when the test ends is stopped; every process
# the test starts is killed.
bg_pids=""
at_exit 'kill_own -KILL $bg_pids'

for who in root nobody; do
  if [ $who = root ]; then
    c() { "$CORDON" "$@"; }
    bg_c() { exec "$CORDON" "$@"; }
    state=/run/cordon/jails
  elif userns_works; then
    c() { as_nobody env XDG_RUNTIME_DIR="$T/xdg" "$CORDON_ANY" "$@"; }
    bg_c() { exec setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env XDG_RUNTIME_DIR="$T/xdg" "$CORDON_ANY" "$@"; }
    state=$T/xdg/cordon/jails
  else skip "as nobody" "unprivileged user namespaces are off"; continue; fi

  # start NAME [RUN-ARGS...] -- CMD: a jail in the background that touches
  # /w/ready.NAME and then runs CMD; $launcher is its cordon run.
  start() {
    _n=$1; shift
    rm -f "$T/w/ready.$_n"
    bg_c run --name "$_n" "$@" &
    launcher=$!
    bg_pids="$bg_pids $launcher"
    wait_until test -e "$T/w/ready.$_n"
    # the command can run before the launcher has put pid 1 in the record;
    # until then enter says "still starting"
    wait_until recorded "$_n"
  }
  recorded() { # NAME: ps lists the jail with its pid 1
    c ps --json | python3 -c "
import json, sys
sys.exit(0 if any(j['name'] == sys.argv[1] and j['pid'] for j in json.load(sys.stdin)) else 1)" "$1"
  }
  ready() { echo "touch /w/ready.$1; exec $2"; }

  # ---- the seed case: enter a running jail ----
  n=$U-$who-a
  start $n "$T/basic.conf" -- sh -c "cat /proc/self/uid_map > /w/map.$n; cat /proc/self/gid_map > /w/gmap.$n; $(ready $n 'sleep 60')"
  # the host ids of the jail's uid and gid 0
  mapped=$(awk '$1 == 0 { print $2 }' "$T/w/map.$n"):$(awk '$1 == 0 { print $2 }' "$T/w/gmap.$n")
  rm -f "$T/w/made.$n"
  c enter $n -- touch /w/made.$n
  is "$who: a file made through enter is owned on the host by the mapped id" \
    "$(stat -c %u:%g "$T/w/made.$n" 2>&1)" "$mapped"
  like "$who: ... which is not root's" "$mapped" "^[1-9][0-9]*:[1-9][0-9]*$"
  is "$who: enter sees the jail's uid_map" \
    "$(c enter $n -- cat /proc/self/uid_map)" "$(cat "$T/w/map.$n")"
  is "$who: ps through enter shows the jail's pid 1" \
    "$(c enter $n -- ps -o pid=,args= -p 1 | sed 's/^ *//')" "1 cordon-init $n"
  like "$who: ... and the jail's command" \
    "$(c enter $n -- ps -o pid=,args= | sed 's/^ *//')" "^2 sleep 60"
  unlike "$who: pid 1's command line holds no host path" \
    "$(c enter $n -- cat /proc/1/cmdline | tr '\0' ' ')" "cordon run|$T|/"
  is "$who: the entered command's status comes back" \
    "$(c enter $n -- sh -c 'exit 42'; echo $?)" 42
  is "$who: enter's default command is the jail's /bin/sh" \
    "$(echo 'echo $0' | c enter $n)" "/bin/sh"
  is "$who: enter keeps the jail's environment rules" \
    "$(FOO=bar c enter $n -- env)" "$(FOO=bar c run "$T/basic.conf" -- env)"

  # ---- ps ----
  json=$(c ps --json)
  rec=$(printf '%s' "$json" | python3 -c "
import json, sys
for j in json.load(sys.stdin):
    if j['name'] == '$n':
        print(j['id'], j['profile'], j['user'], j['pid'] > 0, j['launcher_pid'],
              j['command'], j['uptime_seconds'] >= 0, j['address'])" 2>&1)
  like "$who: ps --json: id, profile, user, pid, launcher, command" \
    "$rec" "^[0-9a-f]{12} basic $who True $launcher \['sh', '-c', .*\] True None$"
  like "$who: ps lists it" "$(c ps)" "^[0-9a-f]{12} +$n +basic +$who "
  id=$(printf '%s' "$rec" | cut -d' ' -f1)
  is "$who: enter by id" "$(c enter "$id" -- hostname)" "$(c enter $n -- hostname)"
  is "$who: the record is private" "$(stat -c %a "$state")" 700

  # ---- a name clash is an error before anything starts ----
  out=$(c run --name $n "$T/basic.conf" -- touch /w/clash.$n 2>&1); rc=$?
  is "$who: a name clash: 125" $rc 125
  like "$who: ... says so" "$out" "--name $n: a running jail .* has that name already"
  ok "$who: ... and the command did not run" test ! -e "$T/w/clash.$n"
  is "$who: a bad name: 125" "$(c run --name ../x "$T/basic.conf" -- true 2>/dev/null; echo $?)" 125

  # ---- the pid-reuse case: a record whose pid 1 is now another process ----
  sleep 61 &
  other=$!
  bg_pids="$bg_pids $other"
  forged=$(printf '%012x' $(( ($$ * 7 + ${#who}) % 1000000000 )))
  sed "s/^id=.*/id=$forged/; s/^name=.*/name=$n-forged/; s/^pid=.*/pid=$other/" \
    "$state/$id" > "$state/.$forged" && cp "$state/$id.conf" "$state/$forged.conf" &&
    chown "$(stat -c %u "$state/$id")" "$state/.$forged" "$state/$forged.conf" &&
    mv "$state/.$forged" "$state/$forged"
  out=$(c enter $n-forged -- true 2>&1); rc=$?
  is "$who: a reused pid is never entered: 125" $rc 125
  like "$who: ... says why" "$out" "has ended: pid $other is no longer its pid 1"
  out=$(c stop $n-forged 2>&1); rc=$?
  is "$who: ... nor stopped" $rc 125
  ok "$who: ... and the other process lives" kill -0 $other
  kill_own $other; wait $other 2>/dev/null
  rm -f "$state/$forged" "$state/$forged.conf"

  # ---- stop ----
  c stop $n
  wait $launcher; rc=$?
  is "$who: stop: the run ends as for SIGTERM" $rc 143
  ok "$who: ... and its record is gone" test ! -e "$state/$id"
  out=$(c enter $n -- true 2>&1); rc=$?
  is "$who: enter after the jail ended: 125" $rc 125
  like "$who: ... says so" "$out" "$n: no running jail of yours has that id or name"

  n=$U-$who-b
  start $n "$T/basic.conf" -- sh -c "trap '' TERM; touch /w/ready.$n; while :; do sleep 0.1; done"
  c stop --timeout 1 $n
  wait $launcher; rc=$?
  is "$who: stop with SIGTERM trapped: SIGKILL after the timeout" $rc 137

  n=$U-$who-c
  start $n "$T/basic.conf" -- sh -c "trap 'exit 9' USR1; touch /w/ready.$n; while :; do sleep 0.1; done"
  c stop --signal USR1 $n
  wait $launcher; rc=$?
  is "$who: stop --signal USR1 reaches the command's trap" $rc 9

  # ---- a SIGKILLed launcher leaves a record the next ps sweeps ----
  n=$U-$who-d
  start $n "$T/basic.conf" -- sh -c "$(ready $n 'sleep 60')"
  id=$(c ps --json | python3 -c "
import json, sys
print([j['id'] for j in json.load(sys.stdin) if j['name'] == '$n'][0])")
  kill_own -KILL $launcher; wait $launcher 2>/dev/null
  # root's records are one directory for the whole machine: a root run of
  # another test running beside this one (make -j2 check) may sweep it first
  if [ $who = nobody ]; then
    ok "$who: a SIGKILLed launcher's record is still there" test -e "$state/$id"
  fi
  unlike "$who: ... ps does not list it" "$(c ps)" " $n "
  ok "$who: ... and swept it" test ! -e "$state/$id"
done

# The rest as the caller.
c() { "$CORDON" "$@"; }
bg_c() { exec "$CORDON" "$@"; }

# ---- only root and the user who started a jail ----
if is_root && userns_works; then
  n=$U-root-e
  start $n "$T/basic.conf" -- sh -c "$(ready $n 'sleep 60')"
  out=$(as_nobody env XDG_RUNTIME_DIR="$T/xdg" "$CORDON_ANY" enter $n -- true 2>&1); rc=$?
  is "another user cannot enter a jail: 125" $rc 125
  like "... with a clear refusal" "$out" "only root and the user who started a jail may enter or stop it"
  out=$(as_nobody env XDG_RUNTIME_DIR="$T/xdg" "$CORDON_ANY" stop $n 2>&1); rc=$?
  is "... nor stop it: 125" $rc 125
  ok "... and it still runs" kill -0 $launcher
  "$CORDON" stop $n; wait $launcher

  # Root sees a user's jails where their runtime directory is /run/user/UID.
  if [ ! -e /run/user/65534 ] && mkdir -p /run/user/65534; then
    at_exit 'rm -rf /run/user/65534'
    chown 65534:65534 /run/user/65534 && chmod 700 /run/user/65534
    n=$U-user
    rm -f "$T/w/ready.$n"
    setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env XDG_RUNTIME_DIR=/run/user/65534 \
      "$CORDON_ANY" run --name $n "$T/basic.conf" -- sh -c "$(ready $n 'sleep 60')" &
    launcher=$!
    bg_pids="$bg_pids $launcher"
    wait_until test -e "$T/w/ready.$n"
    like "root's ps lists a user's jail" "$("$CORDON" ps)" "^[0-9a-f]{12} +$n +basic +nobody "
    rm -f "$T/w/root.$n"
    "$CORDON" enter $n -- touch /w/root.$n
    is "root enters a user's jail as the jail's ids" "$(stat -c %u "$T/w/root.$n" 2>&1)" 65534
    "$CORDON" stop $n
    wait $launcher; rc=$?
    is "root stops a user's jail" $rc 143

    # A user's record is the user's word only: one that names root's
    # processes (and asks for no seccomp) gets root nowhere.
    sleep 62 & la=$!
    sh -c 'sleep 62; :' & p1=$!     # a pid 1 with a child: a "command"
    bg_pids="$bg_pids $la $p1"
    ud=/run/user/65534/cordon/jails
    forged=$(printf '%012x' $(( ($$ * 13) % 1000000000 )))
    printf 'id=%s\nname=%s\nuid=65534\nlauncher=%s\nlauncher_start=%s\npid=%s\npid_start=%s\nstarted=1\n' \
      $forged $U-deputy $la "$(cut -d' ' -f22 /proc/$la/stat)" $p1 "$(cut -d' ' -f22 /proc/$p1/stat)" > "$ud/.$forged"
    "$CORDON" show "$T/basic.conf" -D 'seccomp.preset="none"' -D 'namespaces={"mount"}' > "$ud/$forged.conf"
    chown 65534:65534 "$ud/.$forged" "$ud/$forged.conf" && mv "$ud/.$forged" "$ud/$forged"
    like "root's ps lists a user's record that names root's processes" "$("$CORDON" ps)" " $U-deputy "
    out=$("$CORDON" enter $U-deputy -- true 2>&1); rc=$?
    is "... root does not enter it: 125" $rc 125
    like "... and says why" "$out" "jail $forged of uid 65534: refused, its launcher is not the user's"
    out=$("$CORDON" stop $U-deputy 2>&1); rc=$?
    is "... nor stop it: 125" $rc 125
    ok "... and root's processes live" kill -0 $la $p1
    kill_own $la $p1; wait $la $p1 2>/dev/null
    rm -f "$ud/$forged" "$ud/$forged.conf"
  else
    skip "root and a user's jail" "/run/user/65534 exists already"
  fi
else
  skip "another user's jail" "needs root and user namespaces"
fi

# ---- the state directory is out of every jail's reach ----
if is_root; then
  profile hostrun 'mount "/run" { type = "bind" source = "/run" }'
  n=$U-run
  start $n "$T/hostrun.conf" -- sh -c "$(ready $n 'sleep 60')"
  like "a jail that binds the host's /run cannot list the records" \
    "$("$CORDON" run "$T/hostrun.conf" -- ls /run/cordon/jails 2>&1)" "Permission denied"
  like "... nor read one" \
    "$("$CORDON" enter $n -- sh -c 'cat /run/cordon/jails/*' 2>&1)" "Permission denied"
  "$CORDON" stop $n; wait $launcher
else
  skip "the state directory in a jail" "needs root"
fi

# ---- a record this cordon cannot read (another build's) ----
if is_root; then
  sleep 60 & la=$!
  bg_pids="$bg_pids $la"
  odd=$(printf '%012x' $(( ($$ * 17) % 1000000000 )))
  at_exit "rm -f /run/cordon/jails/$odd"
  printf 'id=%s\nname=%s\nuid=0\nlauncher=%s\nlauncher_start=%s\nstarted=soon\n' \
    $odd $U-odd $la "$(cut -d' ' -f22 /proc/$la/stat)" > /run/cordon/jails/.$odd
  mv /run/cordon/jails/.$odd /run/cordon/jails/$odd
  unlike "a record cordon cannot read is not listed" "$("$CORDON" ps)" " $U-odd "
  ok "... but stays while its launcher lives" test -e /run/cordon/jails/$odd
  kill_own $la; wait $la 2>/dev/null
  "$CORDON" ps >/dev/null
  ok "... and is swept once it is gone" test ! -e /run/cordon/jails/$odd
else
  skip "a record cordon cannot read" "needs root"
fi

# ---- a cordon in another pid namespace, sharing /run (unshare -p) ----
# Its /proc cannot see the host's launchers, nor the host's /proc its
# own: each leaves the other's records alone.
if is_root && unshare -p -f --mount-proc true 2>/dev/null; then
  n=$U-pidns
  start $n "$T/basic.conf" -- sh -c "$(ready $n 'sleep 60')"
  unshare -p -f --mount-proc "$CORDON" run "$T/basic.conf" -- true
  unshare -p -f --mount-proc "$CORDON" ps > /dev/null
  like "a cordon in another pid namespace leaves the host's records alone" \
    "$("$CORDON" ps)" " $n "
  is "... and enter still finds the jail" "$("$CORDON" enter $n -- echo in)" in
  "$CORDON" stop $n; wait $launcher
  m=$U-pidns-in
  rm -f "$T/w/ready.$m" "$T/w/end.$m"
  unshare -p -f --mount-proc "$CORDON" run --name $m "$T/basic.conf" -- \
    sh -c "touch /w/ready.$m; while [ ! -e /w/end.$m ]; do sleep 0.1; done" & inner=$!
  bg_pids="$bg_pids $inner"
  wait_until test -e "$T/w/ready.$m"
  named() { grep -lx "name=$1" /run/cordon/jails/* 2>/dev/null | grep -q .; }
  wait_until named $m
  unlike "the host's ps does not list a jail of another pid namespace" \
    "$("$CORDON" ps)" " $m "
  ok "... nor sweeps its record while it runs" named $m
  touch "$T/w/end.$m"; wait $inner
  ok "... which goes when that jail ends" test -z "$(grep -lx "name=$m" /run/cordon/jails/* 2>/dev/null)"
  # its launcher killed with SIGKILL (unshare --kill-child), that namespace
  # is gone: the host's next ps sweeps the record
  m=$U-pidns-killed
  rm -f "$T/w/ready.$m"
  unshare -p -f --kill-child --mount-proc "$CORDON" run --name $m "$T/basic.conf" -- \
    sh -c "$(ready $m 'sleep 60')" & inner=$!
  bg_pids="$bg_pids $inner"
  wait_until test -e "$T/w/ready.$m"
  wait_until named $m
  # (unshare's SIGKILL reaches its child, that launcher, a moment later)
  kill_own -KILL $inner; wait $inner 2>/dev/null
  swept_by_ps() { "$CORDON" ps > /dev/null; ! named $1; }
  ok "a record of a pid namespace whose launcher was killed is swept by the host's ps" \
    wait_until swept_by_ps $m
else
  skip "a cordon in another pid namespace" "needs root"
fi

# ---- enter -t: a terminal of the jail's, as tty = true ----
if command -v script >/dev/null 2>&1; then
  n=$U-tty
  start $n "$T/basic.conf" -- sh -c "$(ready $n 'sleep 60')"
  in_terminal() {
    timeout -k 5 60 script -qec "$1" /dev/null </dev/null 2>&1 | tr -d '\r' | sed 's/\^@//g'
  }
  like "enter -t: tty(1) names the jail's /dev/pts" \
    "$(in_terminal "$CORDON enter -t $n -- tty")" '^/dev/pts/[0-9]+$'
  is "enter without -t: no terminal of the jail's" \
    "$(in_terminal "$CORDON enter $n -- tty")" "not a tty"
  # ^C typed at the terminal (the kernel's SIGINT, to the foreground
  # group) reaches the command, which is in a session of its own.
  # enter is script's child itself (exec): a shell between them would be
  # in the foreground group too, and dash, not bash, dies of the ^C
  # before it can tell enter's status (CI's SHELL is not ours).  script -e
  # returns that status.  The terminal stays open until it is written:
  # script ends when its input does, and a loaded machine may not have
  # got that far.
  rm -f "$T/w/int.$n" "$T/int-status.$n"
  out=$( (wait_until test -e "$T/w/int.$n"; printf '\003'
          wait_until test -s "$T/int-status.$n") |
    { SHELL=/bin/sh timeout -k 5 60 script -qec "exec $CORDON enter $n -- sh -c 'trap \"echo got INT; exit 3\" INT; touch /w/int.$n; sleep 20 & wait'" /dev/null 2>&1
      echo $? >"$T/int-status.$n"; } | tr -d '\r')
  like "^C at the terminal reaches enter's command" "$out" "got INT"
  is "... and its status comes back" "$(cat "$T/int-status.$n" 2>/dev/null)" 3
  "$CORDON" stop $n; wait $launcher
else
  skip "enter -t" "script(1) (util-linux) is not installed"
fi

# ---- the time namespace (pid 1 makes it for its children only) ----
if is_root; then
  n=$U-time
  start $n "$T/basic.conf" -D 'namespaces+="time"' -- sh -c "readlink /proc/self/ns/time > /w/time.$n; $(ready $n 'sleep 60')"
  is "enter joins the jail's time namespace" \
    "$("$CORDON" enter $n -- readlink /proc/self/ns/time)" "$(cat "$T/w/time.$n")"
  "$CORDON" stop $n; wait $launcher
else
  skip "the time namespace" "needs root"
fi

# ---- a jail's cgroup: ps shows its use, enter joins it ----
if is_root; then
  n=$U-cg
  start $n "$T/basic.conf" -D 'cgroup.memory="64M"' -D cgroup.pids=50 -- sh -c "$(ready $n 'sleep 60')"
  like "ps --json: memory, peak and processes of a jail with a cgroup" \
    "$("$CORDON" ps --json | python3 -c "
import json, sys
for j in json.load(sys.stdin):
    if j['name'] == '$n':
        print(j['memory_bytes'] > 0, j['memory_peak_bytes'] > 0, j['pids'])")" "^True True [1-9]"
  is "enter joins the jail's cgroup (its root, in the jail's cgroup namespace)" \
    "$("$CORDON" enter $n -- sh -c "{ grep ':memory:' /proc/self/cgroup || grep '^0::' /proc/self/cgroup; } | cut -d: -f3")" "/"
  "$CORDON" stop $n; wait $launcher
else
  skip "a jail's cgroup" "needs root"
fi

# ---- network { mode = "netns" }: an existing namespace, as is ----
if is_root && command -v ip >/dev/null 2>&1 && ip netns add $U-ns 2>/dev/null; then
  at_exit "ip netns delete $U-ns 2>/dev/null"
  ip -n $U-ns link add h7a type veth peer name h7b
  profile netns 'network { mode = "netns"  path = "/run/netns/'$U-ns'" }'
  ok "check: a netns path that is a network namespace" "$CORDON" check "$T/netns.conf"
  is "the jail is in that namespace" \
    "$("$CORDON" run "$T/netns.conf" -- readlink /proc/self/ns/net)" \
    "net:[$(stat -L -c %i /run/netns/$U-ns)]"
  like "... and sees its interfaces as they are" \
    "$("$CORDON" run "$T/netns.conf" -- cat /proc/net/dev)" "h7a:"
  n=$U-ns-j
  start $n "$T/netns.conf" -- sh -c "touch /w/ready.$n; exec sleep 60"
  is "enter joins it too" "$("$CORDON" enter $n -- readlink /proc/self/ns/net)" \
    "net:[$(stat -L -c %i /run/netns/$U-ns)]"
  "$CORDON" stop $n; wait $launcher
  out=$("$CORDON" check -D network.path=/proc/self/ns/ipc "$T/netns.conf" 2>&1); rc=$?
  is "check: an ipc namespace is no netns path: 1" $rc 1
  like "... says so" "$out" 'path "/proc/self/ns/ipc" is not a network namespace'
  if userns_works; then
    cp "$T/netns.conf" "$T/netns-nobody.conf"
    out=$(as_nobody "$CORDON_ANY" run "$T/netns-nobody.conf" -- true 2>&1); rc=$?
    is "nobody: netns mode: 125" $rc 125
    like "... it needs root" "$out" 'network mode "netns" needs root'
  fi
else
  skip "network mode netns" "needs root and ip(8) netns"
fi

# ---- enter is no way out: the attack probes give what they give in run ----
use_attack_probe
cp "$PROBE" "$T/probe/suid" && chmod 4755 "$T/probe/suid"
probe_all='for a in keyctl "mount /tmp" ptrace unshare setns "open-read /proc/keys" "open-read /proc/1/exe" "open-read /proc/1/environ" "open-read /proc/1/mem"; do printf "%s: " "$a"; attack $a; done; printf "suid: "; suid euid; grep -E "^(Cap|NoNewPrivs|Seccomp:)" /proc/self/status'
for who in root nobody; do
  if [ $who = root ]; then
    c() { "$CORDON" "$@"; }
  elif userns_works; then
    c() { as_nobody env XDG_RUNTIME_DIR="$T/xdg" PROBE_DIR="$PROBE_DIR" "$CORDON_ANY" "$@"; }
  else skip "$who: the probes through enter" "unprivileged user namespaces are off"; continue; fi
  n=$U-probe-$who
  c run --name $n "$P" -D uid=65534 -D gid=65534 -- sh -c "touch /tmp/r; sleep 60" &
  launcher=$!
  bg_pids="$bg_pids $launcher"
  wait_until c enter $n -- test -e /tmp/r
  via_run=$(c run "$P" -D uid=65534 -D gid=65534 -- sh -c "$probe_all" 2>&1)
  via_enter=$(c enter $n -- sh -c "$probe_all" 2>&1)
  like "$who: the probes through run are refused" "$via_run" "keyctl: EPERM"
  is "$who: the probes through enter give the same" "$via_enter" "$via_run"
  echo "$via_enter" | sed 's/^/# /'
  c stop $n; wait $launcher
done

done_testing
