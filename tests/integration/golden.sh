#!/bin/sh
# Behaviour does not move: `cordon check` and `cordon show` of every profile
# in tests/fixtures and profiles/, byte for byte as recorded in
# tests/fixtures/golden/.  A change that means to alter an output regenerates
# the record with GOLDEN_UPDATE=1 and says so in its commit.
. "$SRCDIR/tests/lib.sh"

G="$SRCDIR/tests/fixtures/golden"
# one environment for every run: the outputs name variables and paths
run() { # ARGS...
  (cd / && env -i PATH=/usr/bin:/bin HOME=/golden-home USER=golden \
     CORDON_CONFIG=/nonexistent-cordon.conf CORDON_CACHE_DIR= \
     "$CORDON" "$@" 2>&1; echo "[exit $?]") |
    # the search path names the configured directories (make distcheck
    # configures another prefix); show's word on what this kernel's
    # Landlock enforces is landlock.sh's to test
    sed -e "s|$SRCDIR/|@SRCDIR@/|g" \
        -e 's|^# landlock: .*|# landlock: (this kernel)|' \
        -e "s|$CORDON_TEST_SYSCONFDIR/cordon/|@SYSCONFDIR@/cordon/|g" \
        -e "s|$CORDON_TEST_DATADIR/cordon/|@DATADIR@/cordon/|g"
}

record() { # FILE REL
  f=$1
  printf '$ cordon check %s\n' "$2"; run check "$f"
  printf '$ cordon show %s\n' "$2"; run show "$f"
}

if ! is_root; then
  skip "golden outputs" "recorded as root (root-only warnings)"
  done_testing; exit
fi

files=$(cd "$SRCDIR" && find profiles tests/fixtures -name '*.conf' | LC_ALL=C sort)
n=0
for rel in $files; do
  out="$G/$(printf '%s' "$rel" | tr / _).out"
  actual=$(record "$SRCDIR/$rel" "$rel")
  if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$out"
  fi
  if [ ! -f "$out" ]; then
    _tap_line 1 "golden $rel" "no record: run with GOLDEN_UPDATE=1"
    continue
  fi
  expected=$(cat "$out")
  if [ "$actual" = "$expected" ]; then
    _tap_line 0 "golden $rel"
  else
    _tap_line 1 "golden $rel" "$(printf '%s\n' "$actual" | diff -u "$out" - | head -40)"
  fi
  n=$((n + 1))
done

# -D overrides, as the CLI tests use them
for d in "cwd=/tmp" "cgroup.memory=64M" "hostname=x" "seccomp.preset=strict" \
         "network.mode=none" "rlimit.nofile=64" "namespaces+={\"time\"}" \
         "frobnicate=1" "mount.type=bind" "environment=1"; do
  out="$G/D_$(printf '%s' "$d" | tr -c 'A-Za-z0-9_.=-' _).out"
  actual=$(printf '$ cordon show -D %s\n' "$d"; run show -D "$d")
  [ "${GOLDEN_UPDATE:-}" = 1 ] && printf '%s\n' "$actual" > "$out"
  if [ -f "$out" ] && [ "$actual" = "$(cat "$out")" ]; then
    _tap_line 0 "golden show -D $d"
  else
    _tap_line 1 "golden show -D $d" "$(printf '%s\n' "$actual" | diff -u "$out" - 2>&1 | head -40)"
  fi
done
done_testing
