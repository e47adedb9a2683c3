#!/bin/sh
# The shipped profiles run the real jobs they are for, as root and
# rootless, on the small projects of tests/fixtures/jobs: a configure/make
# build, a pytest run, npm ci and npm test with a local dependency, a shell
# CI step with git and tar, an unknown binary, an assistant's commands.
. "$SRCDIR/tests/lib.sh"

P="$SRCDIR/profiles"
F="$SRCDIR/tests/fixtures/jobs"

# project NAME OWNER: a fresh copy of the fixture project NAME, owned by
# OWNER (root's jail runs as an id of its own: its workspace lets it write)
project() {
  d="$T/$1-$2"
  rm -rf "$d" && cp -r "$F/$1" "$d"
  # the copy keeps the source's modes: read-only under make distcheck
  chmod -R u+rwX "$d"
  if [ "$2" = root ]; then chmod -R a+rwX "$d"; else chown -R 65534:65534 "$d"; fi
  # one old time for every file, so that `find -newer` sees only what the
  # job wrote (cp -r leaves each file the time it was copied at)
  find "$d" -exec touch -h -d @946684800 {} +
  printf '%s' "$d"
}
# job WHO DIR PROFILE [-- CMD...]: cordon run PROFILE in DIR, as WHO
job() {
  _who=$1 _dir=$2; shift 2
  if [ "$_who" = root ]; then
    (cd "$_dir" && env -i PATH=/usr/bin:/bin PWD="$_dir" HOME="$T/home" GITHUB_TOKEN=secret \
       CORDON_CONFIG=/nonexistent "$CORDON" run "$@" 2>&1)
  else
    as_nobody sh -c 'cd "$1" && h=$2 && shift 2 && exec env HOME="$h" GITHUB_TOKEN=secret CORDON_CONFIG=/nonexistent "$@"' \
      _ "$_dir" "$T/home" "$CORDON_ANY" run "$@" 2>&1
  fi
}
mkdir -p "$T/home"

whos="root"
if is_root && userns_works; then whos="root nobody"; fi

# a C project's ./configure && make && make check in build, with a
# writable home (git config --global)
for who in $whos; do
  d=$(project c-project "$who")
  out=$(job "$who" "$d" "$P/build.conf" -- sh -c './configure && make && make check && git config --global user.name build && git config --global user.name')
  rc=$?
  is "build ($who): configure, make, make check" "$rc" 0
  like "build ($who): the tests ran" "$out" 'PASS: 2 tests'
  like "build ($who): the home is writable" "$out" '^build$'
done

# root's build of a tree root owns, as `apt-get source` as root leaves it
# (0755 directories, 0644 files): map_owner makes the jail's user the
# tree's owner, so it can write there, and what it writes is root's
if is_root; then
  d=$(project c-project rootowned)
  chown -R 0:0 "$d" && chmod -R go-w,a+rX "$d"
  out=$(job root "$d" "$P/build.conf" -- sh -c './configure && make && make check'); rc=$?
  is "build (root, root's tree): configure, make, make check" "$rc" 0
  like "build (root, root's tree): the tests ran" "$out" 'PASS: 2 tests'
  is "build (root, root's tree): what it wrote is root's on the host" \
    "$(stat -c %u:%g "$d/greet" "$d/config.h" | sort -u)" "0:0"
  d=$(project c-project rootowned2)
  chown -R 0:0 "$d" && chmod -R go-w,a+rX "$d"
  out=$(job root "$d" "$P/build.conf" -D 'map_owner=""' -- ./configure)
  like "... without map_owner, root's jail cannot write it" "$out" 'Permission denied'
  out=$(job root "$d" "$P/build.conf" -D mask_paths=false -- true); rc=$?
  is "... mapped to root with mask_paths = false: refused" "$rc" 125
  like "... and says why" "$out" "map_owner \"/work\": $d is root's, and with mask_paths = false"
fi
if is_root && userns_works; then
  d=$(project c-project rootowned3)
  chown -R 0:0 "$d" && chmod -R go-w,a+rX "$d"
  out=$(job nobody "$d" "$P/build.conf" -- true); rc=$?
  is "build (nobody, root's tree): refused" "$rc" 125
  like "... the jail can only be the caller" "$out" "map_owner \"/work\": $d is uid 0's, and without root the jail's user can only be you \(uid 65534\)"
fi

# pytest on a read-only source tree
if /usr/bin/python3 -c 'import pytest' 2>/dev/null; then
  for who in $whos; do
    d=$(project py-project "$who")
    out=$(job "$who" "$d" "$P/python-test.conf"); rc=$?
    is "python-test ($who): pytest passes" "$rc" 0
    like "python-test ($who): every test ran" "$out" '7 passed'
    is "python-test ($who): the source was not written" "$(find "$d" -newer "$d/pyproject.toml" | grep -v '^'"$d"'$')" ""
  done
else
  skip "python-test" "no python3-pytest (./bootstrap installs it)"
fi

# npm ci and npm test, a local file: dependency, no registry
if command -v npm >/dev/null 2>&1; then
  for who in $whos; do
    d=$(project node-project "$who")
    out=$(job "$who" "$d" "$P/node-ci.conf"); rc=$?
    is "node-ci ($who): npm ci && npm test" "$rc" 0
    like "node-ci ($who): the test ran" "$out" 'greet: 2 tests passed'
    ok "node-ci ($who): the local dependency is installed" test -L "$d/node_modules/textutil"
  done
else
  skip "node-ci" "no npm"
fi

# a shell CI step: git commit, tar, under the limits (as root: the cgroup)
for who in $whos; do
  d="$T/shell-$who"
  rm -rf "$d" && mkdir -p "$d"
  printf '%s\n' '#!/bin/sh' 'set -e' 'git init -q .' \
    'git config --global user.email ci@example.com' 'git config --global user.name ci' \
    'echo hello > a.txt' 'git add a.txt' 'git commit -qm one' \
    'git log --format=%s' 'tar -cf /tmp/a.tar a.txt' 'tar -tf /tmp/a.tar' > "$d/ci.sh"
  chmod 755 "$d/ci.sh"
  if [ "$who" = root ]; then chmod -R a+rwX "$d"; else chown -R 65534:65534 "$d"; fi
  out=$(job "$who" "$d" "$P/shell-ci.conf"); rc=$?
  if [ "$who" != root ] && [ "$rc" = 125 ] && printf '%s' "$out" | grep -q cgroup; then
    skip "shell-ci ($who)" "no cgroup delegated to nobody here: limits are refused, as cordon(1) says"
    continue
  fi
  is "shell-ci ($who): the step passes" "$rc" 0
  like "shell-ci ($who): git and tar ran" "$(printf "%s" "$out" | tr "\n" " ")" '^one a\.txt$'
  out=$(job "$who" "$d" "$P/shell-ci.conf" -D time_limit=1 -- sleep 5)
  like "shell-ci ($who): the time limit ends a step" "$out" 'time limit'
done

# an unknown binary: runs on the files it is given; cannot fork
for who in $whos; do
  d="$T/untrusted-$who"
  rm -rf "$d" && mkdir -p "$d" && echo hello > "$d/in.txt" && chmod -R a+rX "$d"
  out=$(job "$who" "$d" "$P/untrusted.conf" -- /usr/bin/sha256sum in.txt); rc=$?
  is "untrusted ($who): the program runs" "$rc" 0
  like "untrusted ($who): on the file" "$out" '^5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  in.txt'
  job "$who" "$d" "$P/untrusted.conf" -- /bin/sh -c 'ls; ls' >/dev/null
  is "untrusted ($who): a fork kills it (SIGSYS)" "$?" 159
  job "$who" "$d" "$P/untrusted.conf" -- /usr/bin/touch x >/dev/null
  fails "untrusted ($who): the files are read-only" test -e "$d/x"
done

# an assistant's commands: the project writable, the secret stores and
# secret-looking variables not there
mkdir -p "$T/home/.ssh" "$T/home/.local/bin"
echo key > "$T/home/.ssh/id_ed25519"
for who in $whos; do
  d="$T/agent-$who"
  rm -rf "$d" && mkdir -p "$d"
  if [ "$who" = root ]; then chmod -R a+rwX "$d"; else chown -R 65534:65534 "$d"; fi
  out=$(job "$who" "$d" "$P/agent.conf" -D network.mode=none -- sh -c \
    'git init -q . && echo x > f && git add f && echo "home: $(ls -A "$HOME")"; cat ~/.ssh/id_ed25519; env')
  like "agent ($who): works in the project" "$out" 'home: \.local'
  ok "agent ($who): wrote the project" test -f "$d/f"
  unlike "agent ($who): no ~/.ssh" "$out" '^key$|\.ssh[^/]'
  unlike "agent ($who): no secret variable" "$out" 'GITHUB_TOKEN'
done

# cordon in cordon: the inner jail (the built-in default, rootless inside)
for who in $whos; do
  d="$T/nested-$who"
  rm -rf "$d" && mkdir -p "$d" && cp "$CORDON" "$d/cordon"
  if [ "$who" = root ]; then chmod -R a+rwX "$d"; else chown -R 65534:65534 "$d"; fi
  # the sanitizers' leak check cannot run in the inner jail's pid 1
  inner='ASAN_OPTIONS=detect_leaks=0 ./cordon run -- /bin/sh -c "echo inner; hostname"'
  out=$(job "$who" "$d" "$P/nested.conf" -- /bin/sh -c "$inner"); rc=$?
  is "nested ($who): a cordon runs inside" "$rc" 0
  is "nested ($who): its jail" "$(printf '%s' "$out" | tr '\n' ' ')" "inner cordon"
  out=$(job "$who" "$d" "$P/nested.conf" -D mask_paths=true -- /bin/sh -c "$inner")
  like "nested ($who): not under the default masks" "$out" 'Mount too revealing'
done

done_testing
