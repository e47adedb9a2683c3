#!/bin/sh
# cordon audit: every check passes on a sealed jail and fails on the
# profile made to trip it; host paths are judged as they resolve; the JSON
# parses; --threshold fails a CI step; every shipped profile scores what its
# header says, or better.
. "$SRCDIR/tests/lib.sh"

A="$SRCDIR/tests/fixtures/audit"
# one caller for every run: the secret stores are the home's, the sockets
# $XDG_RUNTIME_DIR's
H="$T/home"
mkdir -p "$H/.ssh" "$H/.gnupg" "$H/src/project" "$T/runtime"
audit() { # ARGS...
  env -i PATH=/usr/bin:/bin PWD="$(pwd)" HOME="$H" XDG_RUNTIME_DIR="$T/runtime" \
    CORDON_CONFIG=/nonexistent-cordon.conf "$CORDON" audit "$@"
}
# status CHECK PROFILE [ARGS]: the check's status in the JSON
status() {
  audit --json "$2" 2>/dev/null | jq -r --arg c "$1" '.checks[] | select(.name == $c) | .status'
}
reason() {
  audit --json "$2" 2>/dev/null | jq -r --arg c "$1" '.checks[] | select(.name == $c) | .reason'
}
score() { audit --json "$@" 2>/dev/null | jq -r '.score'; }

# ---- the output ----
sealed=$(audit --json "$A/sealed.conf"); rc=$?
is "audit --json exits 0" "$rc" 0
ok "audit --json is one JSON object with checks, score, label" \
  sh -c 'printf "%s" "$1" | jq -e "(.checks | length > 20) and (.score | type == \"number\") and (.label | type == \"string\") and all(.checks[]; has(\"name\") and has(\"weight\") and has(\"status\") and has(\"reason\") and has(\"key\"))"' _ "$sealed"
is "a sealed jail scores 0.0" "$(printf '%s' "$sealed" | jq -r '"\(.score) \(.label)"')" "0 OK"
text=$(audit "$A/trip-capabilities.conf")
like "text: one line per check, with its weight and the key to change" \
  "$text" 'FAIL +0\.900 +capabilities +keeps CAP_NET_BIND_SERVICE \(ports below 1024\); keeps CAP_SYS_ADMIN \(mount, unshare, undo the masks\).*\[capabilities\]'
like "text: the overall exposure and label" "$text" 'exposure: 9\.0 UNSAFE'
is "the default profile scores 1.2 OK" "$(audit | tail -n1)" "exposure: 1.2 OK"

# ---- every check: passes sealed, fails its trip profile ----
checks=$(printf '%s' "$sealed" | jq -r '.checks[].name')
for c in $checks; do
  is "$c passes the sealed jail" "$(status "$c" "$A/sealed.conf")" pass
  if [ -f "$A/trip-$c.conf" ]; then
    is "$c fails trip-$c.conf" "$(status "$c" "$A/trip-$c.conf")" fail
  else
    _tap_line 1 "$c has a trip profile" "no $A/trip-$c.conf"
  fi
done

# user mode alone keeps the host's loopback out of reach (pasta --no-map-gw);
# only host_loopback = true opens it
is "host-loopback passes user mode without host_loopback" \
  "$(status host-loopback "$A/trip-network-egress.conf")" pass
like "... its reason says so" "$(reason host-loopback "$A/trip-network-egress.conf")" \
  "loopback services are out of reach"
like "host-loopback fails with host_loopback = true, naming the key" \
  "$(audit "$A/trip-host-loopback.conf")" \
  'FAIL +0\.400 +host-loopback +the gateway.s address reaches the host.s loopback services +\[network\.host_loopback\]'

# ---- --threshold ----
audit --threshold 0 "$A/sealed.conf" >/dev/null 2>&1
is "--threshold 0: a sealed jail passes" "$?" 0
audit --threshold 5 "$A/trip-capabilities.conf" >/dev/null 2>&1
is "--threshold 5: 9.0 fails with 1" "$?" 1
audit --threshold 9 "$A/trip-capabilities.conf" >/dev/null 2>&1
is "--threshold 9: 9.0 is not above it" "$?" 0
err=$(audit --threshold 8.9 "$A/trip-capabilities.conf" 2>&1 >/dev/null)
like "--threshold says why it failed" "$err" 'exposure 9\.0 is above the threshold 8\.9'
audit --threshold 11 "$A/sealed.conf" >/dev/null 2>&1
is "--threshold 11: a usage error" "$?" 2
audit --threshold x "$A/sealed.conf" >/dev/null 2>&1
is "--threshold x: a usage error" "$?" 2
audit "$SRCDIR/tests/fixtures/invalid/bad-bool.conf" >/dev/null 2>&1
is "an invalid profile: exit 1" "$?" 1
audit -D no_new_privs=false "$A/sealed.conf" > "$T/d.out" 2>&1
like "-D changes what is judged" "$(cat "$T/d.out")" 'FAIL +0\.300 +no-new-privs'

# ---- host paths as they resolve ----
cat > "$T/up.conf" <<EOF
include("$A/sealed.conf")
mount "/host" { type = "bind"  source = "/tmp/.."  writable = true }
EOF
ln -s / "$T/root-link"
cat > "$T/link.conf" <<EOF
include("$A/sealed.conf")
mount "/host" { type = "bind"  source = "$T/root-link"  writable = true }
EOF
cat > "$T/home-rw.conf" <<EOF
include("$A/sealed.conf")
mount "/home/user" { type = "bind"  source = "$H"  writable = true }
EOF
cat > "$T/workspace.conf" <<EOF
include("$A/sealed.conf")
mount "/work" { type = "bind"  source = "$H/src/project"  writable = true }
EOF
like "a writable /tmp/.. is the host's /" "$(reason writable-host "$T/up.conf")" "writable bind of the host's /$"
is "... and nothing is contained" "$(score "$T/up.conf")" 10
like "a writable link to / is the host's /" "$(reason writable-host "$T/link.conf")" "writable bind of the host's /$"
like "a writable home" "$(reason writable-host "$T/home-rw.conf")" "writable bind of $H \(holds the host's your home\)|writable bind of the host's $H"
is "a writable workspace inside the home passes" "$(status writable-host "$T/workspace.conf")" pass
is "... and shows no secret store" "$(status secret-stores "$T/workspace.conf")" pass

# ---- secret stores: hidden by a mount over them, in order ----
cat > "$T/hidden.conf" <<EOF
include("$A/sealed.conf")
mount "/home/user" { type = "bind"  source = "\${HOME}" }
mount "/home/user/.ssh" { type = "tmpfs" }
EOF
cat > "$T/unhidden.conf" <<EOF
include("$A/sealed.conf")
mount "/home/user/.ssh" { type = "tmpfs" }
mount "/home/user" { type = "bind"  source = "\${HOME}" }
EOF
r=$(reason secret-stores "$T/hidden.conf")
unlike "a tmpfs over ~/.ssh hides it" "$r" '~/\.ssh'
like "... the rest of the home is still seen" "$r" '~/\.gnupg at /home/user/\.gnupg'
like "a tmpfs under a later bind hides nothing" "$(reason secret-stores "$T/unhidden.conf")" '~/\.ssh at /home/user/\.ssh'
cat > "$T/hostroot.conf" <<EOF
root = "/"
EOF
cat > "$T/hostroot-tmp.conf" <<EOF
root = "/"
mount "/tmp" { type = "tmpfs" }
EOF
like "root = \"/\" shows the home's keys and /etc/shadow" "$(reason secret-stores "$T/hostroot.conf")" "~/\.ssh.*/etc/shadow"
unlike "... not under a tmpfs over its /tmp" "$(reason secret-stores "$T/hostroot-tmp.conf")" '~/\.ssh'
cat > "$T/hostroot-masked.conf" <<EOF
root = "/"
mount "$T" { type = "tmpfs" }
file "/etc/shadow" { content = "" }
file "/etc/gshadow" { content = "" }
EOF
is "root = \"/\" with tmpfs over the home and the hashes masked" "$(status secret-stores "$T/hostroot-masked.conf")" pass
cat > "$T/agent-sock.conf" <<EOF
include("$A/sealed.conf")
mount "/agent" { type = "bind"  source = "$T/runtime" }
EOF
r=$(SSH_AUTH_SOCK="$T/runtime/agent.sock" env -i PATH=/usr/bin:/bin HOME="$H" SSH_AUTH_SOCK="$T/runtime/agent.sock" CORDON_CONFIG=/nonexistent "$CORDON" audit "$T/agent-sock.conf")
like "the ssh agent's socket is a secret store" "$r" 'secret-stores +visible: \$SSH_AUTH_SOCK at /agent/agent\.sock'
like "the session bus under \$XDG_RUNTIME_DIR is a host socket" "$(reason host-sockets "$T/agent-sock.conf")" 'XDG_RUNTIME_DIR/bus at /agent/bus'

# ---- environment: names that look like secrets ----
cat > "$T/env.conf" <<EOF
include("$A/sealed.conf")
environment { clear = true  keep = {"TERM", "KEYBOARD", "NPM_TOKEN", "DB_PASSWORD", "Api_Key", "SSH_AUTH_SOCK"} }
EOF
r=$(reason environment-secrets "$T/env.conf")
like "secret-looking names kept are listed" "$r" 'keeps NPM_TOKEN; keeps DB_PASSWORD; keeps Api_Key; keeps SSH_AUTH_SOCK$'
unlike "... a name holding KEY inside a word is not" "$r" KEYBOARD

# ---- as an unprivileged caller ----
if is_root; then
  is "rootless: the same judgement of the default profile" \
    "$(as_nobody env HOME=/nonexistent CORDON_CONFIG=/nonexistent "$CORDON_ANY" audit | tail -n1)" "exposure: 1.2 OK"
fi

# ---- map_owner: as root, a bind whose source is root's maps root ----
if is_root; then
  mkdir -p "$T/tree-root" "$T/tree-nobody" && chown 65534:65534 "$T/tree-nobody"
  cat > "$T/owner.conf" <<EOF
include("$A/sealed.conf")
mount "/work" { type = "bind"  source = "\${PWD}"  writable = true }
map_owner = "/work"
EOF
  like "map_owner on root's tree: the command is the host's root" \
    "$(cd "$T/tree-root" && reason root-mapped "$T/owner.conf")" "^map_owner: $T/tree-root is root's; uid [0-9]+ inside is the host's root and runs the command; gid [0-9]+ inside is the host's root group"
  is "map_owner on another's tree passes" "$(cd "$T/tree-nobody" && status root-mapped "$T/owner.conf")" pass
  is "... and -D map_owner=\"\" on root's tree" "$(cd "$T/tree-root" && audit --json -D 'map_owner=""' "$T/owner.conf" | jq -r '.checks[] | select(.name == "root-mapped") | .status')" pass
fi

# ---- every shipped profile scores what its header says, or better ----
# (from a project that is not root's; a header may state the score as
# root in a tree root owns too, for map_owner)
mkdir -p "$H/.aws" "$H/.config/gh" "$H/root-tree"
if is_root; then chown 65534:65534 "$H/src/project"; fi
for p in "$SRCDIR"/profiles/*.conf; do
  n=$(basename "$p")
  stated=$(sed -n 's/^# cordon audit: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$p" | head -n1)
  if [ -z "$stated" ]; then
    _tap_line 1 "profiles/$n states its audit score" "no '# cordon audit: SCORE LABEL' line"
    continue
  fi
  like "README's library lists $n with its header's label" \
    "$(grep -F "| \`$(basename "$n" .conf)\` |" "$SRCDIR/README.md")" "\| ${stated%% *} ${stated#* }( \(.*\))? \|\$"
  actual=$(cd "$H/src/project" && score "$p")
  label=$(cd "$H/src/project" && audit --json "$p" 2>/dev/null | jq -r .label)
  if [ -n "$actual" ] && awk -v a="$actual" -v s="${stated% *}" 'BEGIN { exit !(a <= s) }'; then
    _tap_line 0 "profiles/$n scores $actual $label (header: $stated)"
  else
    _tap_line 1 "profiles/$n scores $actual $label (header: $stated)" "worse than its header says"
  fi
  stated=$(sed -n 's/^# cordon audit, as root in a tree root owns: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$p")
  if [ -n "$stated" ] && is_root; then
    actual=$(cd "$H/root-tree" && audit --json "$p" 2>/dev/null | jq -r '"\(.score) \(.label)"')
    actual=$(printf '%.1f %s' $actual)
    is "profiles/$n as root in root's tree scores what its header says" "$actual" "$stated"
  fi
done

done_testing
