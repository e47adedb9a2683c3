# tests/lib.sh — TAP helpers for the integration tests, which start real jails.
#
# A test file sources this, calls the helpers below, and ends with
# done_testing.  Each check prints one TAP line; tap-driver.sh counts them.
#   ok NAME CMD...            passes when CMD exits 0
#   fails NAME CMD...         passes when CMD exits non-zero
#   is NAME ACTUAL EXPECTED   passes when the two strings are equal
#   like NAME ACTUAL REGEX    passes when ACTUAL matches the extended REGEX
#   unlike NAME ACTUAL REGEX  passes when it does not
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

unlike() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then _tap_line 1 "$1" "expected not to match: $3
     got: [$2]"; else _tap_line 0 "$1"; fi
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

# The attack probe ($PROBE, by default the built tests/probes/attack),
# bound at /probe in the hardening tests' jail $P: after use_attack_probe,
# jail ARGS prints what `cordon run $P ARGS` says (the probe prints "ok" or
# the errno's name).
use_attack_probe() {
  PROBE=${PROBE:-"$BUILDDIR/tests/probes/attack"}
  mkdir -p "$T/probe" && cp "$PROBE" "$T/probe/attack" && chmod 755 "$T/probe/attack"
  PROBE_DIR="$T/probe"; export PROBE_DIR
  P="$SRCDIR/tests/fixtures/hardening/jail.conf"
}
jail() { "$CORDON" run "$P" "$@" 2>&1; }

# The binary, where nobody can execute it too: the build tree may sit under a
# directory only root can enter.
CORDON_ANY="$CORDON"
if is_root && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$CORDON" 2>/dev/null; then
  mkdir -p "$T/bin" && cp "$CORDON" "$T/bin/cordon" && chmod 755 "$T/bin/cordon"
  CORDON_ANY="$T/bin/cordon"
fi

# Run a command as the unprivileged user nobody, in a clean environment.
# TMPDIR: nobody has no XDG_RUNTIME_DIR nor home, so its cordon caches
# in $TMPDIR/cordon-65534: in the test's scratch directory, not in /tmp.
as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env -- env TMPDIR="$T" "$@"
}

# wait_until CMD...: poll for up to 20 s until CMD succeeds.  (The
# network tests' netlib.sh has its own wait_for FILE PATTERN.)
wait_until() {
  _i=0
  while ! "$@" 2>/dev/null; do
    _i=$((_i + 1)); [ $_i -gt 200 ] && return 1
    sleep 0.1
  done
}

# kill_own [-SIG] PID...: signal (TERM by default) each PID that is still
# a child of this test (its parent is this shell).  A background process
# that has ended was reaped by the shell at its next wait for any command,
# and its pid is free: pid_max is 32768 here and a run of the suite wraps
# it, so that pid may be another test's process by now, or the machine's.
# The check and the signal are builtins (no fork, so no reaping between):
# a child cannot turn into a stranger in between.
kill_own() {
  _sig=-TERM
  case ${1:-} in -*) _sig=$1; shift ;; esac
  for _p in "$@"; do
    read -r _st 2>/dev/null < "/proc/$_p/stat" || continue
    _st=${_st##*) }   # "STATE PPID ...": after the command's name
    _st=${_st#* }
    [ "${_st%% *}" = "$$" ] && kill "$_sig" "$_p" 2>/dev/null
  done
  return 0
}

# Can unprivileged users create user namespaces here?  (Some kernels forbid it.)
userns_works() {
  as_nobody unshare --user --map-root-user true 2>/dev/null
}

# Mounts on the host whose path mentions PATTERN: after a run there must be none.
host_mounts_matching() {
  awk -v p="$1" 'index($5, p) || index($4, p)' /proc/self/mountinfo
}

# base_profile [-n] [-p] [-e] [-P PATH]: prints a small jail on the host's
# /usr, read-only, with /bin /lib /lib64 /sbin linking into it: all namespaces
# but time, a /proc of the jail's own, /dev, and an environment of only PATH
# (/usr/bin:/bin, or -P's).  -n leaves out the namespaces, -p the /proc and -e
# the environment, for a caller that sets them itself.
base_profile() {
  _bp_ns=1 _bp_proc=1 _bp_env=1 _bp_path=/usr/bin:/bin
  OPTIND=1
  while getopts npeP: _bp_opt; do
    case $_bp_opt in
      n) _bp_ns= ;;
      p) _bp_proc= ;;
      e) _bp_env= ;;
      P) _bp_path=$OPTARG ;;
      *) return 2 ;;
    esac
  done
  if [ -n "$_bp_ns" ]; then
    echo 'namespaces = {"user", "mount", "pid", "ipc", "uts", "net", "cgroup"}'
  fi
  printf '%s\n' 'mount "/usr" { type = "bind" source = "/usr" }' \
    'symlink "/bin" { target = "usr/bin" }' \
    'symlink "/lib" { target = "usr/lib" }' \
    'symlink "/lib64" { target = "usr/lib64" }' \
    'symlink "/sbin" { target = "usr/sbin" }'
  if [ -n "$_bp_proc" ]; then echo 'mount "/proc" { type = "proc" }'; fi
  echo 'mount "/dev" { type = "dev" }'
  if [ -n "$_bp_env" ]; then
    printf 'environment { clear = true set = {"PATH=%s"} }\n' "$_bp_path"
  fi
}

# profile NAME LINE...: base_profile and the LINEs, as $T/NAME.conf.  LINEs
# that set namespaces replace its namespaces and /proc (they bring their own
# /proc, if any); LINEs that set the environment replace its environment.
profile() {
  _p_name=$1; shift
  _p_opts=
  case "$*" in *namespaces*) _p_opts="-n -p" ;; esac
  case "$*" in *environment*) _p_opts="$_p_opts -e" ;; esac
  { base_profile $_p_opts; printf '%s\n' "$@"; } > "$T/$_p_name.conf"
}
