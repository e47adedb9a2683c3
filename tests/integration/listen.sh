#!/bin/sh
# listen.sh — cordon serve: a fresh jail for every TCP connection, as root
# and rootless, on the loopback of a network namespace of this test's own
# (tests/fixtures/network/netlib.sh): each connection its own jail, the
# peer in its environment, nothing of the server in it, the limits, the
# time limit, a reset mid-setup, an OOM, 1,000 connections leaving nothing
# behind, SIGTERM, SIGHUP; an id for every jail, registered or not; a
# slot freed when its jail ends, before its launcher has cleaned up; a
# server out of descriptors pausing its accepts.
. "$SRCDIR/tests/fixtures/network/netlib.sh"
. "$SRCDIR/tests/lib.sh"

PORT=8022
# Every jail cgroup of this test goes under its own parent: none may be
# left once the server has stopped.
parent="cordon-test-listen-$$"
printf 'cgroup_parent = "%s"\n' "$parent" > "$T/cordon.conf"
left_cgroups() { find /sys/fs/cgroup -type d -name "$parent" 2>/dev/null; }
remove_parents() { for d in $(left_cgroups); do rmdir "$d"/* "$d" 2>/dev/null; done; }
at_exit remove_parents

# The client: get PORT [DATA] prints the reply to DATA; hold PORT SRC
# prints the first line of the reply, then "closed" when the server ends
# the connection; rst PORT connects and resets at once; many PORT N C
# makes N connections, C at a time, every tenth reset at once, and prints
# how many got a reply; together PORT N holds N connections open until
# each has sent its first line, then prints those lines (N jails alive at
# once: a namespace's inode number is reused once its jail has ended);
# first PORT SRC prints the first line of the reply ("closed": none) and
# hangs up.
cat > "$T/client.py" <<'EOF'
import socket, struct, sys, threading
def conn(port, src=None):
    s = socket.socket()
    s.settimeout(60)
    if src:
        s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s
def read_all(s):
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            return out.decode(errors="replace")
        out += d
def rst(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
mode, port = sys.argv[1], int(sys.argv[2])
if mode == "get":
    s = conn(port)
    if len(sys.argv) > 3:
        s.sendall(sys.argv[3].encode())
    s.shutdown(socket.SHUT_WR)
    sys.stdout.write(read_all(s))
elif mode == "hold":
    s = conn(port, sys.argv[3])
    f = s.makefile("rb")
    print(f.readline().decode().strip() or "closed", flush=True)
    f.read()
    print("closed", flush=True)
elif mode == "first":
    s = conn(port, sys.argv[3])
    print(s.makefile("rb").readline().decode().strip() or "closed")
elif mode == "together":
    socks = [conn(port) for _ in range(int(sys.argv[3]))]
    lines = [s.makefile("rb").readline().decode().strip() for s in socks]
    for s in socks:
        s.shutdown(socket.SHUT_WR)
    print("\n".join(lines))
elif mode == "rst":
    rst(conn(port))
elif mode == "many":
    n, c = int(sys.argv[3]), int(sys.argv[4])
    sem, lock, got = threading.Semaphore(c), threading.Lock(), [0]
    def one(i):
        with sem:
            s = conn(port)
            if i % 10 == 0:
                return rst(s)
            s.shutdown(socket.SHUT_WR)
            if read_all(s).startswith("x"):
                with lock:
                    got[0] += 1
            s.close()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts: t.start()
    for t in ts: t.join()
    print(got[0])
EOF
client() { $PY "$T/client.py" "$@"; }

ENV='environment { clear = true keep = {"REMOTE_ADDR", "REMOTE_PORT"} set = {"PATH=/usr/bin:/bin"} }'
profile echo "$ENV" 'time_limit = 30' "listen { address = \"127.0.0.1:$PORT\" }"
profile limits "$ENV" 'time_limit = 30' \
  "listen { address = \"127.0.0.1:$PORT\" max_connections = 2 per_address = 1 }"
profile quick "$ENV" 'time_limit = 3' "listen { address = \"127.0.0.1:$PORT\" }"
profile oom "$ENV" 'time_limit = 30' 'cgroup { memory = "32M" }' \
  "listen { address = \"127.0.0.1:$PORT\" }"
profile lean 'namespaces = {"user", "mount", "pid"}' 'time_limit = 10' \
  "listen { address = \"127.0.0.1:$PORT\" max_connections = 1000 }"
profile one "$ENV" 'time_limit = 60' "listen { address = \"127.0.0.1:$PORT\" max_connections = 1 }"
profile stop "$ENV" 'time_limit = 60' "listen { address = \"127.0.0.1:$PORT\" grace = 1 }"
chmod 644 "$T"/*.conf
cp "$T/echo.conf" "$T/hup.conf"

# serve WHO LOG PROFILE [-- CMD]: in the background, $S its pid, once it
# listens (or failed).  nobody's has no XDG_RUNTIME_DIR: its jails are not
# registered.
serve() {
  _who=$1 _log=$2; shift 2
  fresh "$_log"; fresh "$T/report"
  _p=$1; shift
  # a simple command in the background, so that $! is cordon itself
  if [ "$_who" = root ]; then
    CORDON_CONFIG="$T/cordon.conf" "$CORDON" serve "$_p" --report-fd 3 "$@" 3>"$T/report" 2>"$_log" &
  else
    setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- \
      env -u XDG_RUNTIME_DIR TMPDIR="$T" CORDON_CONFIG="$T/cordon.conf" "$CORDON_ANY" serve "$_p" --report-fd 3 "$@" 3>"$T/report" 2>"$_log" &
  fi
  S=$!
  wait_for "$_log" 'listening|error'
}
# until LOG has N lines matching REGEX
wait_lines() {
  i=0
  while [ "$(grep -Ec -- "$3" "$1")" -lt "$2" ] && [ $i -lt 600 ]; do
    sleep 0.1; i=$((i + 1))
  done
}
stop() { kill -TERM "$S"; wait "$S"; }
# first_served SRC: connect from SRC until a jail replies (at most 100
# tries), then print its first line
first_served() {
  _i=0
  while :; do
    _r=$(client first $PORT "$1" 2>/dev/null)
    { [ "$_r" = ready ] || [ $_i -ge 100 ]; } && break
    sleep 0.1; _i=$((_i + 1))
  done
  echo "$_r"
}
# refused_cleanup: one connection from 127.0.0.3, then whether the log
# has its refusal for want of a launcher slot
refused_cleanup() {
  client first $PORT 127.0.0.3 >/dev/null 2>&1
  grep -q 'refused=cleanup' "$L"
}
state() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1; }
zombie() { [ "$(state "$1")" = Z ]; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
children() { pgrep -P "$S" | wc -l; }
fds() { ls "/proc/$S/fd" | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$S/status"; }

for who in root nobody; do
  if [ $who = nobody ] && ! userns_works; then
    skip "$who" "unprivileged user namespaces are off"; continue
  fi
  L="$T/log.$who"
  TAB=$(printf '\t')

  # ---- each connection its own jail, the peer in its environment ----
  serve $who "$L" "$T/echo.conf" -- sh -c \
    'echo "$(readlink /proc/self/ns/pid) $REMOTE_ADDR $REMOTE_PORT $(ls /proc/self/fd | tr "\n" ,)"; cat >/dev/null'
  like "$who: serve listens on the profile's address" "$(cat "$L")" "listening on 127.0.0.1:$PORT"
  : > "$T/replies"
  client together $PORT 8 > "$T/replies"
  is "$who: 8 concurrent clients, 8 jails with 8 pid namespaces" \
    "$(cut -d' ' -f1 "$T/replies" | sort -u | wc -l)" 8
  is "$who: REMOTE_ADDR is the peer's address" "$(cut -d' ' -f2 "$T/replies" | sort -u)" "127.0.0.1"
  like "$who: REMOTE_PORT is the peer's port" "$(cut -d' ' -f3 "$T/replies" | head -1)" '^[0-9]+$'
  # ls's own directory fd is the one past 2
  is "$who: the jail has fds 0 1 2 and nothing of the server" \
    "$(cut -d' ' -f4 "$T/replies" | sort -u)" "0,1,2,3,"
  wait_lines "$L" 8 'reason=exited'
  is "$who: one log line per connection, with its jail's id" "$(grep -Ec 'peer=127.0.0.1:[0-9]+ jail=[0-9a-f]{12} duration=[0-9.]+ status=0 reason=exited' "$L")" 8
  is "$who: 8 jails, 8 ids" "$(grep -o 'jail=[0-9a-f]*' "$L" | sort -u | wc -l)" 8
  is "$who: ... in the report as well" \
    "$($PY -c 'import json,re,sys; print(len({json.loads(l)["jail_id"] for l in open(sys.argv[1]) if re.fullmatch("[0-9a-f]{12}", json.loads(l)["jail_id"] or "")}))' "$T/report")" 8
  is "$who: one JSON report line per connection" \
    "$($PY -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["reason"] == "exited" and json.loads(l)["peer"].startswith("127.0.0.1:")))' "$T/report")" 8
  if [ $who = root ]; then
    # ps lists a running listen jail with its peer
    fresh "$T/held"
    client hold $PORT 127.0.0.1 > "$T/held" & H=$!
    wait_for "$T/held" 'pid:'
    like "root: ps lists the listen jail with its peer" "$("$CORDON" ps)" " 127\.0\.0\.1:[0-9]+ +sh -c"
    like "root: ps --json has its peer" "$("$CORDON" ps --json)" '"peer": "127\.0\.0\.1:[0-9]+"'
    kill_own $H; wait $H 2>/dev/null
  fi
  stop; rc=$?
  is "$who: SIGTERM stops the server, status 0" "$rc" 0
  fails "$who: cordon run refuses a listen profile" "$CORDON" run "$T/echo.conf" -- true

  # ---- max_connections and per_address ----
  serve $who "$L" "$T/limits.conf" -- sh -c 'echo ready; cat'
  fresh "$T/a"; fresh "$T/b"; fresh "$T/c"; fresh "$T/d"
  client hold $PORT 127.0.0.1 > "$T/a" & A=$!
  wait_for "$T/a" 'ready'
  client hold $PORT 127.0.0.1 > "$T/b" & B=$!
  wait_for "$T/b" 'closed'
  is "$who: a second connection from one address is closed (per_address = 1)" "$(head -1 "$T/b")" closed
  client hold $PORT 127.0.0.2 > "$T/c" & C=$!
  wait_for "$T/c" 'ready'
  is "$who: another address is served" "$(head -1 "$T/c")" ready
  client hold $PORT 127.0.0.3 > "$T/d" & D=$!
  wait_for "$T/d" 'closed'
  is "$who: a third jail is refused (max_connections = 2)" "$(head -1 "$T/d")" closed
  like "$who: per_address is logged" "$(cat "$L")" 'peer=127\.0\.0\.1:[0-9]+ refused=per_address limit=1'
  like "$who: max_connections is logged" "$(cat "$L")" 'peer=127\.0\.0\.3:[0-9]+ refused=max_connections limit=2'
  like "$who: ... and reported" "$(cat "$T/report")" '"refused":"max_connections"'
  kill_own $A $C; wait $A $B $C $D 2>/dev/null
  stop

  # ---- a silent client holds only its jail, until its time limit ----
  serve $who "$L" "$T/quick.conf" -- sh -c 'echo ready; cat'
  fresh "$T/silent"
  client hold $PORT 127.0.0.1 > "$T/silent" & Q=$!
  wait_for "$T/silent" 'ready'
  is "$who: others are served meanwhile" "$(client get $PORT hello)" "ready
hello"
  wait_for "$T/silent" 'closed'
  wait_lines "$L" 1 'reason=time_limit'
  like "$who: the silent client's jail ends at its time limit" "$(cat "$L")" 'status=1[0-9]+ reason=time_limit'
  # ---- a client that resets mid-setup ----
  n=$(grep -c 'peer=' "$L")
  client rst $PORT
  wait_lines "$L" $((n + 1)) 'peer='
  is "$who: a reset client's jail ends and is logged" "$(grep -c 'peer=' "$L")" $((n + 1))
  is "$who: and the server serves the next one" "$(client get $PORT x)" "ready
x"
  wait $Q
  stop

  # ---- an OOM in one jail does not disturb the others ----
  if [ $who = root ]; then
    serve $who "$L" "$T/oom.conf" -- sh -c \
      'read what; if [ "$what" = oom ]; then exec python3 -c "b = bytearray(256 << 20)"; fi; echo "$what done"'
    fresh "$T/o1"; fresh "$T/o2"
    client get $PORT 'ok
' > "$T/o1" &
    client get $PORT 'oom
' > "$T/o2" &
    wait_lines "$L" 2 'reason='
    wait_for "$T/o1" done
    is "$who: the other jail is served" "$(cat "$T/o1")" "ok done"
    like "$who: the OOM is logged as its jail's end" "$(cat "$L")" 'reason=oom'
    is "$who: only one jail ended by the OOM killer" "$(grep -c 'reason=oom' "$L")" 1
    stop
  else
    skip "$who: OOM" "no cgroup delegated to nobody here"
  fi

  # ---- 1,000 connections (root; rootless 100, for time: the path is the
  # same), one in ten reset at once: nothing left ----
  if [ $who = root ]; then N=1000; else N=100; fi
  mounts_before=$(host_mounts_matching cordon | wc -l)
  serve $who "$L" "$T/lean.conf" -- echo x
  client many $PORT 20 4 >/dev/null; wait_lines "$L" 20 'peer='
  fds_before=$(fds); rss_before=$(rss)
  got=$(client many $PORT $N 16)
  wait_lines "$L" $((N + 20)) 'peer='
  is "$who: $((N * 9 / 10)) of $N clients got their reply" "$got" $((N * 9 / 10))
  [ "$got" = $((N * 9 / 10)) ] || grep -v 'reason=exited' "$L" | sed 's/peer=[^ ]*//' | sort | uniq -c | sort -rn | head -5 | sed 's/^/# /'
  is "$who: $N jails logged" "$(grep -c 'peer=' "$L")" $((N + 20))
  is "$who: no connection process left" "$(children)" 0
  is "$who: the server holds the same fds" "$(fds)" "$fds_before"
  rss_after=$(rss)
  ok "$who: the server's RSS is stable ($rss_before kB, then $rss_after kB)" \
    test "$rss_after" -lt $((rss_before + 8192))
  stop
  is "$who: no jail cgroup left" "$(left_cgroups)" ""
  is "$who: no mount left" "$(host_mounts_matching cordon | wc -l)" "$mounts_before"
  is "$who: no cordon process of ours left" "$(pgrep -u $who -f "$T/lean.conf" | wc -l)" 0

  # ---- SIGTERM with jails running: SIGTERM, grace, SIGKILL ----
  serve $who "$L" "$T/stop.conf" -- sh -c 'if read x && [ "$x" = stubborn ]; then trap "" TERM; echo ready; while :; do sleep 1; done; fi; echo ready; exec cat'
  fresh "$T/t1"; fresh "$T/t2"
  $PY -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"plain\n")
print(s.makefile().readline().strip(), flush=True); s.makefile().read(); print("closed", flush=True)' $PORT > "$T/t1" & T1=$!
  $PY -c 'import socket,sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"stubborn\n")
print(s.makefile().readline().strip(), flush=True); s.makefile().read(); print("closed", flush=True)' $PORT > "$T/t2" & T2=$!
  wait_for "$T/t1" ready; wait_for "$T/t2" ready
  stop; rc=$?
  is "$who: SIGTERM with jails running: status 0" "$rc" 0
  like "$who: the jail that obeys ends by SIGTERM" "$(cat "$L")" 'status=143 reason=signaled'
  like "$who: the one that ignores it is SIGKILLed after the grace" "$(cat "$L")" 'status=137 reason=signaled'
  wait $T1 $T2
  is "$who: no cgroup left after the stop" "$(left_cgroups)" ""

  # ---- a jail that ended frees its slot, before its launcher cleaned up
  # (a stopped launcher: its clean-up cannot finish) ----
  serve $who "$L" "$T/one.conf" -- sh -c 'echo ready; exec cat'
  fresh "$T/a"; fresh "$T/b"
  client hold $PORT 127.0.0.1 > "$T/a" & A=$!
  wait_for "$T/a" ready
  la=$(pgrep -P $S); pa=$(pgrep -P "$la")
  kill -STOP "$la"; kill -KILL "$pa"
  wait_until zombie "$pa"
  is "$who: max_connections = 1: a jail ended, its launcher still busy, the next is served" \
    "$(first_served 127.0.0.2)" ready
  client hold $PORT 127.0.0.1 > "$T/b" & B=$!
  wait_for "$T/b" ready
  lb=$(pgrep -P $S | grep -vx "$la"); pb=$(pgrep -P "$lb")
  kill -STOP "$lb"; kill -KILL "$pb"
  wait_until zombie "$pb"
  wait_until refused_cleanup
  like "$who: ... but no more launchers cleaning up than max_connections" "$(cat "$L")" \
    'peer=127\.0\.0\.3:[0-9]+ refused=cleanup limit=1'
  kill -CONT "$la" "$lb"
  wait_lines "$L" 2 'peer=127\.0\.0\.1:[0-9]+ jail=.* reason=signaled'
  is "$who: both clean-ups finish and are logged" "$(grep -Ec 'peer=127\.0\.0\.1:[0-9]+ jail=[0-9a-f]{12} .*status=137 reason=signaled' "$L")" 2
  wait_until test "$(children)" = 0
  is "$who: no launcher left" "$(children)" 0
  is "$who: and the server serves on" "$(first_served 127.0.0.4)" ready
  wait $A $B
  stop
  is "$who: no cgroup left" "$(left_cgroups)" ""

  # ---- out of descriptors: accepts pause and back off, running jails go
  # on, and the queue is served once descriptors are free.  8 clients
  # hold jails, then the server's limit goes down to its lowest free
  # descriptor (by its own user: nobody's cannot be changed by root here
  # without CAP_SYS_RESOURCE over it), and 8 more come. ----
  serve $who "$L" "$T/echo.conf" -- sh -c 'echo ready; exec cat'
  held=""
  # (wait_for's counter is $i: these loops have their own)
  for q in $(seq 8); do
    fresh "$T/q$q"; $PY "$T/client.py" hold $PORT 127.0.0.1 > "$T/q$q" & held="$held $!"
  done
  for q in $(seq 8); do wait_for "$T/q$q" ready; done
  free=0; while [ -e "/proc/$S/fd/$free" ]; do free=$((free + 1)); done
  if [ $who = root ]; then prlimit --pid $S --nofile=$free:$free
  else as_nobody prlimit --pid $S --nofile=$free:$free; fi
  for q in $(seq 9 16); do
    fresh "$T/q$q"; $PY "$T/client.py" hold $PORT 127.0.0.1 > "$T/q$q" & held="$held $!"
  done
  wait_for "$L" 'Too many open files'
  # a window to measure the CPU the server takes while it cannot accept
  # (a loop on accept takes all of it); its length is no condition
  c0=$(cpu_ticks $S); sleep 2; c1=$(cpu_ticks $S)
  ok "$who: EMFILE: the server idles while it cannot accept ($((c1 - c0)) ticks in 2 s)" \
    test $((c1 - c0)) -lt 20
  is "$who: EMFILE: said once" "$(grep -c 'Too many open files' "$L")" 1
  is "$who: the jails that got descriptors run on" "$(cat "$T"/q[0-9]* | grep -c ready)" 8
  # the first 8 hang up: the others get their jails
  kill_own $(echo $held | cut -d' ' -f1-8)
  for q in $(seq 16); do wait_for "$T/q$q" ready; done
  is "$who: once descriptors are free, the queued clients are served" \
    "$(cat "$T"/q[0-9]* | grep -c ready)" 16
  like "$who: ... and the server says it accepts again" "$(cat "$L")" 'accepting again'
  kill_own $held; wait $held 2>/dev/null
  stop

  # ---- SIGHUP: a good profile is taken, a broken one is not ----
  cp "$T/echo.conf" "$T/hup.conf"
  echo 'argv = {"/bin/echo", "one"}' >> "$T/hup.conf"
  serve $who "$L" "$T/hup.conf"
  is "$who: the profile's argv" "$(client get $PORT)" one
  sed -i 's/"one"/"two"/' "$T/hup.conf"
  kill -HUP $S; wait_for "$L" 'reloaded'
  is "$who: SIGHUP: a good profile serves the next connection" "$(client get $PORT)" two
  echo 'time_limit = "soon"' >> "$T/hup.conf"
  n=$(wc -l < "$T/hup.conf")
  kill -HUP $S; wait_for "$L" 'does not load'
  like "$who: SIGHUP: a broken profile is logged with its file and line" "$(cat "$L")" \
    "does not load; serving the old one: $T/hup.conf:$n: error: [^;]*time_limit"
  is "$who: ... and the old one still serves" "$(client get $PORT)" two
  mv "$T/hup.conf" "$T/hup.gone"
  kill -HUP $S; wait_lines "$L" 2 'does not load'
  like "$who: SIGHUP: a profile gone is logged" "$(grep 'does not load' "$L" | tail -1)" \
    "serving the old one: .*$T/hup.conf"
  is "$who: ... and the old one still serves" "$(client get $PORT)" two
  unlike "$who: every diagnostic is in a line of the server's" "$(grep -v '^cordon serve: ' "$L")" 'error'
  mv "$T/hup.gone" "$T/hup.conf"
  stop
done

done_testing
