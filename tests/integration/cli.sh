#!/bin/sh
# The command line as a user meets it: check, show, list, profile lookup,
# -D overrides, exit statuses of cordon itself.
. "$SRCDIR/tests/lib.sh"

P="$SRCDIR/profiles"
mkdir -p "$T/xdg/cordon/profiles" "$T/sys"
cat > "$T/cordon.conf" <<EOC
profile_path = {"\${XDG_CONFIG_HOME}/cordon/profiles", "$T/sys"}
EOC
export CORDON_CONFIG="$T/cordon.conf" XDG_CONFIG_HOME="$T/xdg"

# --help, --version
like "--help names the commands" "$($CORDON --help)" "run \[PROFILE\].*"
like "--version prints the version" "$($CORDON --version)" "^cordon [0-9]+\.[0-9]+"
$CORDON frobnicate >/dev/null 2>&1; is "an unknown command is a usage error" "$?" 2

# check: shipped profiles are valid and warning-free.
for f in "$P"/*.conf; do
  out=$(PWD=/tmp $CORDON check "$f" 2>&1); rc=$?
  is "check $(basename "$f"): valid, no warning" "$rc:$out" "0:"
done

# check: problems as FILE:LINE: error: MESSAGE, all in one pass, exit 1.
cat > "$T/bad.conf" <<'EOC'
cwd = "relative"
uid = 0
mount "/x" { type = "bind" source = "/nonexistent-cordon-source" }
frobnicate = 1
EOC
out=$($CORDON check "$T/bad.conf" 2>&1); rc=$?
is "check of an invalid profile exits 1" "$rc" 1
like "the bad cwd is reported with its line" "$out" "^$T/bad.conf:1: error: .*cwd"
like "the missing bind source is reported with its line" "$out" "$T/bad.conf:3: error: .*nonexistent-cordon-source"
like "the unknown key is reported with its line and name" "$out" "$T/bad.conf:4: error: .*frobnicate"

# --strict: warnings fail.
cat > "$T/risky.conf" <<'EOC'
mount "/host" { type = "bind" source = "/" writable = true }
EOC
out=$($CORDON check "$T/risky.conf" 2>&1); rc=$?
is "a writable bind of / is valid" "$rc" 0
like "... but warned about with its line" "$out" "^$T/risky.conf:1: warning: "
$CORDON check --strict "$T/risky.conf" >/dev/null 2>&1
is "--strict makes the warning fail" "$?" 1

# The host paths a profile hands out are judged by what they resolve to,
# not by how they are spelled.
ln -s / "$T/rootlink"
ln -s /etc "$T/etclink"
for src in /tmp/.. /proc/self/root "$T/rootlink" //; do
  printf 'mount "/host" { type = "bind" source = "%s" writable = true }\n' "$src" > "$T/risky2.conf"
  out=$($CORDON check --strict "$T/risky2.conf" 2>&1); rc=$?
  is "--strict: a writable bind of $src fails" "$rc" 1
  like "... as the host's /" "$out" "risky2.conf:1: warning: mount '/host': writable bind of the host's /( \('$src' resolves to it\))?\$"
done
printf 'mount "/x" { type = "bind" source = "%s" writable = true }\n' /sys/kernel/../kernel > "$T/risky2.conf"
like "a writable bind of a part of /sys is warned about" \
  "$($CORDON check "$T/risky2.conf" 2>&1)" "writable bind of '/sys/kernel/../kernel', part of the host's /sys"
printf 'mount "/x" { type = "bind" source = "%s" writable = true }\n' "$T/etclink" > "$T/risky2.conf"
like "a writable bind of a link to /etc is the host's /etc" \
  "$($CORDON check "$T/risky2.conf" 2>&1)" "writable bind of the host's /etc \('$T/etclink' resolves to it\)"
mkdir -p "$T/lower" "$T/work"
printf 'mount "/x" {\n type = "overlay"\n lower = {"%s"}\n upper = "%s"\n work = "%s"\n}\n' "$T/lower" "$T/etclink" "$T/work" > "$T/risky2.conf"
like "an overlay upper on the host's /etc is warned about, on its line" \
  "$($CORDON check "$T/risky2.conf" 2>&1)" "risky2.conf:4: warning: mount '/x': overlay upper of the host's /etc"
printf 'mount "/x" { type = "bind" source = "%s" writable = true }\n' "$T" > "$T/risky2.conf"
is "a writable bind of an ordinary directory is no warning" "$($CORDON check --strict "$T/risky2.conf" 2>&1)" ""
for src in / /tmp/.. "$T/rootlink"; do
  printf 'root = "%s"\n' "$src" > "$T/risky2.conf"
  like "root = $src is warned about as the host's /" "$($CORDON check "$T/risky2.conf" 2>&1)" \
    "risky2.conf:1: warning: root is the host's /( \('$src' resolves to it\))?: the jail sees the host's whole tree"
done
# A container socket, bound even read-only (under a /run of our own).
out=$(unshare -m sh -c 'mount -t tmpfs none /run && mkdir -p /run/x &&
  python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"/run/docker.sock\")" &&
  ln -s /run/docker.sock /run/x/d.sock &&
  printf "mount \"/x\" { type = \"bind\" source = \"/run/x/d.sock\" }\n" > "$1" &&
  "$2" check --strict "$1"' sh "$T/risky2.conf" "$CORDON" 2>&1); rc=$?
is "--strict: a read-only bind of the docker socket fails" "$rc" 1
like "... naming it" "$out" "risky2.conf:1: warning: mount '/x': bind of the host's /run/docker.sock \('/run/x/d.sock' resolves to it\): whoever connects"

# Lookup by name: the search path, never the current directory.
cp "$P/default.conf" "$T/xdg/cordon/profiles/mine.conf"
sed -i 's/^name .*/name = "mine"/; s/^description .*/description = "my own jail"/' "$T/xdg/cordon/profiles/mine.conf"
ok "a name is found on the search path" $CORDON check mine
mkdir -p "$T/cwd" && cp "$P/default.conf" "$T/cwd/local.conf"
out=$(cd "$T/cwd" && $CORDON check local 2>&1); rc=$?
is "a profile in the current directory is not found by name" "$rc" 1
like "... and the error says where it looked" "$out" "$T/sys"
ok "a path (with a slash) is read as a path" sh -c "cd '$T/cwd' && $CORDON check ./local.conf"

# Uninstalled: CORDON_PROFILE_PATH puts the build tree's profiles first.
ok "CORDON_PROFILE_PATH finds a profile that is not installed" env CORDON_PROFILE_PATH="$P" $CORDON check build
like "... list shows it, from there" "$(CORDON_PROFILE_PATH="$P" $CORDON list)" "^build .*\[$P/build.conf\]\$"
out=$(cd "$T/cwd" && CORDON_PROFILE_PATH="::" $CORDON check local 2>&1); rc=$?
is "... an empty element is not the current directory" "$rc" 1

# Adapting an included profile: a destination declared again as another
# kind of entry replaces it; drop = true removes it.
printf 'include("%s")\ndir "/x" { }\nsymlink "/y" { target = "/usr" }\nfile "/z" { content = "z" }\n' "$P/default.conf" >"$T/inc-base.conf"
printf 'include("%s")\nmount "/x" { type = "tmpfs" }\ndir "/y" { drop = true }\nmount "/z" { drop = true }\n' "$T/inc-base.conf" >"$T/inc-top.conf"
is "an including profile replaces an included dir with a mount" \
  "$($CORDON run -q "$T/inc-top.conf" -- stat -f -c %T /x)" "tmpfs"
is "drop = true removes an included entry, whatever its kind" \
  "$($CORDON run -q "$T/inc-top.conf" -- sh -c 'test -e /y || test -e /z || echo gone')" "gone"
is "... and show prints the mount, not the dropped entries" \
  "$($CORDON show "$T/inc-top.conf" | grep -E '^[a-z]+ "/(x|y|z)"')" 'mount "/x" { type = "tmpfs"  size = 0 }'
printf 'dir "/x" { }\nmount "/x" { type = "tmpfs" }\n' >"$T/inc-twice.conf"
like "one destination as two kinds in one file is an error" "$($CORDON check "$T/inc-twice.conf" 2>&1)" \
  "inc-twice.conf:2: error: mount '/x': '/x' is already the dir at line 1 of this file"
printf 'include("%s")\nfile "/x" { drop = true  content = "a" }\ndir "/nothing" { drop = true }\n' "$T/inc-base.conf" >"$T/inc-bad.conf"
out=$($CORDON check "$T/inc-bad.conf" 2>&1)
like "drop = true with another key is an error" "$out" "inc-bad.conf:2: error: file '/x': 'drop = true' takes no other key"
like "drop = true of nothing is a warning" "$out" "inc-bad.conf:3: warning: dir '/nothing': 'drop = true' drops nothing"

# An unset ${VAR} is one error, not a second one about what is left of it.
pwd_line=$(grep -n 'source = "${PWD}"' "$P/build.conf" | cut -d: -f1)
is "an unset \${PWD} in a bind source is one error" \
  "$(cd /tmp && env -u PWD $CORDON check "$P/build.conf" 2>&1)" \
  "$P/build.conf:$pwd_line: error: environment variable 'PWD' is not set"

# list: the profiles on the search path with their descriptions.
like "list shows a profile and its description" "$($CORDON list)" "mine +my own jail"
like "... and the file it comes from" "$($CORDON list)" "mine +my own jail  \[$T/xdg/cordon/profiles/mine.conf\]"
like "list shows the built-in default" "$($CORDON list)" "^default +Run a host program.*  \[built in\]\$"
like "show default is the built-in default" "$($CORDON show default)" 'name *= *"default"'
is "run default runs in the built-in default" "$($CORDON run -q default -- cat /proc/sys/kernel/hostname)" "cordon"
out=$(cd "$T/cwd" && $CORDON check local 2>&1)
like "a name that is a file here gets a hint" "$out" "not found \(searched: .*\); did you mean ./local.conf\?\$"

# Site overrides: NAME.local on the search path, read right after NAME.conf,
# wherever NAME is loaded; the first directory's has the last word.
printf 'name = "site"\nhostname = "upstream"\ntime_limit = 9\ninclude("base.conf")\n' >"$T/sys/site.conf"
printf 'rlimit { nofile = 64 }\n' >"$T/sys/base.conf"
printf 'hostname = "adapted"\ntime_limit = 3\n' >"$T/sys/site.local"
printf 'time_limit = 4\n' >"$T/xdg/cordon/profiles/site.local"
printf 'rlimit { nofile = 32 }\n' >"$T/sys/base.local"
out=$($CORDON show site)
like "site.local adapts the profile" "$out" 'hostname *= *"adapted"'
like "... a .local earlier on the search path has the last word" "$out" 'time_limit *= *4'
like "... an included file's .local is read after it" "$out" 'nofile *= *"32"'
like "list says which .local files apply" "$($CORDON list)" \
  "^site +\[$T/sys/site.conf \+ $T/sys/site.local \+ $T/xdg/cordon/profiles/site.local\]\$"
printf 'mount "/srv" { type = "tmpfs" }\n' >>"$T/sys/base.conf"
out=$($CORDON show --origin site -D 'rlimit.nofile=16')
like "show --origin: a key set in a .local, at its line" "$out" "^hostname +$T/sys/site.local:1\$"
like "... the .local with the last word" "$out" "^time_limit +$T/xdg/cordon/profiles/site.local:1\$"
like "... a key of the profile itself" "$out" "^name +$T/sys/site.conf:1\$"
like "... a section, where it was declared" "$out" "^mount \"/srv\" +$T/sys/base.conf:2\$"
like "... a -D" "$out" "^rlimit.nofile +-D rlimit.nofile=16\$"
unlike "... only the effective assignment" "$out" "site.conf:2"
$CORDON check --origin site >/dev/null 2>&1
is "--origin is an option of show only" "$?" 2
printf 'frobnicate = 1\n' >"$T/sys/site.local"
is "an error in a .local is reported at its file and line" "$($CORDON check site 2>&1)" \
  "$T/sys/site.local:1: error: no such option 'frobnicate'"
printf 'hostname = "sitewide"\n' >"$T/sys/default.local"
is "default.local adapts the built-in default" "$($CORDON run -q -- cat /proc/sys/kernel/hostname)" "sitewide"
rm "$T/sys/default.local" "$T/sys/site.local" "$T/xdg/cordon/profiles/site.local"

# show: the effective profile, parsing back to itself, with -D applied.
for f in "$P"/*.conf; do
  PWD=/tmp $CORDON show "$f" > "$T/show1.conf" 2>&1
  PWD=/tmp $CORDON show "$T/show1.conf" > "$T/show2.conf" 2>&1
  ok "show $(basename "$f") parses back to the same profile" cmp "$T/show1.conf" "$T/show2.conf"
done
like "show prints the built-in default without a PROFILE" "$($CORDON show)" 'name *= *"default"'
like "-D overrides a key" "$($CORDON show -D time_limit=42)" "time_limit *= *42"
out=$($CORDON show -D frobnicate=1 2>&1); rc=$?
is "-D with an unknown key fails" "$rc" 1
like "... naming the key" "$out" "frobnicate"

# A -D value is one value, never profile text (CI passes branch names and
# job parameters through -D).
inject='hostname=x mount "/" { type = "bind" source = "/" writable = true }'
out=$($CORDON check -D "$inject" "$P/default.conf" 2>&1); rc=$?
is "check: a -D value with a section in it is invalid" "$rc" 1
like "... with a -D KEY=VALUE: error: line" "$out" "^-D hostname=x mount .*: error: 'hostname' takes one string"
out=$($CORDON run -D "$inject" -- /bin/sh -c 'echo ran; touch /etc/cordon-pwned' 2>&1); rc=$?
is "run: a -D value with a section in it exits 125" "$rc" 125
unlike "... and runs nothing" "$out" "ran"
out=$($CORDON run -D 'hostname="x"
cwd="/etc"' -- /bin/pwd 2>&1); rc=$?
is "run: a newline in a -D value does not start a key" "$rc:$(printf '%s\n' "$out" | wc -l)" "125:1"
like "-D keeps a quoted value with spaces as one string" \
  "$($CORDON show -D 'description="a b # c"')" 'description = "a b # c"'
out=$($CORDON check -D cwd "$P/default.conf" 2>&1); rc=$?
is "check: -D without = is an error with its -D" "$rc:$out" "1:-D cwd: error: expected KEY=VALUE"
out=$($CORDON run -D cwd -- /bin/true 2>&1); rc=$?
is "run: -D without = exits 125" "$rc:$out" "125:-D cwd: error: expected KEY=VALUE"
$CORDON run --no-such-option -- /bin/true >/dev/null 2>&1
is "run: an unknown option exits 125" "$?" 125

# run: exit statuses of cordon itself.
out=$($CORDON run "$T/bad.conf" -- /bin/true 2>&1); rc=$?
is "run with an invalid profile exits 125" "$rc" 125
like "... and prints FILE:LINE errors" "$out" "$T/bad.conf:1: error:"
out=$($CORDON run "$T/no-such.conf" -- /bin/true 2>&1); rc=$?
is "run with a missing profile exits 125" "$rc" 125
printf 'argv = {}\n' > "$T/noargv.conf"
out=$($CORDON run "$T/noargv.conf" 2>&1); rc=$?
is "run without a command exits 125" "$rc" 125
like "... and says to give one after --" "$out" "no command"
is "run -- CMD replaces argv" "$($CORDON run -- /bin/echo hello)" "hello"
printf 'argv = {"/bin/true"}\n\ncwd = "/nonexistent-cordon-cwd"\n' > "$T/nocwd.conf"
out=$($CORDON run "$T/nocwd.conf" 2>&1); rc=$?
is "run: a cwd missing in the jail exits 125" "$rc" 125
like "... naming the profile line that set it" "$out" "$T/nocwd.conf:3: cwd: chdir /nonexistent-cordon-cwd: "
is "run passes the command's status through" "$($CORDON run -- /bin/sh -c 'exit 7'; echo $?)" 7

# --report FILE: written only to a regular file of the caller's own, never
# through a symlink, a FIFO or a device, nor into another user's file or one
# with other names (a hard link); a refusal is exit 125 before the jail.
# rep FILE: "STATUS:MESSAGES" of a run with --report FILE.
rep() { _out=$($CORDON run --report "$1" -- /bin/true 2>&1); echo "$?:$_out"; }
echo secret > "$T/secret" && chmod 600 "$T/secret"
ln -s "$T/secret" "$T/link"
is "--report refuses a symlink" "$(rep "$T/link")" \
  "125:cordon: --report $T/link: is a symbolic link; cordon does not follow one"
is "... and the file it names is untouched" "$(cat "$T/secret")" secret
ln -s "$T/nowhere" "$T/dangling"
like "--report refuses a dangling symlink" "$(rep "$T/dangling")" "^125:.*: is a symbolic link"
ok "... and creates nothing through it" test ! -e "$T/nowhere"
mkfifo "$T/fifo"
out=$(timeout 10 $CORDON run --report "$T/fifo" -- /bin/true 2>&1); rc=$?
is "--report refuses a FIFO at once (no reader to wait for)" "$rc:$out" \
  "125:cordon: --report $T/fifo: is a FIFO, not a regular file"
is "--report refuses a directory" "$(rep "$T")" "125:cordon: --report $T: is a directory, not a regular file"
is "--report refuses a device" "$(rep /dev/null)" "125:cordon: --report /dev/null: is a character device, not a regular file"
is "--report refuses a name ending in /" "$(rep "$T/sub/")" "125:cordon: --report $T/sub/: names a directory, not a file"
is "--report refuses an empty name" "$(rep "")" "125:cordon: --report: the file name is empty"
ln "$T/secret" "$T/hardlink"
like "--report refuses a file with another name (hard link)" "$(rep "$T/hardlink")" \
  "^125:cordon: --report $T/hardlink: has 2 links "
is "... and leaves it whole" "$(cat "$T/secret")" secret
# Where another user may write (a world-writable sticky directory of theirs,
# as /tmp is one of everyone's): what they planted there is refused.
if is_root; then
  mkdir "$T/theirs" && chown 65534:65534 "$T/theirs" && chmod 1777 "$T/theirs"
  as_nobody ln -s "$T/secret" "$T/theirs/link"
  like "--report refuses another user's symlink" "$(rep "$T/theirs/link")" "^125:.*: is a symbolic link"
  is "... and the root-only file it names is untouched" "$(cat "$T/secret")" secret
  as_nobody sh -c "echo mine > $T/theirs/file"
  is "--report refuses another user's file" "$(rep "$T/theirs/file")" \
    "125:cordon: --report $T/theirs/file: belongs to uid 65534; cordon does not write another user's file"
  is "... and does not truncate it" "$(cat "$T/theirs/file")" mine
  as_nobody mkfifo "$T/theirs/fifo"
  out=$(timeout 10 $CORDON run --report "$T/theirs/fifo" -- /bin/true 2>&1); rc=$?
  is "--report refuses another user's FIFO" "$rc:$out" "125:cordon: --report $T/theirs/fifo: is a FIFO, not a regular file"
else
  skip "--report: files of another user" "needs root to play two users"
fi
# What it accepts: a new file (0644 less the umask), or a file of one's own,
# replaced whole; a symlink earlier in the path is followed as usual.
(umask 022 && $CORDON run --report "$T/new.json" -- /bin/true)
is "--report creates a new file" "$(jq -r .reason "$T/new.json"):$(stat -c %a "$T/new.json")" "exited:644"
head -c 100000 /dev/zero > "$T/old.json"
$CORDON run --report "$T/old.json" -- /bin/true
is "--report replaces a file of one's own whole" "$(wc -l < "$T/old.json"):$(jq -r .reason "$T/old.json")" "1:exited"
mkdir "$T/sub" && ln -s sub "$T/sublink"
$CORDON run --report "$T/sublink/r.json" -- /bin/true
is "--report follows a symlink to the directory" "$(jq -r .reason "$T/sub/r.json")" exited
(umask 077 && $CORDON run --report "$T/private.json" -- /bin/true)
is "--report: the final report keeps the file's mode" "$(stat -c %a "$T/private.json")" 600
# The final report is renamed over FILE only while FILE is still the file
# checked at the start: one that was replaced meanwhile stays as it is.
mkfifo "$T/go"
$CORDON run --report "$T/swap.json" -- /bin/sh -c 'read x' <"$T/go" 2>"$T/swap.err" & p=$!
exec 7>"$T/go"
i=0; until grep -q running "$T/swap.json" 2>/dev/null || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
echo theirs > "$T/swap.new" && mv "$T/swap.new" "$T/swap.json"
echo >&7; exec 7>&-; wait $p; rc=$?
is "--report replaced while the jail ran: left as it is" "$rc:$(cat "$T/swap.json")" "0:theirs"
is "... saying why" "$(cat "$T/swap.err")" \
  "cordon: --report $T/swap.json: it was replaced while the jail ran; cordon does not write over another file"
is "... and no temporary file left" "$(ls -a "$T" | grep -c cordon-report)" 0
# --report-fd N is the caller's: a pipe whose reader is gone is an error to
# say, not a SIGPIPE that takes the command's status with it.
{ $CORDON run --report-fd 3 -- /bin/sh -c 'sleep 0.2; exit 4' 3>&1 >/dev/null 2>"$T/epipe.err"; echo $? >"$T/epipe.rc"; } | true
is "--report-fd to a closed pipe: the command's status stays" "$(cat "$T/epipe.rc")" 4
is "... and the report's failure is said" "$(cat "$T/epipe.err")" \
  "cordon: write the run report: Broken pipe (EPIPE)"

# The profiles cache: a run takes the compiled profile while nothing it was
# made from has changed, and parses again when something has.
export CORDON_CACHE_DIR="$T/cache"
profile cached 'hostname = "one"' 'argv = {"/bin/hostname"}' 'include("cached-inc.conf")'
echo 'time_limit = 30' > "$T/cached-inc.conf"
out=$($CORDON run -v "$T/cached.conf" 2>&1)
unlike "a first run parses the profile" "$out" "profile .*: from the cache"
out=$($CORDON run -v "$T/cached.conf" 2>&1)
like "the next run takes it from the cache" "$out" "cordon: profile $T/cached.conf: from the cache"
like "... and runs it" "$out" "^one$"
like "... and the settings file from the cache too" "$out" "cordon: settings $T/cordon.conf: from the cache"
echo '# edited' >> "$T/cordon.conf"
unlike "an edited settings file is parsed again" "$($CORDON run -v "$T/cached.conf" 2>&1)" "settings .*from the cache"
sed -i 's/"one"/"two"/' "$T/cached.conf"
out=$($CORDON run -v "$T/cached.conf" 2>&1)
unlike "an edited profile is parsed again" "$out" "profile .*: from the cache"
like "... and the edit is in effect" "$out" "^two$"
echo 'time_limit = 1' > "$T/cached-inc.conf"
out=$($CORDON run -v "$T/cached.conf" -- /bin/sleep 5 2>&1); rc=$?
unlike "an edited include is parsed again" "$out" "profile .*: from the cache"
is "... and its edit is in effect (the time limit ends the sleep)" "$rc" 143
like "-D gives a run of its own, parsed" "$($CORDON run -v -D 'hostname="three"' "$T/cached.conf" 2>&1)" "^three$"
like "... which is cached too" "$($CORDON run -v -D 'hostname="three"' "$T/cached.conf" 2>&1)" "profile .*: from the cache"
for f in "$T"/cache/profiles/*; do chmod g+w "$f"; done
unlike "an entry others could write is not read" "$($CORDON run -v "$T/cached.conf" 2>&1)" "profile .*: from the cache"
out=$(CORDON_CACHE_DIR= $CORDON run -v "$T/cached.conf" 2>&1)
unlike "CORDON_CACHE_DIR= turns the cache off" "$out" "profile .*: from the cache"
like "... and the run is the same" "$out" "^two$"
out=$(CORDON_CACHE_DIR=/proc/cordon-cannot-write $CORDON run -v "$T/cached.conf" 2>&1); rc=$?
is "a cache that cannot be written is no cache, not an error" "$rc:$(printf '%s\n' "$out" | grep -v '^cordon: ' | grep -v warning)" "0:two"
# A cached run judges its host paths again: a link retargeted to / is
# warned about, though the profile is unchanged.
mkdir -p "$T/safe" && ln -sfn "$T/safe" "$T/movable"
profile cached-link "mount \"/m\" { type = \"bind\" source = \"$T/movable\" writable = true }"
$CORDON run "$T/cached-link.conf" -- true >/dev/null 2>&1
unlike "a writable bind of a link to a plain directory is no warning" \
  "$($CORDON run -v "$T/cached-link.conf" -- true 2>&1)" "warning: mount '/m'"
ln -sfn / "$T/movable"
out=$($CORDON run -v "$T/cached-link.conf" -- true 2>&1)
like "once the link leads to /, the run warns" "$out" "warning: mount '/m': writable bind of the host's / \('$T/movable' resolves to it\)"
unlike "... from a fresh parse" "$out" "profile .*: from the cache"
unset CORDON_CACHE_DIR
# The cache directory is opened level by level from /, each level checked
# and never looked up by its path again: a symbolic link in the path, or a
# level someone else could swap for one, makes no cache (the run goes on).
if is_root; then
  mkdir -p -m 700 "$T/victim/cache/seccomp"
  i=0
  while [ $i -lt 200 ]; do : > "$T/victim/cache/seccomp/old-$i.bpf"; i=$((i + 1)); done
  ln -s victim "$T/swapped"
  is "a symlink in the cache's path: the run goes on" \
    "$(CORDON_CACHE_DIR="$T/swapped/cache" $CORDON run -- /bin/echo ran 2>&1)" "ran"
  is "... and nothing is written or trimmed where it points" \
    "$(ls "$T/victim/cache" | tr '\n' ' '; ls "$T/victim/cache/seccomp" | wc -l)" "seccomp 200"
  mkdir -m 755 "$T/other" && chown 65534:65534 "$T/other"
  is "a level another user owns: the run goes on" \
    "$(CORDON_CACHE_DIR="$T/other/cache" $CORDON run -- /bin/echo ran 2>&1)" "ran"
  is "... and nothing is made in it" "$(ls -A "$T/other")" ""
  mkdir -m 755 "$T/open" && chmod 777 "$T/open"
  is "a level others may write: the run goes on" \
    "$(CORDON_CACHE_DIR="$T/open/cache" $CORDON run -- /bin/echo ran 2>&1)" "ran"
  is "... and nothing is made in it" "$(ls -A "$T/open")" ""
  mkdir -m 755 -p "$T/home/.cache" && chmod 777 "$T/home/.cache"
  is "nobody: a ~/.cache others may write: the run goes on" \
    "$(as_nobody env HOME="$T/home" "$CORDON_ANY" run -- /bin/echo ran 2>&1)" "ran"
  is "... and nothing is made in it" "$(ls -A "$T/home/.cache")" ""
  mkdir -m 1777 "$T/sticky"
  CORDON_CACHE_DIR="$T/sticky/cache" $CORDON run -- true
  is "a sticky level (as /tmp) is fine: the cache is made" "$(ls "$T/sticky/cache" | tr '\n' ' ')" "profiles seccomp "
else
  for t in "symlink" "... nothing written" "other's level" "... nothing made" \
           "open level" "... nothing made" "other's ~/.cache" "... nothing made" \
           "sticky level"; do
    skip "cache path: $t" "needs root"
  done
fi

done_testing
