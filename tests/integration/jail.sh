#!/bin/sh
# jail.sh — the jail as a user sees it: namespaces, ids, environment,
# descriptors and exit statuses, run as root and (where it applies) as nobody.
. "$SRCDIR/tests/lib.sh"

# Jails from profile NAME LINE... (tests/lib.sh): the host's /usr and /dev,
# all namespaces but time with a /proc, and a bare environment, unless the
# LINEs set them.

profile basic 'hostname = "jail"' 'uid = 1000' 'gid = 1000'
profile env 'environment { clear = true keep = {"KEPT"} set = {"PATH=/usr/bin:/bin", "SET=yes"} }'
profile cwd 'dir "/work/here" {}' 'cwd = "/work/here"'
profile nouser 'namespaces = {"mount", "pid"}' 'mount "/proc" { type = "proc" }'
profile missing 'mount "/x" { type = "bind" source = "/nonexistent/cordon-src" }'
profile rofs 'mount "/usr/cordon-mount-point" { type = "tmpfs" }'
TIME_NS='namespaces = {"user", "mount", "pid", "ipc", "uts", "net", "cgroup", "time"}'
profile clocks "$TIME_NS" 'mount "/proc" { type = "proc" }' \
  'time_offsets { monotonic = "1d"  boottime = "-1m" }'
profile past "$TIME_NS" 'time_offsets { boottime = "-3650d" }'
printf 'not a program\n' > "$T/data"
profile data "mount \"/data\" { type = \"bind\" source = \"$T/data\" }"

for who in root nobody; do
  # RUN_ENV: NAME=value pairs the caller's environment gets for one test.
  RUN_ENV=
  if [ $who = root ]; then run() { env $RUN_ENV "$CORDON" run "$@"; }
  elif userns_works; then run() { as_nobody env $RUN_ENV "$CORDON_ANY" run "$@"; }
  else skip "as nobody" "unprivileged user namespaces are off"; continue; fi

  is "$who: the command is pid 2" "$(run "$T/basic.conf" -- sh -c 'echo $$')" 2
  n=$(run "$T/basic.conf" -- sh -c 'ls -d /proc/[0-9]* | wc -l')
  like "$who: host processes are invisible ($n pids)" "$n" '^[1-5]$'
  host_name=$(hostname)
  is "$who: hostname inside" "$(run "$T/basic.conf" -- cat /proc/sys/kernel/hostname)" jail
  is "$who: hostname outside unchanged" "$(hostname)" "$host_name"
  is "$who: uid and gid inside" "$(run "$T/basic.conf" -- sh -c 'echo $(id -u) $(id -g)')" "1000 1000"
  # Root's jails are a host id of their own outside, from the built-in
  # root_id_range 2147418112:65536 (the same for uid and gid); a user's
  # are that user.
  maps=$(run "$T/basic.conf" -- cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | tr '\n' ';')
  if [ $who = root ]; then
    outside=${maps#* 1000 }; outside=${outside%% *}
    is "$who: default uid map: an id of the built-in range" \
      "$(echo "$outside" | awk '{ print ($1 >= 2147418112 && $1 < 2147418112 + 65536) }')" 1
  else
    outside=$(as_nobody id -u)
    is "$who: default uid map: the caller" "${maps%%;*};" " 1000 $outside 1;"
  fi
  is "$who: default maps: the gid is the same" "$maps" " 1000 $outside 1; 1000 $outside 1;"

  RUN_ENV="KEPT=k DROPPED=d"
  is "$who: environment: cleared, kept, set" \
    "$(run "$T/env.conf" -- sh -c 'echo ${KEPT:-none} ${DROPPED:-none} $SET')" "k none yes"
  RUN_ENV=
  is "$who: cwd" "$(run "$T/cwd.conf" -- pwd)" /work/here
  is "$who: stdin passes through" "$(echo hello | run "$T/basic.conf" -- cat)" hello
  is "$who: only 0 1 2 are open" "$(run "$T/basic.conf" -- sh -c 'ls /proc/self/fd' 7</dev/null | tr '\n' ' ')" "0 1 2 3 "

  run "$T/basic.conf" -- true; is "$who: exit 0" $? 0
  run "$T/basic.conf" -- sh -c 'exit 1'; is "$who: the command's own status" $? 1
  run "$T/basic.conf" -- sh -c 'exit 42'; is "$who: the command's own status 42" $? 42
  run "$T/basic.conf" -- sh -c 'kill -USR1 $$'; is "$who: killed by SIGUSR1: 128+10" $? 138
  err=$(run "$T/basic.conf" -- no-such-command 2>&1); rc=$?
  is "$who: missing command: 127" $rc 127
  is "$who: missing command: message" "$err" "cordon: no-such-command: No such file or directory"
  err=$(run "$T/data.conf" -- /data 2>&1); rc=$?
  is "$who: not executable: 126" $rc 126
  is "$who: not executable: message" "$err" "cordon: /data: Permission denied"
  err=$(run "$T/missing.conf" -- true 2>&1); rc=$?
  is "$who: missing bind source: 125" $rc 125
  like "$who: missing bind source: message" "$err" '/nonexistent/cordon-src'
  is "$who: time_offsets: the namespace's offsets" \
    "$(run "$T/clocks.conf" -- cat /proc/self/timens_offsets | tr -s ' ')" \
    "monotonic 86400 0
boottime -60 0"
  # The host's uptime read before and after: a jail slow to start on a
  # busy machine stays between the two.
  up=$(cut -d. -f1 /proc/uptime)
  in=$(run "$T/clocks.conf" -- cut -d. -f1 /proc/uptime)
  up_after=$(cut -d. -f1 /proc/uptime)
  ok "$who: time_offsets: /proc/uptime a minute behind ($up..$up_after, $in)" \
    test "$in" -ge $((up - 61)) -a "$in" -le $((up_after - 59))
  err=$(run "$T/past.conf" -- true 2>&1); rc=$?
  is "$who: time_offsets: a clock below 0: 125" $rc 125
  like "$who: time_offsets: ... said" "$err" 'timens_offsets: the offsets .* below 0'
  err=$(run "$T/rofs.conf" -- true 2>&1); rc=$?
  is "$who: set-up failure in the jail: 125" $rc 125
  like "$who: set-up failure in the jail: message" "$err" \
    'rofs.conf:[0-9]+: create mount point /usr/cordon-mount-point: Read-only file system \(EROFS\)'
done

if userns_works; then
  err=$(as_nobody "$CORDON_ANY" run "$T/nouser.conf" -- true 2>&1); rc=$?
  is "nobody without a user namespace: 125" $rc 125
  like "nobody without a user namespace: message" "$err" 'add "user" to namespaces'
else
  skip "nobody without a user namespace" "unprivileged user namespaces are off"
fi
is "root without a user namespace: real root" "$("$CORDON" run "$T/nouser.conf" -- cat /proc/self/uid_map | tr -s ' ')" " 0 0 4294967295"

is "nothing left mounted on the host" "$(host_mounts_matching "$T"; host_mounts_matching oldroot)" ""
done_testing
