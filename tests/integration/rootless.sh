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

# As root: uid 0 inside is nobody outside unless the profile maps root.
is "root: uid 0 inside" "$("$CORDON" run "$T/root0.conf" -- id -u)" 0
like "root: ... is nobody outside" "$("$CORDON" run "$T/root0.conf" -- cat /proc/self/uid_map)" '^ +0 +65534 +1$'
like "root: ... and cannot read root's files" \
  "$("$CORDON" run "$T/root0.conf" -- cat /secret/f 2>&1)" 'Permission denied'
"$CORDON" run "$T/root0.conf" -- sh -c 'echo x > /rw/by-root'
is "root: files it writes belong to nobody" "$(stat -c %u:%g "$T/rw/by-root")" 65534:65534
is "root: setgroups stays allowed" "$("$CORDON" run "$T/root0.conf" -- cat /proc/self/setgroups)" allow
is "root: an explicit map of root is root" "$("$CORDON" run "$T/rootmap.conf" -- cat /secret/f 2>&1)" secret
is "root: several ranges are written directly" \
  "$("$CORDON" run "$T/ranges.conf" -- cat /proc/self/uid_map | tr -s ' ' | tr '\n' ';')" " 0 100000 1; 1 100001 10;"
is "root: the default profile runs as nobody" "$("$CORDON" run -- id -u)" 65534

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

is "nothing left mounted on the host" "$(host_mounts_matching "$T"; host_mounts_matching oldroot)" ""
done_testing
