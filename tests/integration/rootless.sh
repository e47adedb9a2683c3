#!/bin/sh
# rootless.sh — id maps: what root and an unprivileged user get by default,
# explicit maps, and that root inside a jail is not root on the host.
. "$SRCDIR/tests/lib.sh"

# Jails from profile NAME LINE... (tests/lib.sh): the host's /usr, /dev and
# /proc, all namespaces but time.

mkdir -p "$T/secret" "$T/rw"
echo secret > "$T/secret/f"
chmod 600 "$T/secret/f"
chmod 777 "$T/rw"
profile root0 'uid = 0' 'gid = 0' \
  "mount \"/secret\" { type = \"bind\" source = \"$T/secret\" }" \
  "mount \"/rw\" { type = \"bind\" source = \"$T/rw\" writable = true }"
profile ranges 'uid = 0' 'gid = 0' \
  'uid_map { inside = 0  outside = 100000  count = 1 }' \
  'uid_map { inside = 1  outside = 100001  count = 10 }'
profile rootmap 'uid = 0' 'gid = 0' \
  'uid_map { inside = 0  outside = 0  count = 1 }' \
  'gid_map { inside = 0  outside = 0  count = 1 }' \
  "mount \"/secret\" { type = \"bind\" source = \"$T/secret\" }"

# As root: uid 0 inside is a host id of the settings' root_id_range
# outside, unless the profile maps root; the gid the same id.
IDS_START=3000000000 IDS_COUNT=64
printf 'root_id_range = "%s:%s"\n' $IDS_START $IDS_COUNT > "$T/ids.conf"
CORDON_CONFIG="$T/ids.conf"; export CORDON_CONFIG
in_range() { [ "$1" -ge $IDS_START ] 2>/dev/null && [ "$1" -lt $((IDS_START + IDS_COUNT)) ]; }
is "root: uid 0 inside" "$("$CORDON" run "$T/root0.conf" -- id -u)" 0
maps=$("$CORDON" run "$T/root0.conf" -- cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | tr '\n' ';')
id=${maps#' 0 '}; id=${id%% *}
ok "root: ... is an id of root_id_range outside ($id)" in_range "$id"
is "root: ... and its gid the same" "$maps" " 0 $id 1; 0 $id 1;"
like "root: ... and cannot read root's files" \
  "$("$CORDON" run "$T/root0.conf" -- cat /secret/f 2>&1)" 'Permission denied'
id=$("$CORDON" run "$T/root0.conf" -- sh -c 'echo x > /rw/by-root; read -r _ id _ < /proc/self/uid_map; echo $id')
ok "root: files it writes belong to its host id ($id)" in_range "$id"
is "root: ... uid and gid" "$(stat -c %u:%g "$T/rw/by-root")" "$id:$id"
is "root: setgroups stays allowed" "$("$CORDON" run "$T/root0.conf" -- cat /proc/self/setgroups)" allow
is "root: an explicit map of root is root" "$("$CORDON" run "$T/rootmap.conf" -- cat /secret/f 2>&1)" secret
is "root: several ranges are written directly" \
  "$("$CORDON" run "$T/ranges.conf" -- cat /proc/self/uid_map | tr -s ' ' | tr '\n' ';')" " 0 100000 1; 1 100001 10;"
is "root: the default profile runs as nobody" "$("$CORDON" run -- id -u)" 65534
is "root: ... inside" "$("$CORDON" run -- cat /proc/self/uid_map | awk '{ print $1 }')" 65534
unset CORDON_CONFIG

# Root's jails and signals: kill() compares uids, not user namespaces, so
# a jail must share its host id with no host process and no other jail.
# command_of LAUNCHER: the host pid of the command (sleep) of the jail that
# the cordon process LAUNCHER runs, once it runs.
command_of() {
  _i=0
  while [ $_i -lt 200 ]; do
    for _p1 in $(pgrep -P "$1"); do
      _c=$(pgrep -x -P "$_p1" sleep) && { echo "$_c"; return 0; }
    done
    sleep 0.05; _i=$((_i + 1))
  done
  return 1
}
host_uid() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }
as_id() { _u=$1; shift; setpriv --reuid="$_u" --regid="$_u" --clear-groups -- "$@"; }
# gone PID: wait until PID has exited (and been reaped).
gone() {
  _i=0
  while [ -e "/proc/$1" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
  [ ! -e "/proc/$1" ]
}

"$CORDON" --config "$T/ids.conf" run "$T/root0.conf" -- sleep 60 & l1=$!
"$CORDON" --config "$T/ids.conf" run "$T/root0.conf" -- sleep 60 & l2=$!
at_exit "kill_own -KILL $l1 $l2"
c1=$(command_of $l1) c2=$(command_of $l2)
u1=$(host_uid "$c1") u2=$(host_uid "$c2")
ok "two root jails: ids from --config's root_id_range ($u1)" in_range "$u1"
ok "... both ($u2)" in_range "$u2"
fails "... distinct" [ "$u1" = "$u2" ]
like "nobody cannot signal a root jail's command" \
  "$( (as_nobody kill -0 "$c1" 2>&1; echo "exit $?") | tr '\n' ' ')" 'Operation not permitted exit 1'
like "one root jail's id cannot signal the other jail" \
  "$( (as_id "$u1" kill -0 "$c2" 2>&1; echo "exit $?") | tr '\n' ' ')" 'Operation not permitted exit 1'
ok "... while its own id can (the kernel checks only the uid)" as_id "$u2" kill -0 "$c2"
kill_own -KILL $l1 $l2; wait $l1 $l2 2>/dev/null

# The range runs out: a clear error, and a killed launcher gives its id back.
printf 'root_id_range = "%s:1"\n' $((IDS_START + 100)) > "$T/one-id.conf"
"$CORDON" --config "$T/one-id.conf" run "$T/root0.conf" -- sleep 60 & l1=$!
at_exit "kill_own -KILL $l1"
c1=$(command_of $l1)
is "one id: the first jail has it" "$(host_uid "$c1")" $((IDS_START + 100))
err=$("$CORDON" --config "$T/one-id.conf" run "$T/root0.conf" -- true 2>&1); rc=$?
is "one id: a second jail fails with 125" $rc 125
is "... and says why" "$err" "cordon: no free host id for root's jail: all 1 ids of root_id_range \"$((IDS_START + 100)):1\" belong to live jails (a larger range in the settings file lets more run at once)"
p1=$(pgrep -P $l1)
kill_own -KILL $l1; wait $l1 2>/dev/null
ok "one id: the killed launcher's jail goes with it" gone "$p1"
is "... and its id is free again" \
  "$("$CORDON" --config "$T/one-id.conf" run "$T/root0.conf" -- cat /proc/self/uid_map | awk '{ print $2 }')" $((IDS_START + 100))
is "the ids directory is root's alone" "$(stat -c '%U %a' /run/cordon/ids)" "root 700"

# etc/reserve-ids.sh (make install, bootstrap) in a scratch directory: the
# "cordon" entry, once, never over another owner's ids.
R="$SRCDIR/etc/reserve-ids.sh"
mkdir -p "$T/etc" "$T/etc2"
printf 'alice:100000:65536' > "$T/etc/subuid"
sh "$R" 2147418112:65536 "$T/etc" > /dev/null
is "reserve-ids: the entry is appended, the others kept" \
  "$(tr '\n' ';' < "$T/etc/subuid")" "alice:100000:65536;cordon:2147418112:65536;"
is "... and a missing file made" "$(cat "$T/etc/subgid")" "cordon:2147418112:65536"
sh "$R" 3000000000:10 "$T/etc" > /dev/null
is "... once: a cordon entry stays as it is" \
  "$(cat "$T/etc/subuid" "$T/etc/subgid" | tr '\n' ';')" "alice:100000:65536;cordon:2147418112:65536;cordon:2147418112:65536;"
printf 'bob:2147450000:10\n' > "$T/etc2/subuid"
err=$(sh "$R" 2147418112:65536 "$T/etc2" 2>&1 > /dev/null); rc=$?
is "... not over another owner's ids" "$rc $(cat "$T/etc2/subuid")" "1 bob:2147450000:10"
like "... and says whose" "$err" "overlap the entry 'bob:2147450000:10'"

if ! userns_works; then
  skip "as nobody" "unprivileged user namespaces are off"
  done_testing; exit
fi
me=$(as_nobody id -u)
is "nobody: uid 0 inside" "$(as_nobody "$CORDON_ANY" run "$T/root0.conf" -- id -u)" 0
like "nobody: ... is the caller outside" \
  "$(as_nobody "$CORDON_ANY" run "$T/root0.conf" -- cat /proc/self/uid_map)" "^ +0 +$me +1\$"
is "nobody: setgroups is denied" "$(as_nobody "$CORDON_ANY" run "$T/root0.conf" -- cat /proc/self/setgroups)" deny
like "nobody: root inside cannot read root's files" \
  "$(as_nobody "$CORDON_ANY" run "$T/root0.conf" -- cat /secret/f 2>&1)" 'Permission denied'
rm -f "$T/rw/by-root"
as_nobody "$CORDON_ANY" run "$T/root0.conf" -- sh -c 'echo x > /rw/by-nobody'
is "nobody: files it writes belong to the caller" "$(stat -c %u "$T/rw/by-nobody")" "$me"
is "nobody: the default profile works" "$(as_nobody "$CORDON_ANY" run -- id -u)" 65534
err=$(as_nobody "$CORDON_ANY" run "$T/ranges.conf" -- true 2>&1); rc=$?
is "nobody: other users' ids need newuidmap: 125" $rc 125
like "nobody: ... which says why" "$err" 'newuidmap'

# With subordinate ids in /etc/subuid and /etc/subgid, several ranges go
# through newuidmap/newgidmap.  The entries for nobody are added for this
# test only and the files restored when it ends.
if command -v newuidmap >/dev/null && command -v newgidmap >/dev/null; then
  for f in subuid subgid; do
    if [ -e "/etc/$f" ]; then cp -p "/etc/$f" "$T/$f.orig"; else : > "$T/$f.absent"; fi
    echo "nobody:300000:65536" >> "/etc/$f"
  done
  at_exit 'for f in subuid subgid; do if [ -e "$T/$f.absent" ]; then rm -f "/etc/$f"; else cp -p "$T/$f.orig" "/etc/$f"; fi; done'
  profile subids 'uid = 0' 'gid = 0' 'capabilities = {"CAP_CHOWN"}' \
    "uid_map { inside = 0  outside = $me  count = 1 }" \
    'uid_map { inside = 1  outside = 300000  count = 1000 }' \
    "gid_map { inside = 0  outside = $(as_nobody id -g)  count = 1 }" \
    'gid_map { inside = 1  outside = 300000  count = 1000 }' \
    "mount \"/rw\" { type = \"bind\" source = \"$T/rw/sub\" writable = true }"
  mkdir -p "$T/rw/sub" && chown 65534:65534 "$T/rw/sub"
  is "nobody: two ranges through newuidmap" \
    "$(as_nobody "$CORDON_ANY" run "$T/subids.conf" -- cat /proc/self/uid_map | tr -s ' ' | tr '\n' ';')" \
    " 0 $me 1; 1 300000 1000;"
  is "nobody: ... with setgroups allowed" \
    "$(as_nobody "$CORDON_ANY" run "$T/subids.conf" -- cat /proc/self/setgroups)" allow
  as_nobody "$CORDON_ANY" run "$T/subids.conf" -- sh -c 'echo x > /rw/f && chown 5:7 /rw/f'
  is "nobody: a file chowned to 5:7 inside is 300004:300006 outside" \
    "$(stat -c %u:%g "$T/rw/sub/f" 2>&1)" 300004:300006
else
  skip "nobody: several ranges through newuidmap" "newuidmap is not installed (Debian package uidmap)"
fi

# The compiled profile, rootless: kept under the user's XDG_RUNTIME_DIR,
# private to the user.
mkdir -p "$T/run-nobody" && chown 65534:65534 "$T/run-nobody"
cached_as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- \
    env XDG_RUNTIME_DIR="$T/run-nobody" "$CORDON_ANY" run -v "$T/root0.conf" -- id -u 2>&1
}
cached_as_nobody > /dev/null
out=$(cached_as_nobody)
like "nobody: the next run takes its profile from the cache" "$out" "profile .*: from the cache"
like "... and runs it" "$out" "^0$"
is "nobody: the cache is the user's own, private" \
  "$(stat -c '%U %a' "$T/run-nobody/cordon" "$T/run-nobody/cordon/profiles" | sort -u | tr '\n' ';')" "nobody 700;"
is "nobody: ... and so are its entries" \
  "$(stat -c '%U %a' "$T"/run-nobody/cordon/profiles/* | sort -u | tr '\n' ';')" "nobody 600;"

# Without XDG_RUNTIME_DIR, the next private place: ~/.cache (made, 0700,
# where missing), else the user's own cordon-UID in the sticky temporary
# directory ($TMPDIR here, /tmp by default) — nobody's HOME is
# /nonexistent, and setpriv --reset-env sets no XDG_RUNTIME_DIR.
mkdir -p "$T/home-nobody" "$T/tmp"
chown 65534:65534 "$T/home-nobody"
chmod 1777 "$T/tmp"
run_as_nobody_with() { # VAR=VALUE...
  setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- \
    env "$@" "$CORDON_ANY" run -v "$T/root0.conf" -- id -u 2>&1
}
run_as_nobody_with HOME="$T/home-nobody" > /dev/null
like "nobody, no XDG_RUNTIME_DIR: the cache is in ~/.cache" \
  "$(run_as_nobody_with HOME="$T/home-nobody")" "profile .*: from the cache"
is "... made private where it was missing" \
  "$(stat -c '%U %a' "$T/home-nobody/.cache" "$T/home-nobody/.cache/cordon" | sort -u | tr '\n' ';')" "nobody 700;"
run_as_nobody_with TMPDIR="$T/tmp" > /dev/null
out=$(run_as_nobody_with TMPDIR="$T/tmp")
like "nobody, no XDG_RUNTIME_DIR, HOME=/nonexistent: the cache is in TMPDIR" \
  "$out" "profile .*: from the cache"
like "... and runs it" "$out" "^0$"
is "... in a directory of its own, private" \
  "$(stat -c '%U %a' "$T/tmp/cordon-65534" "$T/tmp/cordon-65534/profiles" | sort -u | tr '\n' ';')" "nobody 700;"
# Someone else's cordon-65534 there (or one others may write) is no cache.
rm -rf "$T/tmp/cordon-65534"
mkdir -m 755 "$T/tmp/cordon-65534"
chown 65533:65533 "$T/tmp/cordon-65534"
run_as_nobody_with TMPDIR="$T/tmp" > /dev/null
out=$(run_as_nobody_with TMPDIR="$T/tmp")
unlike "nobody: another user's cordon-65534 is no cache" "$out" "from the cache"
like "... and the jail runs without" "$out" "^0$"
is "... which stays as it was" "$(ls -A "$T/tmp/cordon-65534")" ""
chown 65534:65534 "$T/tmp/cordon-65534"
chmod 777 "$T/tmp/cordon-65534"
run_as_nobody_with TMPDIR="$T/tmp" > /dev/null
unlike "nobody: a cordon-65534 others may write is no cache" \
  "$(run_as_nobody_with TMPDIR="$T/tmp")" "from the cache"

is "nothing left mounted on the host" "$(host_mounts_matching "$T"; host_mounts_matching oldroot)" ""
done_testing
