#!/bin/sh
# tty.sh — tty = true: the command gets a new pseudo-terminal of its own,
# relayed to the caller's.  cordon runs under script(1), which gives it a
# terminal; each check is what a person at that terminal would see.
. "$SRCDIR/tests/lib.sh"

if ! command -v script >/dev/null 2>&1; then
  skip "tty" "script(1) (util-linux) is not installed"
  done_testing; exit
fi

# Run the shell snippet $2 in a new terminal as user $1 (root or nobody),
# where $C names cordon; print what the terminal showed, without the \r of
# its output processing and the "^@" echo of the NUL script(1) types when
# its own stdin (/dev/null) ends.
in_terminal() {
  in_terminal_raw "$@" | tr -d '\r' | sed 's/\^@//g'
}
# ... as it showed it, with the \r of the terminal's output processing.
in_terminal_raw() {
  if [ "$1" = nobody ]; then
    as_nobody env SHELL=/bin/sh C="$CORDON_ANY" timeout -k 5 60 script -qec "$2" /dev/null
  else
    env C="$CORDON" timeout -k 5 60 script -qec "$2" /dev/null
  fi </dev/null 2>&1
}
CR=$(printf '\r')


check_as() { # USER
  u=$1
  TTY='$C run -q -D tty=true --'
  NO_TTY='$C run -q -D tty=false --'

  like "$u: tty = true: tty(1) names the jail's /dev/pts" \
    "$(in_terminal "$u" "$TTY tty")" '^/dev/pts/[0-9]+$'
  is "$u: ... stdin is a terminal even with cordon's stdin redirected" \
    "$(in_terminal "$u" "$TTY sh -c 'test -t 0 && echo yes || echo no' </dev/null")" "yes"
  is "$u: tty = false with stdin redirected: no terminal" \
    "$(in_terminal "$u" "$NO_TTY sh -c 'test -t 0 && echo yes || echo no' </dev/null")" "no"
  is "$u: tty = false: tty(1) finds no terminal of the jail" \
    "$(in_terminal "$u" "$NO_TTY tty")" "not a tty"

  is "$u: the caller's window size is copied" \
    "$(in_terminal "$u" "stty rows 33 cols 101; $TTY stty size")" "33 101"

  out=$(in_terminal "$u" "$TTY sh -ic 'sleep 5 & jobs; kill %1'")
  like "$u: job control: an interactive shell lists its background job" "$out" \
    '^\[1\] \+ Running +sleep 5$'
  like "$u: ... without tty, the same shell has no job control" \
    "$(in_terminal "$u" "$NO_TTY sh -ic 'sleep 5 & jobs; kill %1'" )" \
    "job control turned off"

  # fd 3 is the caller's terminal, passed in to look at its settings.
  is "$u: the caller's terminal is raw while the command runs" \
    "$(in_terminal "$u" "\$C run -q -D tty=true -D 'pass_fds={3}' -- sh -c 'stty -a <&3' 3</dev/tty" | grep -Eo ' -?icanon')" " -icanon"
  is "$u: ... and is not with tty = false" \
    "$(in_terminal "$u" "\$C run -q -D tty=false -D 'pass_fds={3}' -- sh -c 'stty -a <&3' 3</dev/tty" | grep -Eo ' -?icanon')" " icanon"
  out=$(in_terminal "$u" "stty -g; $TTY sh -c 'exit 7'; echo \"status \$?\"; stty -g")
  is "$u: the exit status passes through" "$(echo "$out" | sed -n 2p)" "status 7"
  is "$u: the caller's terminal settings are restored" \
    "$(echo "$out" | sed -n 3p)" "$(echo "$out" | sed -n 1p)"
  out=$(in_terminal "$u" "stty -g; $TTY no-such-command; echo \"status \$?\"; stty -g")
  is "$u: ... and after a failed exec (status 127)" \
    "$(echo "$out" | sed -n 3p) $(echo "$out" | sed -n 4p)" \
    "status 127 $(echo "$out" | sed -n 1p)"
  out=$(in_terminal "$u" "stty -g; $TTY sh -c 'kill -TERM \$\$'; echo \"status \$?\"; stty -g")
  is "$u: ... and after the command was killed (status 143)" \
    "$(echo "$out" | sed -n 2p) $(echo "$out" | sed -n 3p)" \
    "status 143 $(echo "$out" | sed -n 1p)"

  # ^C as a byte on stdin: the new terminal makes it SIGINT for the
  # command's foreground process group (and echoes it).
  is "$u: ^C typed into the terminal interrupts the command" \
    "$(in_terminal "$u" "printf '\\003' | $TTY sleep 50; echo \" status \$?\"")" "^C status 130"
  # The terminal echoes what is typed; cat sees the end of its input after
  # the partial line "two".
  is "$u: end of stdin is the terminal's EOF, not a hangup" \
    "$(in_terminal "$u" "printf 'one\\ntwo' | $TTY sh -c 'cat >/tmp/in; echo \" cat done\"; cat /tmp/in'")" \
    "one
two cat done
one
two"
  is "$u: output is drained when the command ends" \
    "$(in_terminal "$u" "$TTY seq 20000 | tail -n 1")" "20000"
  is "$u: once stdout is closed, the output is dropped, not blocking the command" \
    "$(in_terminal "$u" "$TTY seq 200000 | head -n 1; echo finished")" "1
finished"

  # cordon's own message comes after the caller's terminal has its
  # settings back: in raw mode its newline would not return the carriage.
  out=$(in_terminal_raw "$u" "\$C run -q -D tty=true -D time_limit=1 -- sleep 5" | grep -c "cordon: killed: time limit 1s reached$CR\$")
  is "$u: tty = true: the time-limit message is a line of the restored terminal" "$out" 1

  # A hangup: cordon leads the session of a terminal that goes away (a
  # closed tmux pane, ssh -t, script -c).  The kernel's SIGHUP goes to the
  # session leader alone, cordon; the jail must end with it.
  for tty in false true; do
    m=$(case $tty in true) echo "98${#u}1";; *) echo "98${#u}0";; esac)
    in_terminal "$u" "exec \$C run -q -D tty=$tty -- sleep $m" >/dev/null &
    wait_until pgrep -x -f "sleep $m"
    kill -KILL "$(pgrep -f "^script -qec exec .* sleep $m /dev/null$")"
    wait_until sh -c "! pgrep -x -f 'sleep $m'"; rc=$?
    is "$u: tty = $tty: a hangup of the terminal cordon leads ends the jail" "$rc" 0
    pkill -KILL -x -f "sleep $m"; wait
  done

  # A window change reaches the command (SIGWINCH) with the new size.  Here
  # cordon runs in the background: its stdin is /dev/null, its stderr the
  # terminal it copies the size from.  The command prints the size at every
  # SIGWINCH and ends at 40x90 (or after 30 s): under load an earlier one
  # (the terminal's first size, 0 0) can come after its trap is set.
  d="$T/winch-$u"; mkdir -p "$d"; chmod 777 "$d"
  in_terminal "$u" "$TTY sh -c 'on_winch() { stty size; set -- \$(stty size); test \$1x\$2 = 40x90 && exit 0; }; trap on_winch WINCH; echo ready; i=0; while [ \$i -lt 300 ]; do sleep 0.1; i=\$((i+1)); done; exit 1' >$d/out &
    i=0; until grep -q ready $d/out 2>/dev/null || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i+1)); done
    stty rows 40 cols 90; wait" >/dev/null
  is "$u: SIGWINCH copies the new window size" "$(tr -d '\r' <"$d/out" | tail -n 1)" "40 90"
}

check_as root
if userns_works; then
  check_as nobody
else
  skip "rootless tty" "unprivileged user namespaces are not allowed here"
fi

# Validation.
out=$("$CORDON" run -q -D tty=true -D new_session=false -- true 2>&1); rc=$?
like "tty = true with new_session = false is refused" "$out" \
  "'tty = true' needs 'new_session = true'"
is "... with status 125" "$rc" "125"
printf '%s\n' 'argv = {"/bin/true"}' 'namespaces = {"user", "mount", "pid"}' \
  'mount "/usr" { type = "bind"  source = "/usr" }' \
  'symlink "/bin" { target = "usr/bin" }' 'symlink "/lib" { target = "usr/lib" }' \
  'symlink "/lib64" { target = "usr/lib64" }' 'tty = true' >"$T/no-dev.conf"
out=$(in_terminal root "\$C run -q $T/no-dev.conf; echo \"status \$?\"")
like "without /dev/ptmx in the jail, tty = true says what to mount" "$out" \
  'tty = true needs /dev/ptmx in the jail \(mount "/dev" \{ type = "dev" \}\): open /dev/ptmx: No such file or directory'
like "... and fails with 125" "$out" 'status 125$'

done_testing
