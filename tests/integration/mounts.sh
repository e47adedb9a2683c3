#!/bin/sh
# mounts.sh — the jail's root filesystem as a user sees it: read-only and
# writable binds, tmpfs, overlay, dir/file/symlink entries, the view after
# pivot_root, symlinks that try to redirect a mount, and a clean host.
. "$SRCDIR/tests/lib.sh"

# Jails from profile NAME LINE... (tests/lib.sh): the host's /usr and /dev,
# all namespaces but time with a /proc, and a bare environment, unless the
# LINEs set them.

mkdir -p "$T/ro" "$T/lower" "$T/esc"
echo ro-content > "$T/ro/f"
echo lower > "$T/lower/f"
ln -s /etc "$T/esc/toetc"
ln -s / "$T/esc/toroot"
chmod 777 "$T/esc"

profile fs \
  "mount \"/ro\" { type = \"bind\" source = \"$T/ro\" }" \
  "mount \"/rw\" { type = \"bind\" source = \"$T/rw\" writable = true }" \
  'mount "/tmp" { type = "tmpfs" size = "1M" mode = "1777" }' \
  "mount \"/o\" { type = \"overlay\" lower = {\"$T/lower\"} upper = \"$T/upper\" work = \"$T/work\" }" \
  "mount \"/v\" { type = \"overlay\" lower = {\"$T/lower\"} writable = true }" \
  'dir "/home/a" { mode = "0700" }' \
  'file "/etc/motd" { content = "hello\n" }' \
  'symlink "/link" { target = "/ro/f" }' \
  'mount "/opt" { type = "bind" source = "/nonexistent/cordon" optional = true }'
# A file, through an absolute symlink: the mount point is a file.
ln -s "$T/ro/f" "$T/flink"
profile filebind "mount \"/f\" { type = \"bind\" source = \"$T/flink\" }"
profile mask 'mount "/etc" { type = "bind" source = "/etc" }' \
  'file "/etc/shadow" { content = "" mode = "0640" }'
# Every proc mount gets the masks, not only /proc.
profile procs 'mount "/p2" { type = "proc" }'
profile escape 'dir "/etc" {}' \
  "mount \"/w\" { type = \"bind\" source = \"$T/esc\" writable = true }" \
  'file "/w/toetc/cordon-escape" { content = "x\n" }' \
  'dir "/w/toroot/cordon-escape-dir" {}' \
  'mount "/w/toroot/tmp" { type = "tmpfs" size = "64K" }'

# Mounts side by side share their parent directory: one over that parent
# (here through a symlink in it that leads back to it) must not leave the
# later entries on the covered directory.
profile cover "mount \"/w\" { type = \"bind\" source = \"$T/alias\" writable = true }" \
  'mount "/w/x" { type = "tmpfs" size = "64K" }' \
  'mount "/w/self" { type = "tmpfs" size = "64K" }' \
  'mount "/w/y" { type = "tmpfs" size = "64K" }'

for who in root nobody; do
  if [ $who = root ]; then run() { "$CORDON" run "$@"; }
  elif userns_works; then run() { as_nobody "$CORDON_ANY" run "$@"; }
  else skip "as nobody" "unprivileged user namespaces are off"; continue; fi
  rm -rf "$T/rw" "$T/upper" "$T/work"
  mkdir -p "$T/rw" "$T/upper" "$T/work"
  chmod 777 "$T/rw" "$T/upper" "$T/work"

  like "$who: read-only bind refuses writes" \
    "$(run "$T/fs.conf" -- sh -c 'echo x > /ro/new' 2>&1)" 'Read-only file system'
  is "$who: read-only bind reads" "$(run "$T/fs.conf" -- cat /ro/f)" ro-content
  run "$T/fs.conf" -- sh -c 'echo written > /rw/new'
  is "$who: writable bind writes to the host" "$(cat "$T/rw/new" 2>&1)" written
  like "$who: tmpfs size is enforced" \
    "$(run "$T/fs.conf" -- dd if=/dev/zero of=/tmp/big bs=64k count=32 2>&1)" 'No space left on device'
  is "$who: tmpfs mode" "$(run "$T/fs.conf" -- stat -c %a /tmp)" 1777
  is "$who: overlay reads the lower" "$(run "$T/fs.conf" -- cat /o/f)" lower
  run "$T/fs.conf" -- sh -c 'echo up > /o/new'
  is "$who: overlay writes land in upper" "$(cat "$T/upper/new" 2>&1)" up
  ok "$who: overlay leaves the lower alone" test ! -e "$T/lower/new"
  is "$who: overlay without upper is writable" \
    "$(run "$T/fs.conf" -- sh -c 'echo gone > /v/new && cat /v/new')" gone
  ok "$who: ... and its writes vanish" run "$T/fs.conf" -- test ! -e /v/new
  ok "$who: ... not on the lower either" test ! -e "$T/lower/new"
  is "$who: dir mode" "$(run "$T/fs.conf" -- stat -c %a /home/a)" 700
  is "$who: file content" "$(run "$T/fs.conf" -- cat /etc/motd)" hello
  is "$who: symlink" "$(run "$T/fs.conf" -- sh -c 'readlink /link; cat /link')" "/ro/f
ro-content"
  ok "$who: optional missing source is skipped" run "$T/fs.conf" -- test ! -e /opt
  is "$who: a file bind through a symlink is a file" \
    "$(run "$T/filebind.conf" -- sh -c 'stat -c %F /f; cat /f')" "regular file
ro-content"
  like "$who: ... read-only" \
    "$(run "$T/filebind.conf" -- sh -c 'echo x > /f' 2>&1)" 'Read-only file system'
  fails "$who: the root is read-only" run "$T/fs.conf" -- touch /new-file
  # /dev/shm and the root share a superblock with another mount (issue 20):
  # their own flags still hold
  is "$who: /dev/shm is writable, sticky, and runs what is put there" \
    "$(run "$T/fs.conf" -- sh -c 'stat -c %a /dev/shm; cp /bin/true /dev/shm/t && /dev/shm/t && echo ran')" "1777
ran"
  like "$who: ... nosuid, nodev" \
    "$(run "$T/fs.conf" -- sh -c 'grep " /dev/shm " /proc/self/mountinfo | cut -d" " -f5,6')" \
    "^/dev/shm rw,nosuid,nodev,[a-z,]*$"
  like "$who: ... while /dev is noexec" \
    "$(run "$T/fs.conf" -- sh -c 'grep " /dev " /proc/self/mountinfo | cut -d" " -f5,6')" \
    "^/dev rw,nosuid,noexec,[a-z,]*$"
  is "$who: the root is a directory of mode 755" "$(run "$T/fs.conf" -- stat -c %a /)" 755

  is "$who: / shows only the profile's entries" \
    "$(run "$T/fs.conf" -- ls / | tr '\n' ' ')" \
    "bin dev etc home lib lib64 link o proc ro rw sbin tmp usr v "
  # (mask_paths = false: the masks over /proc are hardening.sh's to test)
  is "$who: mountinfo lists only the profile's mounts" \
    "$(run "$T/fs.conf" -D mask_paths=false -- cut -d' ' -f5 /proc/self/mountinfo | sort | tr '\n' ' ')" \
    "/ /dev /dev/full /dev/null /dev/pts /dev/random /dev/shm /dev/tty /dev/urandom /dev/zero /o /proc /ro /rw /tmp /usr /v "

  rm -rf "$T/alias"
  mkdir -p "$T/alias"
  ln -s . "$T/alias/self"
  chmod 777 "$T/alias"
  is "$who: a mount over an earlier one's parent covers it; later ones land on top" \
    "$(run "$T/cover.conf" -- sh -c 'ls /w | tr "\n" " "; grep -c " /w/y " /proc/self/mountinfo')" \
    "y 1"

  is "$who: a masked file is empty" "$(run "$T/mask.conf" -- cat /etc/shadow 2>&1)" ""
  fails "$who: a masked file is read-only" run "$T/mask.conf" -- sh -c 'echo x > /etc/shadow'
  ok "$who: /etc is the host's otherwise" run "$T/mask.conf" -- grep -q '^root:' /etc/passwd

  is "$who: a second proc mount has its kernel files hidden and read-only too" \
    "$(run "$T/procs.conf" -- sh -c 'grep -E " /p2/(keys|sys) " /proc/self/mountinfo | cut -d" " -f5,6')" \
    "/p2/keys ro,nosuid,nodev,noexec,relatime
/p2/sys ro,nosuid,nodev,noexec,relatime"
  is "$who: ... which mask_paths = false leaves as they are" \
    "$(run "$T/procs.conf" -D mask_paths=false -- grep -c " /p2/" /proc/self/mountinfo)" 0

  is "$who: a symlink in a writable source cannot redirect mounts" \
    "$(run "$T/escape.conf" -- sh -c 'cat /etc/cordon-escape; test -d /cordon-escape-dir && echo dir; grep " /tmp " /proc/self/mountinfo | sed "s/.* - //; s/ .*//"')" \
    "x
dir
tmpfs"
  ok "$who: ... the host's /etc is untouched" test ! -e /etc/cordon-escape
  ok "$who: ... the host's / is untouched" test ! -e /cordon-escape-dir
  ok "$who: ... the source's symlinks are intact" test "$(readlink "$T/esc/toroot")" = /
done

# A missing source: cordon check lists it with the other problems; cordon
# run finds it when it mounts it, and names the entry's line too.
profile gone "mount \"/gone\" { type = \"bind\" source = \"$T/gone\" }"
line=$(grep -n '"/gone"' "$T/gone.conf" | cut -d: -f1)
err=$("$CORDON" check "$T/gone.conf" 2>&1); rc=$?
is "check: a missing source is an error with its line" "$rc $err" \
  "1 $T/gone.conf:$line: error: mount '/gone': source '$T/gone' does not exist"
err=$("$CORDON" run "$T/gone.conf" -- true 2>&1); rc=$?
is "run: ... found when mounted, with its line" "$rc $err" \
  "125 cordon: $T/gone.conf:$line: mount $T/gone on /gone (ro,nosuid,nodev): No such file or directory (ENOENT)"

# A profile's root: a host directory bound read-only as "/" (cordon never
# writes into it, so its mount points are there already).
mkdir -p "$T/hostroot/usr"
ln -s usr/bin "$T/hostroot/bin"; ln -s usr/lib "$T/hostroot/lib"
ln -s usr/lib64 "$T/hostroot/lib64"
echo from-the-root > "$T/hostroot/marker"
printf '%s\n' 'namespaces = {"user", "mount", "pid", "ipc", "uts", "net"}' \
  "root = \"$T/hostroot\"" 'mount "/usr" { type = "bind" source = "/usr" }' \
  > "$T/hostroot.conf"
is "root: a host directory is the jail's /" \
  "$("$CORDON" run "$T/hostroot.conf" -- /bin/cat /marker 2>&1)" "from-the-root"
fails "... read-only" "$CORDON" run "$T/hostroot.conf" -- /bin/sh -c 'echo x > /marker'
is "... and the host's file is untouched" "$(cat "$T/hostroot/marker")" "from-the-root"

# -v says each step: a tmpfs's mode, and its size when it has one.
profile tmpfsv 'mount "/s" { type = "tmpfs" }'
like "-v: a tmpfs without a size says its mode" \
  "$("$CORDON" run -v "$T/tmpfsv.conf" -- true 2>&1)" 'mount tmpfs on /s \(mode 0755\)'
like "-v: ... and with one, the size" \
  "$("$CORDON" run -v "$T/fs.conf" -- true 2>&1)" 'mount tmpfs on /tmp \(mode 1777, size 1048576\)'

is "nothing left mounted on the host" "$(host_mounts_matching "$T"; host_mounts_matching oldroot; host_mounts_matching newroot)" ""
# A mount meant writable that would come out read-only fails the run,
# naming the directory and the host id that needs to write it: an overlay
# whose upper and work the jail's host id cannot write (root-owned, 0755,
# in a root run whose jail is mapped elsewhere) ...
mkdir -p "$T/rupper" "$T/rwork"
chmod 755 "$T/rupper" "$T/rwork"
profile rover "mount \"/o\" { type = \"overlay\" lower = {\"$T/lower\"} upper = \"$T/rupper\" work = \"$T/rwork\" }"
out=$("$CORDON" run "$T/rover.conf" -- sh -c 'echo x > /o/new' 2>&1); rc=$?
is "overlay upper the jail cannot write: the run fails (125)" "$rc" 125
like "... naming the directories and the host id" "$out" \
  "rover.conf:[0-9]+: mount overlay on /o: the kernel made it read-only: upper $T/rupper and work $T/rwork must be writable by host uid [0-9]+ \(the jail's uid 0\)"
# (each root jail has a host id of its own, from root_id_range)
host=$(printf '%s' "$out" | sed -n 's/.*writable by host uid \([0-9]*\) .*/\1/p')
is "... the jail's own host id, of root_id_range" \
  "$(echo "$host" | awk '{ print ($1 >= 2147418112 && $1 < 2147418112 + 65536) }')" 1
like "check warns where it can tell: a rootless jail is nobody's id" \
  "$(as_nobody "$CORDON_ANY" check "$T/rover.conf" 2>&1)" \
  "rover.conf:[0-9]+: warning: mount '/o': upper '$T/rupper' is not writable by host uid 65534 \(the jail's uid 0\)"
profile rovermap "mount \"/o\" { type = \"overlay\" lower = {\"$T/lower\"} upper = \"$T/rupper\" work = \"$T/rwork\" }" \
  'uid_map { inside = 0 outside = 100000 count = 1 }' 'gid_map { inside = 0 outside = 100000 count = 1 }'
like "... and a profile that maps the uid itself" "$("$CORDON" check "$T/rovermap.conf" 2>&1)" \
  "warning: mount '/o': work '$T/rwork' is not writable by host uid 100000 \(the jail's uid 0\)"
chmod 777 "$T/rupper"
like "... only work, when upper is writable" "$("$CORDON" run "$T/rover.conf" -- true 2>&1)" \
  "made it read-only: work $T/rwork must be writable by host uid [0-9]+ \(the jail's uid 0\)"
chmod 777 "$T/rwork"
is "... no warning once both are writable" "$("$CORDON" check --strict "$T/rovermap.conf" 2>&1)" ""
ok "... and with both writable, the overlay is" "$CORDON" run "$T/rover.conf" -- sh -c 'echo x > /o/new'
# ... and a writable bind of a directory on a read-only mount.
mkdir -p "$T/rosrc"
profile robind "mount \"/w\" { type = \"bind\" source = \"$T/rosrc\" writable = true }"
out=$(unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && "$2" run "$3" -- sh -c "echo x > /w/new"' sh "$T/rosrc" "$CORDON" "$T/robind.conf" 2>&1); rc=$?
is "a writable bind of a read-only mount: the run fails (125)" "$rc" 125
like "... saying so" "$out" "robind.conf:[0-9]+: mount $T/rosrc on /w \(rw\): the source is on a read-only mount of the host"

# A destination (or a directory on the way to one) that is a symlink
# leading out of the jail is refused, and the error says that.
mkdir -p "$T/dangling" && ln -sfn /cordon-nowhere "$T/dangling/out"
profile viasymlink 'symlink "/src/evil" { target = "/cordon-nowhere" }' \
  'mount "/src/evil/x" { type = "tmpfs" }'
out=$("$CORDON" run "$T/viasymlink.conf" -- true 2>&1); rc=$?
is "a mount under a symlink entry leading nowhere: 125" "$rc" 125
like "... the error says the destination is a symlink" "$out" \
  "viasymlink.conf:[0-9]+: destination /src/evil is a symlink to /cordon-nowhere, which is not in the jail; refused\$"
profile onsymlink "mount \"/w\" { type = \"bind\" source = \"$T/dangling\" }" \
  'mount "/w/out" { type = "tmpfs" }'
like "a mount on a symlink in a bound tree: the same" \
  "$("$CORDON" run "$T/onsymlink.conf" -- true 2>&1)" \
  "onsymlink.conf:[0-9]+: destination /w/out is a symlink to /cordon-nowhere, which is not in the jail; refused\$"

# A proc mount whose masked paths would not fit in a path buffer fails,
# rather than leaving some of them unmasked without a word.
long=$(python3 -c 'print("/" + "/".join(["a" * 200] * 20) + "/" + "b" * 63)')
profile longproc "mount \"$long\" { type = \"proc\" }"
out=$("$CORDON" run "$T/longproc.conf" -- true 2>&1); rc=$?
is "a proc mount too deep to mask: 125" "$rc" 125
like "... saying so" "$out" "masked paths: under /a+\.\.\. \(4084 bytes\): File name too long"

# The masks over a bound /sys follow the file the source resolves to, not
# its spelling.
ln -s /sys "$T/syslink"
profile sysbind 'mount "/sys" { type = "bind" source = "/sys" }'
like "a bound /sys has /sys/firmware, with mask_paths = false" \
  "$("$CORDON" run "$T/sysbind.conf" -D mask_paths=false -- ls -A /sys/firmware 2>&1)" "[a-z]"
for src in /sys /sys/. /proc/self/root/sys "$T/syslink"; do
  profile sysbind "mount \"/sys\" { type = \"bind\" source = \"$src\" }"
  is "a bind of $src: /sys/firmware is masked" \
    "$("$CORDON" run "$T/sysbind.conf" -- ls -A /sys/firmware 2>&1)" ""
done

done_testing
