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
unset CORDON_CACHE_DIR

done_testing
