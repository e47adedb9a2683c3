/* attack.c — attacks and probes the hardening tests run inside jails.
 *
 *   attack NAME [ARG]...
 *
 * Prints "ok" when the attack worked, else the errno's name ("EPERM"), and
 * exits 0 either way (1 for a usage error).  System calls are made with
 * arguments the kernel rejects harmlessly (EFAULT, EINVAL, EBADF...) when
 * it gets to see them, so "EPERM" means the call was refused before it
 * reached the kernel's own checks: by the seccomp filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef __X32_SYSCALL_BIT
# define __X32_SYSCALL_BIT 0x40000000
#endif

/* Each returns >= 0 when the attack worked, -1 with errno otherwise. */

static long
raw_clone_newuser (void)
{
  long pid = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid ((pid_t) pid, NULL, 0);
  return pid;
}

#if defined(__x86_64__)
/* i386's keyctl (288) through int 0x80, from this 64-bit process: the
 * kernel runs it with the i386 system call table. */
static long
i386_keyctl (void)
{
  long ret;
  __asm__ volatile ("int $0x80"
                    : "=a" (ret)
                    : "0" (288L), "b" (-1L), "c" (0L), "d" (0L)
                    : "memory");
  if (ret < 0 && ret > -4096)
    {
      errno = (int) -ret;
      return -1;
    }
  return ret;
}

/* i386's getpid (20) through int 0x80: a call every allowlist has. */
static long
i386_getpid (void)
{
  long ret;
  __asm__ volatile ("int $0x80" : "=a" (ret) : "0" (20L) : "memory");
  if (ret < 0 && ret > -4096)
    {
      errno = (int) -ret;
      return -1;
    }
  return ret;
}

/* x32's keyctl: the x86_64 number with __X32_SYSCALL_BIT. */
static long
x32_keyctl (void)
{
  return syscall (__X32_SYSCALL_BIT | SYS_keyctl, -1L, 0L, 0L);
}

/* x32's getpid: a call the allowlist has for x86_64. */
static long
x32_getpid (void)
{
  return syscall (__X32_SYSCALL_BIT | SYS_getpid);
}
#endif

static long
tiocsti (void)
{
  char c = '#';
  return ioctl (STDIN_FILENO, TIOCSTI, &c);
}

/* TIOCSTI with bits above the 32 the kernel reads (CVE-2019-10063). */
static long
tiocsti_high (void)
{
  char c = '#';
  return syscall (SYS_ioctl, STDIN_FILENO, 0x100000000UL | TIOCSTI, &c);
}

/* ioctl REQUEST (any 64-bit number, upper bits included) on stdin. */
static long
ioctl_request (const char *arg)
{
  char c = '#';
  return syscall (SYS_ioctl, STDIN_FILENO, strtoull (arg, NULL, 0), &c);
}

static long
read_fd (const char *arg)
{
  char buf[64];
  ssize_t n = read (atoi (arg), buf, sizeof buf);
  return n < 0 ? -1 : 0;
}

static long
open_write (const char *path)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    close (fd);
  return fd;
}

static long
write_file (const char *path, const char *text)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  int e = errno;
  close (fd);
  errno = e;
  return n < 0 ? -1 : 0;
}

static long
open_read (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    close (fd);
  return fd;
}

static long
open_path (const char *path)
{
  int fd = open (path, O_PATH | O_CLOEXEC);
  if (fd >= 0)
    close (fd);
  return fd;
}

static int
usage (void)
{
  fputs ("usage: attack NAME [ARG]...\n", stderr);
  return 1;
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    return usage ();
  const char *a = argv[1];
  const char *x = argc > 2 ? argv[2] : NULL;
  const char *y = argc > 3 ? argv[3] : NULL;
  long r;
  errno = 0;
  if (strcmp (a, "mount") == 0)
    r = mount ("none", x ? x : "/tmp", "tmpfs", 0, NULL);
  else if (strcmp (a, "mknod") == 0)
    r = mknod (x ? x : "/tmp/null", S_IFCHR | 0666, makedev (1, 3));
  else if (strcmp (a, "chown") == 0 && x && y)
    r = chown (x, (uid_t) atoi (y), (gid_t) -1);
  else if (strcmp (a, "setuid") == 0)
    r = setuid (x ? (uid_t) atoi (x) : 0);
  else if (strcmp (a, "euid") == 0)
    {
      printf ("%u\n", (unsigned) geteuid ());
      return 0;
    }
  /* system call families of the default preset */
  else if (strcmp (a, "keyctl") == 0)
    r = syscall (SYS_keyctl, -1L, 0L, 0L);
  else if (strcmp (a, "add_key") == 0)
    r = syscall (SYS_add_key, NULL, NULL, NULL, 0, 0);
  else if (strcmp (a, "bpf") == 0)
    r = syscall (SYS_bpf, -1, NULL, 0);
  else if (strcmp (a, "perf_event_open") == 0)
    r = syscall (SYS_perf_event_open, NULL, 0, -1, -1, 0);
  else if (strcmp (a, "mount-syscall") == 0)
    r = syscall (SYS_mount, NULL, NULL, NULL, 0, NULL);
  else if (strcmp (a, "umount2") == 0)
    r = syscall (SYS_umount2, "/", 0xffff);
  else if (strcmp (a, "chroot") == 0)
    r = syscall (SYS_chroot, NULL);
  else if (strcmp (a, "ptrace") == 0)
    r = syscall (SYS_ptrace, 0xdead, 0, 0, 0);
  else if (strcmp (a, "process_vm_readv") == 0)
    r = syscall (SYS_process_vm_readv, getpid (), NULL, 0, NULL, 0, 0);
  else if (strcmp (a, "personality") == 0)
    r = personality (ADDR_NO_RANDOMIZE);
  else if (strcmp (a, "personality-query") == 0)
    r = personality (0xffffffff);
  else if (strcmp (a, "unshare") == 0)
    r = unshare (CLONE_NEWUSER);
  else if (strcmp (a, "unshare-files") == 0)
    r = unshare (CLONE_FILES);
  else if (strcmp (a, "clone-newuser") == 0)
    r = raw_clone_newuser ();
  else if (strcmp (a, "setns") == 0)
    r = syscall (SYS_setns, -1, 0);
  else if (strcmp (a, "io_uring_setup") == 0)
    r = syscall (SYS_io_uring_setup, 0, NULL);
  else if (strcmp (a, "settimeofday") == 0)
    r = syscall (SYS_settimeofday, NULL, NULL);
  else if (strcmp (a, "clock_settime") == 0)
    r = syscall (SYS_clock_settime, -1, NULL);
  else if (strcmp (a, "name_to_handle_at") == 0)
    r = syscall (SYS_name_to_handle_at, -1, NULL, NULL, NULL, 0);
  else if (strcmp (a, "userfaultfd") == 0)
    r = syscall (SYS_userfaultfd, -1);
#if defined(__x86_64__)
  else if (strcmp (a, "i386-keyctl") == 0)
    r = i386_keyctl ();
  else if (strcmp (a, "i386-getpid") == 0)
    r = i386_getpid ();
  else if (strcmp (a, "x32-keyctl") == 0)
    r = x32_keyctl ();
  else if (strcmp (a, "x32-getpid") == 0)
    r = x32_getpid ();
#endif
  /* terminal, descriptors, kernel files */
  else if (strcmp (a, "tiocsti") == 0)
    r = tiocsti ();
  else if (strcmp (a, "tiocsti-high") == 0)
    r = tiocsti_high ();
  else if (strcmp (a, "ioctl") == 0 && x)
    r = ioctl_request (x);
  else if (strcmp (a, "read-fd") == 0 && x)
    r = read_fd (x);
  else if (strcmp (a, "open-write") == 0 && x)
    r = open_write (x);
  else if (strcmp (a, "write") == 0 && x && y)
    r = write_file (x, y);
  else if (strcmp (a, "open-read") == 0 && x)
    r = open_read (x);
  else if (strcmp (a, "open-path") == 0 && x)
    r = open_path (x);
  else
    return usage ();
  if (r >= 0)
    puts ("ok");
  else
    {
      const char *name = strerrorname_np (errno);
      puts (name ? name : "?");
    }
  return 0;
}
