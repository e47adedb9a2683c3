/* rawsys.h — system calls that touch nothing but their arguments.
 *
 * The jail's pid 1 runs on the launcher's memory (jail.c): while one of
 * the two is in the C library, the other must not touch what the library
 * keeps in that memory.  Its wrappers write errno when a call fails (one
 * errno for both, in the thread block they share), and malloc, stdio and
 * the rest keep state there too.  These make the call and return the
 * kernel's answer as it is: the result, or -errno. */
#ifndef CORDON_RAWSYS_H
#define CORDON_RAWSYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long
raw_syscall6 (long n, long a, long b, long c, long d, long e, long f)
{
  register long r10 __asm__ ("r10") = d;
  register long r8 __asm__ ("r8") = e;
  register long r9 __asm__ ("r9") = f;
  long ret;
  __asm__ volatile ("syscall"
                    : "=a" (ret)
                    : "a" (n), "D" (a), "S" (b), "d" (c), "r" (r10),
                      "r" (r8), "r" (r9)
                    : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
static inline long
raw_syscall6 (long n, long a, long b, long c, long d, long e, long f)
{
  register long x8 __asm__ ("x8") = n;
  register long x0 __asm__ ("x0") = a;
  register long x1 __asm__ ("x1") = b;
  register long x2 __asm__ ("x2") = c;
  register long x3 __asm__ ("x3") = d;
  register long x4 __asm__ ("x4") = e;
  register long x5 __asm__ ("x5") = f;
  __asm__ volatile ("svc 0"
                    : "+r" (x0)
                    : "r" (x8), "r" (x1), "r" (x2), "r" (x3), "r" (x4),
                      "r" (x5)
                    : "memory");
  return x0;
}
#elif defined(__riscv) && __riscv_xlen == 64
static inline long
raw_syscall6 (long n, long a, long b, long c, long d, long e, long f)
{
  register long a7 __asm__ ("a7") = n;
  register long a0 __asm__ ("a0") = a;
  register long a1 __asm__ ("a1") = b;
  register long a2 __asm__ ("a2") = c;
  register long a3 __asm__ ("a3") = d;
  register long a4 __asm__ ("a4") = e;
  register long a5 __asm__ ("a5") = f;
  __asm__ volatile ("ecall"
                    : "+r" (a0)
                    : "r" (a7), "r" (a1), "r" (a2), "r" (a3), "r" (a4),
                      "r" (a5)
                    : "memory");
  return a0;
}
#else
#error "rawsys.h: no raw system calls for this architecture (x86_64, aarch64 and riscv64 have them)"
#endif

#define raw_syscall(n, a, b, c, d) \
  raw_syscall6 ((n), (long) (a), (long) (b), (long) (c), (long) (d), 0, 0)

static inline _Noreturn void
raw_exit (int status)
{
  for (;;)
    raw_syscall (SYS_exit_group, status, 0, 0, 0);
}

#endif
