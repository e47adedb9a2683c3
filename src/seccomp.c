/* seccomp.c — the jail's system call filter, through libseccomp.
 *
 * Owns the presets and the @groups (data tables below) and turns a
 * struct seccomp_spec into filters, one or two:
 *   - the allowlist: the preset's calls plus `allow`, minus `deny`, each
 *     ALLOW (some only for safe arguments, ioctl only for the requests
 *     not refused); everything else gets the refusal action;
 *   - the argument filter, only with `rule` sections (or the preset
 *     "none" and a deny list): ALLOW by default, refusing what the rules
 *     match.  libseccomp cannot say "allow this call unless its arguments
 *     match" in the allowlist (a rule of the default action is refused,
 *     an unconditional one hides the conditional ones), and a rule's
 *     comparisons are the profile's, so they get a filter of their own.
 * The kernel runs both and keeps the most restrictive answer.  The other
 * ABIs of the CPU are refused as a whole, or with `compat` the 32-bit one
 * (i386 on x86_64) is filtered by the same names (see new_filter).
 * Also owns the cache entries of compiled filters and the structural
 * check of a cached program (the kernel's own rules). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cache.h"
#include "seccomp-filter.h"
#include "util.h"

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

/* Namespace flags of clone(); unshare() also takes CLONE_NEWTIME (which is
 * part of clone()'s exit signal byte). */
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC          \
                        | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET      \
                        | CLONE_NEWCGROUP)
#define UNSHARE_NS_FLAGS (CLONE_NS_FLAGS | CLONE_NEWTIME)

/* The calls of the "default" preset, after moby's default profile: what a
 * normal program, compiler, interpreter or test suite needs.  Not here,
 * so refused: keyrings, bpf, perf_event_open, userfaultfd, modules, kexec,
 * the mount API, pivot_root, chroot, swap, reboot, acct, clock setting,
 * ptrace and process_vm_*, setns, io_uring, open_by_handle_at,
 * name_to_handle_at, sethostname, iopl/ioperm, vm86, obsolete calls.
 * clone, unshare and personality are allowed for safe arguments only
 * (arg_allow below).  Names libseccomp does not know are skipped. */
static const char *const default_calls[] = {
  "_llseek", "_newselect", "accept", "accept4", "access", "alarm",
  "arch_prctl", "bind", "brk", "cachestat", "capget", "capset", "chdir",
  "chmod", "chown", "chown32", "clock_getres", "clock_getres_time64",
  "clock_gettime", "clock_gettime64", "clock_nanosleep",
  "clock_nanosleep_time64", "close", "close_range", "connect",
  "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
  "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
  "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
  "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
  "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir",
  "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
  "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
  "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
  "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
  "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
  "futex_wake", "futimesat", "get_mempolicy", "get_robust_list",
  "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64",
  "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
  "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
  "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
  "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
  "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday",
  "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
  "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy",
  "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
  "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill",
  "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
  "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen",
  "listxattr", "llistxattr", "lremovexattr", "lseek", "lsetxattr", "lstat",
  "lstat64", "madvise", "map_shadow_stack", "mbind", "membarrier",
  "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
  "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
  "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
  "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
  "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync",
  "munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open",
  "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
  "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
  "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
  "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
  "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
  "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
  "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
  "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
  "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
  "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
  "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity",
  "sched_getattr", "sched_getparam", "sched_getscheduler",
  "sched_rr_get_interval", "sched_rr_get_interval_time64",
  "sched_setaffinity", "sched_setattr", "sched_setparam",
  "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
  "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
  "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
  "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid",
  "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
  "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
  "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
  "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid",
  "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl",
  "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4",
  "sigprocmask", "sigreturn", "socket", "socketcall", "socketpair",
  "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
  "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee",
  "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
  "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
  "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
  "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
  "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
  "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
  "wait4", "waitid", "waitpid", "write", "writev",
  NULL
};

/* "strict": computation over stdin, stdout and files. */
static const char *const strict_calls[] = {
  "_llseek", "access", "arch_prctl", "brk", "capget", "capset",
  "clock_getres", "clock_gettime", "clock_gettime64", "clock_nanosleep",
  "close", "close_range", "dup", "dup2", "dup3", "execve", "exit",
  "exit_group", "faccessat", "faccessat2", "fadvise64", "fcntl", "fcntl64",
  "fdatasync", "fstat", "fstat64", "fstatat64", "fstatfs", "fsync",
  "ftruncate", "futex", "futex_time64", "getcwd", "getdents",
  "getdents64", "getegid", "geteuid", "getgid", "getpid", "getppid",
  "getrandom", "getrlimit", "gettid", "gettimeofday", "getuid", "ioctl",
  "lseek", "lstat", "madvise", "mkdir", "mkdirat", "mmap", "mmap2",
  "mprotect", "mremap", "munmap", "nanosleep", "newfstatat", "open",
  "openat", "pipe", "pipe2", "poll", "ppoll", "prctl", "pread64",
  "preadv", "prlimit64", "pselect6", "pwrite64", "pwritev", "read",
  "readlink", "readlinkat", "readv", "rename", "renameat", "renameat2",
  "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigprocmask",
  "rt_sigreturn", "sched_getaffinity", "sched_yield", "select",
  "set_robust_list", "set_tid_address", "sigaltstack", "sigreturn", "stat",
  "stat64", "statfs", "statx", "sysinfo", "time", "umask", "uname",
  "unlink", "unlinkat", "write", "writev",
  NULL
};

/* A call allowed only for some argument values: one ALLOW rule per entry
 * (libseccomp ORs rules of one call). */
struct arg_allow
{
  const char *name;
  enum scmp_compare op;
  uint64_t mask;            /* SCMP_CMP_MASKED_EQ */
  uint64_t value;
};

static const struct arg_allow default_arg_allow[] = {
  /* no new namespaces: they would give the command a fresh root */
  { "clone", SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0 },
  { "unshare", SCMP_CMP_MASKED_EQ, UNSHARE_NS_FLAGS, 0 },
  /* PER_LINUX, PER_LINUX32, UNAME26 variants and the query */
  { "personality", SCMP_CMP_EQ, 0, 0x0 },
  { "personality", SCMP_CMP_EQ, 0, 0x0008 },
  { "personality", SCMP_CMP_EQ, 0, 0x20000 },
  { "personality", SCMP_CMP_EQ, 0, 0x20008 },
  { "personality", SCMP_CMP_EQ, 0, 0xffffffff },
};

/* ioctl commands refused by every preset but "none": pushing input into a
 * terminal (CVE-2017-5226) and TIOCLINUX's selection paste.  The kernel
 * reads the command as 32 bits, so compare those only (CVE-2019-10063).
 * The allowlist allows ioctl for every other request (add_ioctl_allows). */
static const uint32_t refused_ioctls[] = { TIOCSTI, TIOCLINUX };
#define N_REFUSED_IOCTLS (sizeof refused_ioctls / sizeof *refused_ioctls)

struct group
{
  const char *name;
  const char *const *calls;
};

#define CALLS(...) (const char *const[]) { __VA_ARGS__, NULL }
static const struct group groups[] = {
  { "@clock", CALLS ("adjtimex", "clock_adjtime", "clock_adjtime64",
                     "clock_settime", "clock_settime64", "settimeofday",
                     "stime") },
  { "@cpu-emulation", CALLS ("modify_ldt", "subpage_prot", "switch_endian",
                             "vm86", "vm86old") },
  { "@debug", CALLS ("lookup_dcookie", "perf_event_open", "pidfd_getfd",
                     "process_vm_readv", "process_vm_writev", "ptrace",
                     "rtas", "s390_runtime_instr", "sys_debug_setcontext") },
  { "@keyring", CALLS ("add_key", "keyctl", "request_key") },
  { "@module", CALLS ("delete_module", "finit_module", "init_module") },
  { "@mount", CALLS ("chroot", "fsconfig", "fsmount", "fsopen", "fspick",
                     "mount", "mount_setattr", "move_mount", "open_tree",
                     "pivot_root", "umount", "umount2") },
  { "@obsolete", CALLS ("_sysctl", "afs_syscall", "bdflush", "break",
                        "create_module", "ftime", "get_kernel_syms",
                        "getpmsg", "gtty", "idle", "lock", "mpx", "prof",
                        "profil", "putpmsg", "query_module", "security",
                        "sgetmask", "ssetmask", "stty", "sysfs", "tuxcall",
                        "ulimit", "uselib", "ustat", "vserver") },
  { "@privileged", CALLS ("acct", "bpf", "fanotify_init", "io_uring_enter",
                          "io_uring_register", "io_uring_setup",
                          "name_to_handle_at", "nfsservctl",
                          "open_by_handle_at", "quotactl", "quotactl_fd",
                          "setdomainname", "sethostname", "setns",
                          "syslog", "userfaultfd", "vhangup") },
  { "@raw-io", CALLS ("ioperm", "iopl", "pciconfig_iobase",
                      "pciconfig_read", "pciconfig_write",
                      "s390_pci_mmio_read", "s390_pci_mmio_write") },
  { "@reboot", CALLS ("kexec_file_load", "kexec_load", "reboot") },
  { "@resources", CALLS ("ioprio_set", "mbind", "migrate_pages",
                         "move_pages", "nice", "sched_setaffinity",
                         "sched_setattr", "sched_setparam",
                         "sched_setscheduler", "set_mempolicy",
                         "set_mempolicy_home_node", "setpriority",
                         "setrlimit") },
  { "@swap", CALLS ("swapoff", "swapon") },
};
#define N_GROUPS (sizeof groups / sizeof groups[0])

/* ---- names ---- */

static const struct group *
find_group (const char *name)
{
  for (size_t i = 0; i < N_GROUPS; i++)
    if (strcmp (groups[i].name, name) == 0)
      return &groups[i];
  return NULL;
}

bool
cordon_seccomp_known_syscall (const char *name)
{
  return name != NULL && *name != '\0'
         && seccomp_syscall_resolve_name (name) != __NR_SCMP_ERROR;
}

bool
cordon_seccomp_known_group (const char *name)
{
  return name != NULL && find_group (name) != NULL;
}

const char *
cordon_seccomp_group_names (void)
{
  return "@clock, @cpu-emulation, @debug, @keyring, @module, @mount, "
         "@obsolete, @privileged, @raw-io, @reboot, @resources, @swap";
}

int
cordon_seccomp_print_groups (FILE *out)
{
  for (size_t i = 0; i < N_GROUPS; i++)
    {
      fputs (groups[i].name, out);
      for (const char *const *c = groups[i].calls; *c; c++)
        fprintf (out, " %s", *c);
      fputc ('\n', out);
    }
  return ferror (out) ? -1 : 0;
}

/* ---- the set of allowed calls ---- */

struct callset
{
  int *nr;
  size_t n, cap;
};

static bool
callset_has (const struct callset *s, int nr)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->nr[i] == nr)
      return true;
  return false;
}

static int
callset_add (struct callset *s, int nr)
{
  if (callset_has (s, nr))
    return 0;
  if (s->n == s->cap)
    {
      size_t cap = s->cap ? 2 * s->cap : 512;
      int *grown = realloc (s->nr, cap * sizeof *grown);
      if (grown == NULL)
        return -1;
      s->nr = grown;
      s->cap = cap;
    }
  s->nr[s->n++] = nr;
  return 0;
}

static void
callset_remove (struct callset *s, int nr)
{
  for (size_t i = 0; i < s->n; i++)
    if (s->nr[i] == nr)
      s->nr[i] = s->nr[--s->n];
}

/* Add (or remove) the calls of a NULL-terminated list; unknown names are
 * skipped (presets name calls this libseccomp may not know yet). */
static int
callset_update (struct callset *s, const char *const *names, bool add)
{
  for (; *names; names++)
    {
      int nr = seccomp_syscall_resolve_name (*names);
      if (nr == __NR_SCMP_ERROR)
        continue;
      if (!add)
        callset_remove (s, nr);
      else if (callset_add (s, nr) < 0)
        return -1;
    }
  return 0;
}

/* A profile's name: a call or a group. */
static int
callset_update_name (struct callset *s, const char *name, bool add)
{
  const struct group *g = find_group (name);
  const char *one[] = { name, NULL };
  return callset_update (s, g ? g->calls : one, add);
}

static const char *const *
preset_calls (enum seccomp_preset preset)
{
  switch (preset)
    {
    case SECCOMP_PRESET_DEFAULT: return default_calls;
    case SECCOMP_PRESET_STRICT: return strict_calls;
    case SECCOMP_PRESET_NONE: break;
    }
  return NULL;
}

/* The allowlist: the preset plus allow, minus deny (deny wins). */
static int
allowed_calls (const struct seccomp_spec *spec, struct callset *out)
{
  if (callset_update (out, preset_calls (spec->preset), true) < 0)
    return -1;
  for (size_t i = 0; i < spec->n_allow; i++)
    if (callset_update_name (out, spec->allow[i], true) < 0)
      return -1;
  for (size_t i = 0; i < spec->n_deny; i++)
    callset_update_name (out, spec->deny[i], false);
  return 0;
}

/* ---- building the filters ---- */

static uint32_t
refusal (enum seccomp_action action)
{
  switch (action)
    {
    case SECCOMP_ACTION_KILL: return SCMP_ACT_KILL_PROCESS;
    case SECCOMP_ACTION_LOG: return SCMP_ACT_LOG;
    case SECCOMP_ACTION_ERRNO: break;
    }
  return SCMP_ACT_ERRNO (EPERM);
}

/* The 32-bit ABI this CPU runs: a 64-bit process can enter it too. */
static int
add_compat_abi (scmp_filter_ctx ctx)
{
  static const struct { uint32_t native, other; } abis[] = {
    { SCMP_ARCH_X86_64, SCMP_ARCH_X86 },
    { SCMP_ARCH_AARCH64, SCMP_ARCH_ARM },
  };
  uint32_t native = seccomp_arch_native ();
  for (size_t i = 0; i < sizeof abis / sizeof abis[0]; i++)
    if (abis[i].native == native)
      {
        int r = seccomp_arch_add (ctx, abis[i].other);
        if (r < 0 && r != -EEXIST)
          return r;
      }
  return 0;
}

/* REFUSED is what the filter's refusals get.  Calls of an ABI the filter
 * does not cover get it too: x32 on x86_64 (the x86_64 numbers plus
 * 0x40000000), and the 32-bit ABI (i386, arm) unless COMPAT.  A jail
 * rarely runs 32-bit programs, the kernel's compat entry points are a
 * surface of their own (as systemd's SystemCallArchitectures=native and
 * Flatpak without multiarch have it), and each ABI makes the allowlist
 * about as long again, which the kernel checks, converts and compiles at
 * every start. */
static scmp_filter_ctx
new_filter (uint32_t default_action, uint32_t refused, bool compat, int *r)
{
  scmp_filter_ctx ctx = seccomp_init (default_action);
  if (ctx == NULL)
    {
      *r = -ENOMEM;
      return NULL;
    }
  /* no_new_privs is the jail core's business (a profile may turn it off) */
  *r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  /* A binary tree of syscall numbers instead of a linear list: the kernel
   * runs the filter once per syscall number and ABI when it is loaded, to
   * cache the always-allowed ones, and then on every call not cached;
   * over ~350 rules that walk cost milliseconds at every start. */
  if (*r == 0)
    *r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (*r == 0)
    *r = seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, refused);
  if (*r == 0 && compat)
    *r = add_compat_abi (ctx);
  if (*r < 0)
    {
      seccomp_release (ctx);
      return NULL;
    }
  return ctx;
}

/* Calls known only as pseudo numbers (absent on this CPU's ABIs) cannot
 * be added; they cannot be called either. */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
          const struct scmp_arg_cmp *cmp)
{
  int r = seccomp_rule_add_array (ctx, action, nr, n, cmp);
  return nr < 0 ? 0 : r;
}

static bool
named_in (char *const *names, size_t n, const char *call)
{
  int nr = seccomp_syscall_resolve_name (call);
  for (size_t i = 0; i < n; i++)
    {
      const struct group *g = find_group (names[i]);
      if (g == NULL && strcmp (names[i], call) == 0)
        return true;
      for (const char *const *c = g ? g->calls : NULL; c && *c; c++)
        if (seccomp_syscall_resolve_name (*c) == nr)
          return true;
    }
  return false;
}

/* The default preset's calls allowed for some arguments only: `deny`
 * refuses them altogether, `allow` lifts the condition. */
static int
add_arg_allows (const struct seccomp_spec *spec, scmp_filter_ctx ctx,
                struct callset *allowed, const char **what)
{
  const size_t n = sizeof default_arg_allow / sizeof *default_arg_allow;
  if (spec->preset != SECCOMP_PRESET_DEFAULT)
    return 0;
  for (size_t i = 0; i < n; i++)
    callset_remove (allowed,
                    seccomp_syscall_resolve_name (default_arg_allow[i].name));
  int r = 0;
  for (size_t i = 0; r >= 0 && i < n; i++)
    {
      const struct arg_allow *a = &default_arg_allow[i];
      int nr = seccomp_syscall_resolve_name (a->name);
      *what = a->name;
      if (named_in (spec->deny, spec->n_deny, a->name))
        continue;
      if (named_in (spec->allow, spec->n_allow, a->name))
        {
          r = add_rule (ctx, SCMP_ACT_ALLOW, nr, 0, NULL);
          continue;
        }
      struct scmp_arg_cmp cmp = {
        0, a->op, a->op == SCMP_CMP_MASKED_EQ ? a->mask : a->value, a->value
      };
      r = add_rule (ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
    }
  /* clone3's flags sit in memory the filter cannot read: ENOSYS makes
   * glibc fall back to clone(), whose flags it can */
  int clone3 = seccomp_syscall_resolve_name ("clone3");
  if (r >= 0 && !callset_has (allowed, clone3)
      && refusal (spec->action) != SCMP_ACT_ERRNO (ENOSYS))
    {
      *what = "clone3";
      r = add_rule (ctx, SCMP_ACT_ERRNO (ENOSYS), clone3, 0, NULL);
    }
  return r;
}

/* Does any refused ioctl request have VALUE in the bits of MASK? */
static bool
refused_under (uint32_t mask, uint32_t value)
{
  for (size_t i = 0; i < N_REFUSED_IOCTLS; i++)
    if ((refused_ioctls[i] & mask) == value)
      return true;
  return false;
}

/* ALLOW rules for ioctl whose union is every request but the refused
 * ones, compared on the low 32 bits only (the kernel's unsigned int cmd):
 * the requests are split by their bits from the highest down, and each
 * half that holds no refused request is one MASKED_EQ rule (32 per refused
 * request at most; 34 for TIOCSTI and TIOCLINUX).  Its mask is zero above
 * bit 31, so no upper bits make a refused request pass.  This keeps the
 * check in the allowlist: one filter for the kernel to load instead of
 * two, since libseccomp takes no rule with the filter's own (refusal)
 * action and has no "not equal" on 32 bits. */
static int
add_ioctl_allows (scmp_filter_ctx ctx, int nr, uint32_t mask, uint32_t value,
                  int bit)
{
  if (!refused_under (mask, value))
    {
      struct scmp_arg_cmp cmp = SCMP_A1 (SCMP_CMP_MASKED_EQ, mask, value);
      return add_rule (ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
    }
  if (bit < 0)
    return 0;                   /* a refused request itself */
  uint32_t b = UINT32_C (1) << bit;
  int r = add_ioctl_allows (ctx, nr, mask | b, value, bit - 1);
  return r < 0 ? r : add_ioctl_allows (ctx, nr, mask | b, value | b, bit - 1);
}

static int
build_allowlist (const struct seccomp_spec *spec, scmp_filter_ctx *out,
                 const char **what)
{
  struct callset allowed = { 0 };
  int r = -ENOMEM;
  *what = "seccomp: the allowlist";
  scmp_filter_ctx ctx = NULL;
  if (allowed_calls (spec, &allowed) < 0
      || (ctx = new_filter (refusal (spec->action), refusal (spec->action),
                            spec->compat, &r)) == NULL)
    goto out;
  r = add_arg_allows (spec, ctx, &allowed, what);
  int ioctl_nr = seccomp_syscall_resolve_name ("ioctl");
  if (r >= 0 && callset_has (&allowed, ioctl_nr))
    {
      callset_remove (&allowed, ioctl_nr);
      *what = "ioctl";
      r = add_ioctl_allows (ctx, ioctl_nr, 0, 0, 31);
    }
  for (size_t i = 0; i < allowed.n && r >= 0; i++)
    r = add_rule (ctx, SCMP_ACT_ALLOW, allowed.nr[i], 0, NULL);
out:
  free (allowed.nr);
  if (r < 0 && ctx)
    {
      seccomp_release (ctx);
      ctx = NULL;
    }
  *out = ctx;
  return r < 0 ? r : 0;
}

static const enum scmp_compare cmp_ops[] = {
  [SECCOMP_CMP_EQ] = SCMP_CMP_EQ, [SECCOMP_CMP_NE] = SCMP_CMP_NE,
  [SECCOMP_CMP_LT] = SCMP_CMP_LT, [SECCOMP_CMP_LE] = SCMP_CMP_LE,
  [SECCOMP_CMP_GT] = SCMP_CMP_GT, [SECCOMP_CMP_GE] = SCMP_CMP_GE,
  [SECCOMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* The preset "none" with a deny list: the filter is the deny list. */
static bool
has_denylist (const struct seccomp_spec *spec)
{
  return spec->preset == SECCOMP_PRESET_NONE && spec->n_deny > 0;
}

/* The `rule` sections' refusals, and (preset "none") the deny list. */
static int
build_argument_filter (const struct seccomp_spec *spec, scmp_filter_ctx *out,
                       const char **what)
{
  int r = 0;
  *out = NULL;
  bool denylist = has_denylist (spec);
  if (!denylist && spec->n_rules == 0)
    return 0;
  *what = "seccomp: the argument filter";
  uint32_t refused = refusal (spec->action);
  scmp_filter_ctx ctx = new_filter (SCMP_ACT_ALLOW, refused, spec->compat,
                                    &r);
  if (ctx == NULL)
    return r;
  if (denylist)
    {
      struct callset denied = { 0 };
      for (size_t i = 0; i < spec->n_deny; i++)
        if (callset_update_name (&denied, spec->deny[i], true) < 0)
          r = -ENOMEM;
      for (size_t i = 0; r >= 0 && i < denied.n; i++)
        r = add_rule (ctx, refused, denied.nr[i], 0, NULL);
      free (denied.nr);
    }
  for (size_t i = 0; r >= 0 && i < spec->n_rules; i++)
    {
      const struct seccomp_rule *rule = &spec->rules[i];
      struct scmp_arg_cmp cmp[6];
      unsigned n = 0;
      for (unsigned a = 0; a < 6; a++)
        if (rule->args[a].set)
          {
            const struct seccomp_arg_cmp *c = &rule->args[a];
            bool masked = c->op == SECCOMP_CMP_MASKED_EQ;
            cmp[n++] = (struct scmp_arg_cmp) { a, cmp_ops[c->op],
                                               masked ? c->mask : c->value,
                                               c->value };
          }
      *what = rule->syscall;
      r = add_rule (ctx, refusal (rule->action),
                    seccomp_syscall_resolve_name (rule->syscall), n, cmp);
    }
  if (r < 0)
    {
      seccomp_release (ctx);
      return r;
    }
  *out = ctx;
  return 0;
}

/* ---- the spec as the cache compares it ---- */

/* Every value of SPEC the filters are built from is one of its kind: the
 * spec may come from a cached profile. */
static bool
spec_in_range (const struct seccomp_spec *spec, const char **what)
{
  *what = "seccomp: a preset or action out of range";
  if ((unsigned) spec->preset > SECCOMP_PRESET_NONE
      || (unsigned) spec->action > SECCOMP_ACTION_LOG)
    return false;
  *what = "seccomp: a call without a name";
  for (size_t i = 0; i < spec->n_allow; i++)
    if (spec->allow[i] == NULL)
      return false;
  for (size_t i = 0; i < spec->n_deny; i++)
    if (spec->deny[i] == NULL)
      return false;
  for (size_t i = 0; i < spec->n_rules; i++)
    {
      const struct seccomp_rule *r = &spec->rules[i];
      *what = "seccomp: a rule without a name";
      if (r->syscall == NULL)
        return false;
      *what = r->syscall;
      if ((unsigned) r->action > SECCOMP_ACTION_LOG)
        return false;
      for (unsigned a = 0; a < 6; a++)
        if (r->args[a].set && (unsigned) r->args[a].op > SECCOMP_CMP_MASKED_EQ)
          return false;
    }
  return true;
}

static void
put_u8 (struct strbuf *o, unsigned v)
{
  char c = (char) v;
  sb_putn (o, &c, 1);
}

static void
put_u32 (struct strbuf *o, uint32_t v)
{
  sb_putn (o, (const char *) &v, sizeof v);
}

static void
put_u64 (struct strbuf *o, uint64_t v)
{
  sb_putn (o, (const char *) &v, sizeof v);
}

static void
put_names (struct strbuf *o, char *const *names, size_t n)
{
  put_u32 (o, (uint32_t) n);
  for (size_t i = 0; i < n; i++)
    {
      put_u32 (o, (uint32_t) strlen (names[i]));
      sb_puts (o, names[i]);
    }
}

/* Everything the filters are built from, each field of a known length, and
 * only what the build reads (an unset comparison is its flag alone, a mask
 * only where it is compared): two specs give the same bytes exactly when
 * they give the same filters.  The build of cordon and libseccomp first
 * (cache.h).  False: no build id, no cache. */
static bool
filter_input (const struct seccomp_spec *spec, struct strbuf *o)
{
  if (!cache_put_build (o))
    return false;
  put_u8 (o, spec->preset);
  put_u8 (o, spec->action);
  put_u8 (o, spec->compat);
  put_names (o, spec->allow, spec->n_allow);
  put_names (o, spec->deny, spec->n_deny);
  put_u32 (o, (uint32_t) spec->n_rules);
  for (size_t i = 0; i < spec->n_rules; i++)
    {
      const struct seccomp_rule *r = &spec->rules[i];
      put_names (o, &r->syscall, 1);
      put_u8 (o, r->action);
      for (unsigned a = 0; a < 6; a++)
        {
          const struct seccomp_arg_cmp *c = &r->args[a];
          put_u8 (o, c->set);
          if (!c->set)
            continue;
          put_u8 (o, c->op);
          put_u64 (o, c->value);
          if (c->op == SECCOMP_CMP_MASKED_EQ)
            put_u64 (o, c->mask);
        }
    }
  return true;
}

/* How many filters compile () makes of SPEC (one with something in it). */
static int
filter_count (const struct seccomp_spec *spec)
{
  bool allowlist = spec->preset != SECCOMP_PRESET_NONE;
  bool arguments = has_denylist (spec) || spec->n_rules > 0;
  return allowlist + arguments;
}

/* ---- the kernel's checks of a program ---- */

/* INSN (at PC of LEN) as the kernel takes it in a seccomp filter
 * (bpf_check_classic and seccomp_check_filter). */
/* The jumps with a true and a false target: the two checks below follow
 * both. */
static bool
is_conditional_jump (uint16_t code)
{
  switch (code)
    {
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JEQ | BPF_X:
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_X:
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_X:
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_X:
      return true;
    }
  return false;
}

static bool
insn_valid (const struct sock_filter *insn, unsigned pc, unsigned len)
{
  switch (insn->code)
    {
    case BPF_LD | BPF_W | BPF_ABS:
      return insn->k < sizeof (struct seccomp_data) && (insn->k & 3) == 0;
    case BPF_LD | BPF_W | BPF_LEN:
    case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_LD | BPF_IMM:
    case BPF_LDX | BPF_IMM:
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
    case BPF_ALU | BPF_ADD | BPF_K:
    case BPF_ALU | BPF_ADD | BPF_X:
    case BPF_ALU | BPF_SUB | BPF_K:
    case BPF_ALU | BPF_SUB | BPF_X:
    case BPF_ALU | BPF_MUL | BPF_K:
    case BPF_ALU | BPF_MUL | BPF_X:
    case BPF_ALU | BPF_DIV | BPF_X:
    case BPF_ALU | BPF_AND | BPF_K:
    case BPF_ALU | BPF_AND | BPF_X:
    case BPF_ALU | BPF_OR | BPF_K:
    case BPF_ALU | BPF_OR | BPF_X:
    case BPF_ALU | BPF_XOR | BPF_K:
    case BPF_ALU | BPF_XOR | BPF_X:
    case BPF_ALU | BPF_LSH | BPF_X:
    case BPF_ALU | BPF_RSH | BPF_X:
    case BPF_ALU | BPF_NEG:
      return true;
    case BPF_ALU | BPF_DIV | BPF_K:
      return insn->k != 0;
    case BPF_ALU | BPF_LSH | BPF_K:
    case BPF_ALU | BPF_RSH | BPF_K:
      return insn->k < 32;
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
      return insn->k < BPF_MEMWORDS;
    case BPF_JMP | BPF_JA:
      return insn->k < len - pc - 1;
    }
  if (is_conditional_jump (insn->code))
    return pc + 1 + insn->jt < len && pc + 1 + insn->jf < len;
  return false;
}

/* Every scratch word is stored before it is loaded, on every path (the
 * kernel's check_load_and_stores). */
static bool
memory_valid (const struct sock_filter *prog, unsigned len)
{
  uint16_t valid_at[BPF_MAXINSNS], valid = 0;
  memset (valid_at, 0xff, len * sizeof *valid_at);
  for (unsigned pc = 0; pc < len; pc++)
    {
      const struct sock_filter *insn = &prog[pc];
      valid &= valid_at[pc];
      switch (insn->code)
        {
        case BPF_ST:
        case BPF_STX:
          valid |= (uint16_t) (1u << insn->k);
          break;
        case BPF_LD | BPF_MEM:
        case BPF_LDX | BPF_MEM:
          if (!(valid & (1u << insn->k)))
            return false;
          break;
        case BPF_JMP | BPF_JA:
          valid_at[pc + 1 + insn->k] &= valid;
          valid = 0xffff;
          break;
        }
      if (is_conditional_jump (insn->code))
        {
          valid_at[pc + 1 + insn->jt] &= valid;
          valid_at[pc + 1 + insn->jf] &= valid;
          valid = 0xffff;
        }
    }
  return true;
}

/* A program the kernel takes as a seccomp filter: a cached one it would
 * refuse would fail every run. */
static bool
program_valid (const struct sock_filter *prog, unsigned len)
{
  if (len == 0 || len > BPF_MAXINSNS)
    return false;
  for (unsigned pc = 0; pc < len; pc++)
    if (!insn_valid (&prog[pc], pc, len))
      return false;
  uint16_t last = prog[len - 1].code;
  return (last == (BPF_RET | BPF_K) || last == (BPF_RET | BPF_A))
         && memory_valid (prog, len);
}

/* ---- the cache ---- */

/* An entry: CACHE_MAGIC, the input's length (32 bits) and the input
 * (filter_input), the number of filters (8 bits), then per filter its
 * length (16 bits) and its instructions.  The file's name is a hash of the
 * input, an index only: the input in the file is compared whole. */
#define CACHE_MAGIC "cordon-seccomp-bpf-4\n"
#define CACHE_MAX_SIZE (64u << 10)
_Static_assert (sizeof CACHE_MAGIC + 4 + 1
                + 2 * (2 + BPF_MAXINSNS * sizeof (struct sock_filter))
                < CACHE_MAX_SIZE + 4096, "a cache entry fits CACHE_MAX_SIZE "
                "with a large input");

static void
cache_name (const struct strbuf *input, char *name, size_t size)
{
  struct cache_hash h;
  cache_hash_init (&h);
  cache_hash_bytes (&h, input->s, input->n);
  snprintf (name, size, "%016llx.bpf", (unsigned long long) h.h);
}

/* Take N bytes at *AT of BUF (SIZE bytes) into P, if there are N. */
static bool
take (const unsigned char *buf, size_t size, size_t *at, void *p, size_t n)
{
  if (size - *at < n)
    return false;
  memcpy (p, buf + *at, n);
  *at += n;
  return true;
}

/* The entry NAME, when it was made from INPUT and holds the filters of
 * SPEC (as many, each a program the kernel takes): into *OUT. */
static bool
cache_read (int dirfd, const char *name, const struct strbuf *input,
            const struct seccomp_spec *spec, struct cordon_seccomp_bpf *out)
{
  unsigned char *buf;
  size_t size, at = sizeof CACHE_MAGIC - 1;
  if (!cache_file_read (dirfd, name, CACHE_MAX_SIZE, &buf, &size))
    return false;
  uint32_t input_len;
  uint8_t count = 0;
  bool ok = size >= at && memcmp (buf, CACHE_MAGIC, at) == 0
            && take (buf, size, &at, &input_len, sizeof input_len)
            && input_len == input->n && size - at >= input->n
            && memcmp (buf + at, input->s, input->n) == 0;
  if (ok)
    {
      at += input->n;
      ok = take (buf, size, &at, &count, sizeof count)
           && count == filter_count (spec);
    }
  for (int i = 0; ok && i < count; i++)
    {
      uint16_t len = 0;
      ok = take (buf, size, &at, &len, sizeof len) && len > 0
           && len <= BPF_MAXINSNS
           && size - at >= len * sizeof *out->prog[i]
           && (out->prog[i] = malloc (len * sizeof *out->prog[i])) != NULL
           && take (buf, size, &at, out->prog[i], len * sizeof *out->prog[i])
           && program_valid (out->prog[i], len);
      out->len[i] = len;
      out->n = i + 1;
    }
  ok = ok && at == size;
  free (buf);
  if (!ok)
    cordon_seccomp_bpf_free (out);
  return ok;
}

static void
cache_write (int dirfd, const char *name, const struct strbuf *input,
             const struct cordon_seccomp_bpf *bpf)
{
  struct strbuf o = { 0 };
  sb_puts (&o, CACHE_MAGIC);
  put_u32 (&o, (uint32_t) input->n);
  sb_putn (&o, input->s, input->n);
  put_u8 (&o, (unsigned) bpf->n);
  for (int i = 0; i < bpf->n; i++)
    {
      uint16_t len = bpf->len[i];
      sb_putn (&o, (const char *) &len, sizeof len);
      sb_putn (&o, (const char *) bpf->prog[i], len * sizeof *bpf->prog[i]);
    }
  if (o.n <= CACHE_MAX_SIZE)
    cache_file_write (dirfd, name, o.s, o.n);
  free (o.s);
}

/* ---- compiling and loading ---- */

/* libseccomp's BPF for one filter, through a memfd. */
static int
export_bpf (scmp_filter_ctx ctx, struct cordon_seccomp_bpf *out)
{
  int fd = memfd_create ("cordon-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return -errno;
  int r = seccomp_export_bpf (ctx, fd);
  off_t size = r == 0 ? lseek (fd, 0, SEEK_END) : -1;
  if (r == 0 && (size <= 0 || size % (off_t) sizeof (struct sock_filter)
                 || size / (off_t) sizeof (struct sock_filter) > BPF_MAXINSNS))
    r = -E2BIG;
  struct sock_filter *prog = NULL;
  if (r == 0 && (prog = malloc ((size_t) size)) == NULL)
    r = -ENOMEM;
  if (r == 0 && (lseek (fd, 0, SEEK_SET) < 0
                 || read_all (fd, prog, (size_t) size) < 0))
    r = -EIO;
  close (fd);
  if (r < 0)
    {
      free (prog);
      return r;
    }
  out->prog[out->n] = prog;
  out->len[out->n++] = (unsigned short) (size / (off_t) sizeof *prog);
  return 0;
}

static int
compile (const struct seccomp_spec *spec, struct cordon_seccomp_bpf *out,
         const char **what)
{
  scmp_filter_ctx allow = NULL, args = NULL;
  int r = 0;
  if (spec->preset != SECCOMP_PRESET_NONE)
    r = build_allowlist (spec, &allow, what);
  if (r == 0)
    r = build_argument_filter (spec, &args, what);
  /* loaded in this order: the allowlist's own seccomp() passes the first */
  if (r == 0 && args)
    {
      *what = "seccomp: export the argument filter";
      r = export_bpf (args, out);
    }
  if (r == 0 && allow)
    {
      *what = "seccomp: export the allowlist";
      r = export_bpf (allow, out);
    }
  if (allow)
    seccomp_release (allow);
  if (args)
    seccomp_release (args);
  return r;
}

int
cordon_seccomp_compile (const struct seccomp_spec *spec,
                        struct cordon_seccomp_bpf *out, cordon_error_t *err)
{
  memset (out, 0, sizeof *out);
  const char *what;
  if (!spec_in_range (spec, &what))
    return cordon_fail (err, EINVAL, "%s", what);
  bool nothing = spec->preset == SECCOMP_PRESET_NONE && spec->n_deny == 0
                 && spec->n_rules == 0;
  if (nothing)
    return 0;
  struct strbuf input = { 0 };
  char name[32];
  int dirfd = -1;
  bool cached = filter_input (spec, &input);
  if (cached)
    {
      cache_name (&input, name, sizeof name);
      dirfd = cache_dir_open ("seccomp", false);
      if (dirfd >= 0 && cache_read (dirfd, name, &input, spec, out))
        {
          close (dirfd);
          free (input.s);
          return 0;
        }
    }
  what = "seccomp";
  int r = compile (spec, out, &what);
  if (r == 0 && cached)
    {
      if (dirfd < 0)
        dirfd = cache_dir_open ("seccomp", true);
      if (dirfd >= 0)
        cache_write (dirfd, name, &input, out);
    }
  close_fd (&dirfd);
  free (input.s);
  if (r < 0)
    {
      cordon_seccomp_bpf_free (out);
      return cordon_fail (err, -r, "%s", what);
    }
  return 0;
}

int
cordon_seccomp_load (const struct cordon_seccomp_bpf *bpf, cordon_error_t *err)
{
  for (int i = 0; i < bpf->n; i++)
    {
      struct sock_fprog prog = { bpf->len[i], bpf->prog[i] };
      if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return fail_errno (err, "seccomp: load filter %d of %d", i + 1,
                           bpf->n);
    }
  return 0;
}

void
cordon_seccomp_bpf_free (struct cordon_seccomp_bpf *bpf)
{
  for (int i = 0; i < 2; i++)
    free (bpf->prog[i]);
  memset (bpf, 0, sizeof *bpf);
}
