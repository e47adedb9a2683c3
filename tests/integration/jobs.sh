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

# cordon list shows every shipped profile, with the description its file
# gives (from the build tree, through CORDON_PROFILE_PATH)
listed=$(env CORDON_CONFIG=/nonexistent CORDON_PROFILE_PATH="$P" "$CORDON" list 2>&1)
for f in "$P"/*.conf; do
  n=$(basename "$f" .conf)
  desc=$(sed -n 's/^description *= *"\(.*\)"$/\1/p' "$f" | sed 's/[][\\.*^$()+?{}|]/\\&/g')
  like "list shows $n and what it is for" "$listed" "^$n +$desc  \[$f\]\$"
done

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

# a test suite on a read-only tree: the tests run, each in a scratch
# directory under $TMPDIR; nothing can be written in the tree
for who in $whos; do
  d=$(project sh-project "$who")
  out=$(job "$who" "$d" "$P/test-ro.conf"); rc=$?
  is "test-ro ($who): the suite passes" "$rc" 0
  like "test-ro ($who): every test ran" "$out" '^3 of 3 tests passed$'
  out=$(job "$who" "$d" "$P/test-ro.conf" -- sh -c 'echo x > /tmp/t && cat /tmp/t; echo x > /src/new; echo x >> wordfreq.sh')
  like "test-ro ($who): /tmp is writable" "$out" '^x$'
  like "test-ro ($who): the tree is not, whatever its modes" "$out" 'Read-only file system'
  is "test-ro ($who): nothing in the tree was written" "$(find "$d" -newer "$d/run-tests" | grep -v '^'"$d"'$')" ""
done

# an interactive shell on a terminal of its own: typed commands run, with
# job control, on the jail's /dev/pts; the workspace and home are writable
if command -v script >/dev/null 2>&1; then
  for who in $whos; do
    d="$T/shell-$who"
    rm -rf "$d" && mkdir -p "$d"
    if [ "$who" = root ]; then chmod -R a+rwX "$d"; else chown -R 65534:65534 "$d"; fi
    typed='echo "sum $((6*7))"; tty; sleep 30 & jobs; kill %1; echo x > made; echo y > ~/y && echo home ok; exit 3'
    run="cd $d && env -i PATH=/usr/bin:/bin PWD=$d TERM=dumb HOME=$T/home CORDON_CONFIG=/nonexistent"
    if [ "$who" = root ]; then
      sh_out=$(printf '%s\n' "$typed" | timeout -k 5 60 script -qec "$run $CORDON run $P/shell.conf; echo status \$?" /dev/null 2>&1 | tr -d '\r')
    else
      sh_out=$(printf '%s\n' "$typed" | as_nobody env SHELL=/bin/sh timeout -k 5 60 script -qec "$run $CORDON_ANY run $P/shell.conf; echo status \$?" /dev/null 2>&1 | tr -d '\r')
    fi
    like "shell ($who): typed commands run" "$sh_out" '^sum 42$'
    like "shell ($who): on the jail's terminal" "$sh_out" '^/dev/pts/[0-9]+$'
    like "shell ($who): with job control" "$sh_out" '^\[1\]\+ +Running +sleep 30 &$'
    like "shell ($who): the home is writable" "$sh_out" '^home ok$'
    like "shell ($who): its exit status is cordon's" "$sh_out" '^status 3$'
    ok "shell ($who): the workspace is writable" test -f "$d/made"
  done
else
  skip "shell" "script(1) (util-linux) is not installed"
fi

# a CI step under limits, as root (rootless, in a cgroup delegated as
# etc/cgroup-delegated-v1.conf says, below): the step runs; a runaway step
# ends at the time limit, 143 (137 when it ignores SIGTERM); memory and
# processes stop at theirs
if is_root; then
  d=$(project c-project root)
  out=$(job root "$d" "$P/ci.conf" -- sh -c './configure && make check'); rc=$?
  is "ci (root): the step passes" "$rc" 0
  like "ci (root): its tests ran" "$out" 'PASS: 2 tests'
  out=$(job root "$d" "$P/ci.conf" -D time_limit=1 -- sh -c 'while :; do :; done'); rc=$?
  is "ci (root): a runaway step ends at the time limit: 143" "$rc" 143
  like "ci (root): ... and cordon says so" "$out" '^cordon: killed: time limit 1s reached$'
  out=$(job root "$d" "$P/ci.conf" -D time_limit=1 -- sh -c 'trap "" TERM; while :; do :; done'); rc=$?
  is "ci (root): one that ignores SIGTERM: 137" "$rc" 137
  out=$(job root "$d" "$P/ci.conf" -D cgroup.memory=32M -- sh -c 'x=$(head -c 104857600 /dev/zero | tr "\0" a); echo ${#x}'); rc=$?
  is "ci (root): beyond the memory limit: 137" "$rc" 137
  like "ci (root): ... and cordon says so" "$out" '^cordon: killed: out of memory \(limit 32M\)$'
  n=$(job root "$d" "$P/ci.conf" -D cgroup.pids=16 -- sh -c 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); echo $i; done' 2>/dev/null | grep -E '^[0-9]+$' | tail -n 1)
  like "ci (root): forks stop at the pids limit ($n)" "$n" '^1[0-9]$'
fi

# the example settings for a delegated cgroup: each is a valid settings
# file (CORDON_CONFIG), and the v1 one, done as it says for nobody (with a
# directory of this test's own), enforces the CI profile's limits rootless
E="$SRCDIR/etc"
for v in 1 2; do
  ok "etc/cgroup-delegated-v$v.conf is valid settings" \
    env CORDON_CONFIG="$E/cgroup-delegated-v$v.conf" "$CORDON" check "$P/ci.conf"
done
v2_pids() { grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null || grep -qw pids /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; }
if is_root && ! v2_pids; then
  out=$(cd / && CORDON_CONFIG="$E/cgroup-delegated-v2.conf" "$CORDON" run -D cgroup.pids=10 -- true 2>&1); rc=$?
  like "the v2 example asks for cgroup v2 (not here: refused, 125)" "$rc $out" '^125 .*cgroup v2: controller pids not available'
fi
if is_root && userns_works && [ -w /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/pids ] && [ -w /sys/fs/cgroup/cpu ]; then
  cg=cordon-jobs-$$
  undelegate() { for c in memory pids cpu; do rmdir "/sys/fs/cgroup/$c/$cg/cordon" "/sys/fs/cgroup/$c/$cg" 2>/dev/null; done; }
  at_exit undelegate
  for c in memory pids cpu; do
    mkdir -p "/sys/fs/cgroup/$c/$cg" &&
      chown 65534:65534 "/sys/fs/cgroup/$c/$cg" "/sys/fs/cgroup/$c/$cg/tasks" "/sys/fs/cgroup/$c/$cg/cgroup.procs"
  done
  sed "s|\"/ci-runner/|\"/$cg/|" "$E/cgroup-delegated-v1.conf" > "$T/v1.conf" && chmod 644 "$T/v1.conf"
  d=$(project c-project nobody)
  ci() { as_nobody sh -c 'cd "$1" && shift && exec env CORDON_CONFIG="$0" "$@"' "$T/v1.conf" "$d" "$CORDON_ANY" run "$P/ci.conf" "$@" 2>&1; }
  out=$(ci -- sh -c './configure && make check'); rc=$?
  is "ci (nobody, delegated v1): the step passes" "$rc" 0
  out=$(ci -D cgroup.memory=32M -- sh -c 'x=$(head -c 104857600 /dev/zero | tr "\0" a); echo ${#x}'); rc=$?
  is "ci (nobody, delegated v1): beyond the memory limit: 137" "$rc" 137
  like "ci (nobody, delegated v1): ... and cordon says so" "$out" '^cordon: killed: out of memory \(limit 32M\)$'
  is "ci (nobody, delegated v1): no cgroup left" "$(ls -d /sys/fs/cgroup/memory/$cg/cordon 2>/dev/null)" ""
else
  skip "ci (nobody, delegated v1)" "needs root, user namespaces and cgroup v1 memory, pids and cpu"
fi

done_testing
