#!/bin/sh
# abi.sh — the CPU's other system call ABIs against the seccomp filter, in
# real jails: x32 is refused as a whole, i386 (int 0x80) too unless the
# profile sets seccomp.compat, which filters it by the same names.  The
# i386 half needs a kernel that runs i386 code: `make check-vm` boots one
# (this host's does not).  The probe prints "ok" or the errno's name.
. "$SRCDIR/tests/lib.sh"

use_attack_probe

case $(uname -m) in
  x86_64) ;;
  *) skip "other ABIs" "the probes know x86_64's only"; done_testing; exit 0 ;;
esac

# x32: x86_64's numbers + 0x40000000.
is "seccomp refuses keyctl through the x32 ABI" "$(jail -- attack x32-keyctl)" "EPERM"
is "seccomp refuses even getpid through the x32 ABI" "$(jail -- attack x32-getpid)" "EPERM"
like "... which without the filter reaches the kernel (no x32 here: ENOSYS)" \
  "$(jail -D seccomp.preset=none -- attack x32-getpid)" "ENOSYS|^ok$"
is "... and a deny list alone refuses x32 too" \
  "$(jail -D seccomp.preset=none -D 'seccomp.deny={"uname"}' -- attack x32-getpid)" "EPERM"
is "compat = true changes nothing for x32" \
  "$(jail -D seccomp.compat=true -- attack x32-getpid)" "EPERM"

# i386: int 0x80 from the 64-bit probe.
if [ "$("$PROBE" i386-getpid 2>/dev/null)" = ok ]; then
  is "seccomp refuses even getpid through int 0x80 (i386)" \
    "$(jail -- attack i386-getpid)" "EPERM"
  is "... and keyctl" "$(jail -- attack i386-keyctl)" "EPERM"
  is "... and a deny list alone refuses i386 too" \
    "$(jail -D seccomp.preset=none -D 'seccomp.deny={"uname"}' -- attack i386-getpid)" "EPERM"
  is "compat = true lets i386's getpid through" \
    "$(jail -D seccomp.compat=true -- attack i386-getpid)" "ok"
  is "... and still refuses its keyctl, by name" \
    "$(jail -D seccomp.compat=true -- attack i386-keyctl)" "EPERM"
  is "... which without the filter reaches the kernel" \
    "$(jail -D seccomp.preset=none -- attack i386-keyctl)" "EOPNOTSUPP"
else
  for t in "getpid through int 0x80" "... and keyctl" "... a deny list alone" \
    "compat = true: getpid" "... and keyctl" "... without the filter"; do
    skip "i386: $t" "this kernel runs no i386 code (make check-vm does)"
  done
fi

done_testing
