#!/bin/sh
# check-vm.sh — `make check-vm`: the cgroup tests on cgroup v2 for real, and
# the i386 ABI tests.
#
# The build host may have its controllers on v1, and its kernel may run no
# i386 code, so this boots the distro's kernel under qemu (TCG: no KVM
# needed) with a small initramfs made here: busybox, the built cordon and
# attack probe, jq, dash and util-linux's setpriv and unshare with their
# shared libraries (from ldd), tests/integration/cgroup.sh and abi.sh.  The
# guest mounts cgroup2 only, runs the tests (root and rootless, as nobody)
# and prints their TAP on the serial console; this script passes it on.
# Usage: check-vm.sh CORDON SRCDIR PROBE
set -u
cordon=$1 srcdir=$2 probe=$3
: "${VM_TIMEOUT:=1200}"

skip_all() { echo "1..0 # SKIP $*"; exit 77; }
kernel=${VM_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}
command -v qemu-system-x86_64 >/dev/null || skip_all "no qemu-system-x86_64 (package qemu-system-x86)"
[ -n "$kernel" ] && [ -r "$kernel" ] || skip_all "no readable kernel in /boot (package linux-image-amd64)"
busybox=$(command -v busybox) || skip_all "no busybox (package busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && skip_all "$busybox is not static (package busybox-static)"
command -v cpio >/dev/null || skip_all "no cpio"
jq=$(command -v jq) || skip_all "no jq"

work=$(mktemp -d /tmp/cordon-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
img=$work/img
mkdir -p "$img/usr/bin" "$img/usr/sbin" "$img/usr/lib" "$img/usr/lib64" \
  "$img/newroot" "$img/etc" "$img/src/tests/integration"
ln -s usr/bin "$img/bin"; ln -s usr/sbin "$img/sbin"
ln -s usr/lib "$img/lib"; ln -s usr/lib64 "$img/lib64"

cp "$busybox" "$img/usr/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$img/usr/bin/$applet" ] || ln -s busybox "$img/usr/bin/$applet"
done
# A binary and its libraries, at their real paths (merged /usr); it replaces
# a busybox applet of that name.
copy_elf() {
  rm -f "$img/usr/bin/$(basename "$2")"
  cp -L "$1" "$img/usr/bin/$(basename "$2")"
  ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
    dir=$(cd "$(dirname "$lib")" && pwd -P)
    mkdir -p "$img$dir"
    cp -L "$lib" "$img$dir/$(basename "$lib")"
  done
}
copy_elf "$cordon" cordon
copy_elf "$probe" attack
copy_elf "$jq" jq
# The rootless tests run as nobody through tests/lib.sh's as_nobody, which
# needs util-linux's setpriv: busybox's knows no --reuid/--regid/--clear-groups
# (without it every rootless check would be skipped).  The tests run under
# dash, as on the host: busybox sh would run its own applets first, whatever
# PATH holds.
for tool in setpriv unshare dash; do
  path=$(command -v $tool) || skip_all "no $tool (packages util-linux, dash)"
  copy_elf "$path" $tool
done
echo 'root:x:0:0:root:/:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false' > "$img/etc/passwd"
echo 'root:x:0:
nogroup:x:65534:' > "$img/etc/group"
cp "$srcdir/tests/vm/init" "$img/init"
chmod 755 "$img/init"
cp "$srcdir/tests/lib.sh" "$img/src/tests/"
cp "$srcdir"/tests/integration/cgroup.sh "$srcdir"/tests/integration/abi.sh \
  "$img/src/tests/integration/"
mkdir -p "$img/src/tests/fixtures/hardening"
cp "$srcdir/tests/fixtures/hardening/jail.conf" "$img/src/tests/fixtures/hardening/"
(cd "$img" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd.gz"

log=$work/console.log
timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 \
  -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyS0 rdinit=/init quiet loglevel=3 panic=-1" \
  -display none -monitor none -serial "file:$log" -no-reboot </dev/null
qemu_rc=$?
tr -d '\r' < "$log" > "$work/clean.log"
grep '^CORDON-VM:' "$work/clean.log" | sed 's/^/# /'
tap=$(sed -n '/^CORDON-VM-TAP-BEGIN$/,/^CORDON-VM-TAP-END/p' "$work/clean.log")
if [ -z "$tap" ] || ! printf '%s\n' "$tap" | grep -q '^CORDON-VM-TAP-END'; then
  echo "not ok 1 - the guest ran the tests (qemu exit $qemu_rc)"
  tail -40 "$work/clean.log" | sed 's/^/# /'
  echo "1..1"
  exit 1
fi
printf '%s\n' "$tap" | sed -e '/^CORDON-VM-TAP-/d' -e 's/^\(not ok\|ok\) \([0-9]*\) - /\1 \2 - vm: /' \
  -e '/^\(ok\|not ok\|1\.\.\|#\)/!s/^/# /'
rc=$(printf '%s\n' "$tap" | sed -n 's/^CORDON-VM-TAP-END //p')
exit "$rc"
