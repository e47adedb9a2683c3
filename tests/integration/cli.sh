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

# list: the profiles on the search path with their descriptions.
like "list shows a profile and its description" "$($CORDON list)" "mine +my own jail"

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
is "run passes the command's status through" "$($CORDON run -- /bin/sh -c 'exit 7'; echo $?)" 7

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

done_testing
