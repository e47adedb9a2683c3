#!/bin/sh
# reserve-ids.sh START:COUNT [DIR] — reserve the host ids of root's jails
# (root_id_range in cordon.conf(5)) as the entry "cordon:START:COUNT" of
# DIR/subuid and DIR/subgid (DIR: /etc), where useradd and newusers look
# for ranges already given out, so that no user's subordinate ids (and
# thus no user's processes) share an id with a root jail.
#
# Idempotent: a file with a "cordon:" entry is left as it is.  Other
# entries are never changed, only appended to; a range that overlaps
# another owner's entry is not added (a warning names the entry).
set -eu
case ${1:-} in
  [0-9]*:[0-9]*) ;;
  *) echo "usage: $0 START:COUNT [DIR]" >&2; exit 2 ;;
esac
case $1 in
  *[!0-9:]* | *:*:*) echo "usage: $0 START:COUNT [DIR]" >&2; exit 2 ;;
esac
start=${1%%:*} count=${1#*:}
dir=${2:-/etc}
status=0
for f in subuid subgid; do
  file=$dir/$f
  if [ -e "$file" ] && grep -q '^cordon:' "$file"; then
    continue
  fi
  clash=
  if [ -e "$file" ]; then
    clash=$(awk -F: -v s="$start" -v c="$count" \
      '!/^#/ && NF >= 3 && $2 + 0 < s + c && s + 0 < $2 + $3 { print; exit }' "$file")
  fi
  if [ -n "$clash" ]; then
    echo "$0: warning: $file: ids $start:$count overlap the entry '$clash': not reserved" >&2
    status=1
    continue
  fi
  # an entry of its own line, even after a last line without its newline
  if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then
    echo >> "$file"
  fi
  echo "cordon:$start:$count" >> "$file"
  echo "$0: $file: reserved ids $start:$count for root's jails as \"cordon\""
done
exit $status
