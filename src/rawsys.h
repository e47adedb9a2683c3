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
#else
/* The architectures whose calls take the number and six arguments in
 * registers and return in the first: NR and A0..A5 name them. */
#define RAW_SYSCALL_IN_REGISTERS(NR, A0, A1, A2, A3, A4, A5, INSN)         \
  static inline long                                                      \
  raw_syscall6 (long n, long a, long b, long c, long d, long e, long f)  \
  {                                                                       \
    register long nr_ __asm__ (NR) = n;                                   \
    register long a0_ __asm__ (A0) = a;                                   \
    register long a1_ __asm__ (A1) = b;                                   \
    register long a2_ __asm__ (A2) = c;                                   \
    register long a3_ __asm__ (A3) = d;                                   \
    register long a4_ __asm__ (A4) = e;                                   \
    register long a5_ __asm__ (A5) = f;                                   \
    __asm__ volatile (INSN                                                \
                      : "+r" (a0_)                                        \
                      : "r" (nr_), "r" (a1_), "r" (a2_), "r" (a3_),       \
                        "r" (a4_), "r" (a5_)                              \
                      : "memory");                                        \
    return a0_;                                                           \
  }
#if defined(__aarch64__)
RAW_SYSCALL_IN_REGISTERS ("x8", "x0", "x1", "x2", "x3", "x4", "x5", "svc 0")
#elif defined(__riscv) && __riscv_xlen == 64
RAW_SYSCALL_IN_REGISTERS ("a7", "a0", "a1", "a2", "a3", "a4", "a5", "ecall")
#else
#error "rawsys.h: no raw system calls for this architecture (x86_64, aarch64 and riscv64 have them)"
#endif
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
