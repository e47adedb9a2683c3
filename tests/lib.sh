# tests/lib.sh — TAP helpers for the integration tests, which start real jails.
#
# A test file sources this, calls the helpers below, and ends with
# done_testing.  Each check prints one TAP line; tap-driver.sh counts them.
#   ok NAME CMD...            passes when CMD exits 0
#   fails NAME CMD...         passes when CMD exits non-zero
#   is NAME ACTUAL EXPECTED   passes when the two strings are equal
#   like NAME ACTUAL REGEX    passes when ACTUAL matches the extended REGEX
#   skip NAME REASON
# $CORDON is the binary under test; $T is a scratch directory that every user
# (also nobody) can read, removed when the test file ends.

set -u
: "${CORDON:?CORDON must name the cordon binary (make check sets it)}"
: "${SRCDIR:?SRCDIR must name the source tree (make check sets it)}"

tap_n=0
tap_failed=0

_tap_line() { # STATUS NAME [DIAG]
  tap_n=$((tap_n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $tap_n - $2"
  else
    echo "not ok $tap_n - $2"
    tap_failed=$((tap_failed + 1))
    [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
  fi
  return 0
}

ok() {
  name=$1; shift
  out=$("$@" 2>&1); rc=$?
  _tap_line "$rc" "$name" "command: $* (exit $rc)
$out"
}

fails() {
  name=$1; shift
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != 0 ]; then _tap_line 0 "$name"; else _tap_line 1 "$name" "command unexpectedly succeeded: $*
$out"; fi
}

is() {
  if [ "$2" = "$3" ]; then _tap_line 0 "$1"; else _tap_line 1 "$1" "expected: [$3]
     got: [$2]"; fi
}

like() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then _tap_line 0 "$1"; else _tap_line 1 "$1" "expected to match: $3
     got: [$2]"; fi
}

skip() {
  tap_n=$((tap_n + 1))
  echo "ok $tap_n - $1 # SKIP $2"
}

done_testing() {
  echo "1..$tap_n"
  [ "$tap_failed" = 0 ]
}

# A scratch directory readable by every user, for files the jails bind.
T=$(mktemp -d /tmp/cordon-test.XXXXXX)
chmod 755 "$T"
cleanup_hooks=""
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$T"' EXIT

is_root() { [ "$(id -u)" = 0 ]; }

# The binary, where nobody can execute it too: the build tree may sit under a
# directory only root can enter.
CORDON_ANY="$CORDON"
if is_root && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$CORDON" 2>/dev/null; then
  mkdir -p "$T/bin" && cp "$CORDON" "$T/bin/cordon" && chmod 755 "$T/bin/cordon"
  CORDON_ANY="$T/bin/cordon"
fi

# Run a command as the unprivileged user nobody, in a clean environment.
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- "$@"
}

# Can unprivileged users create user namespaces here?  (Some kernels forbid it.)
userns_works() {
  as_nobody unshare --user --map-root-user true 2>/dev/null
}

# Mounts on the host whose path mentions PATTERN: after a run there must be none.
host_mounts_matching() {
  awk -v p="$1" 'index($5, p) || index($4, p)' /proc/self/mountinfo
}
