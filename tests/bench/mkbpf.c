/* mkbpf.c — the seccomp filter for bubblewrap's and crun's hardened rows.
 *
 * A Docker-like policy, the same shape as cordon's "default" preset: every
 * system call the native architecture has is allowed except the ones that
 * administer the machine (mount, modules, reboot, ptrace, keyrings, ...),
 * which fail with EPERM.  bubblewrap takes the compiled BPF (--seccomp FD),
 * as Flatpak hands it one; crun takes the syscall names in config.json and
 * compiles them itself on every run.
 *
 *   mkbpf FILE.bpf > allowed-names.txt */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const denied[] = {
  "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
  "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick",
  "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl", "kcmp",
  "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind",
  "mount", "mount_setattr", "move_mount", "move_pages", "nfsservctl",
  "open_by_handle_at", "open_tree", "perf_event_open", "personality",
  "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
  "query_module", "quotactl", "reboot", "request_key", "set_mempolicy",
  "setns", "settimeofday", "swapoff", "swapon", "sysfs", "_sysctl", "umount2",
  "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
};

static int
is_denied (const char *name)
{
  for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
    if (strcmp (name, denied[i]) == 0)
      return 1;
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: mkbpf FILE.bpf > allowed-names.txt\n");
      return 2;
    }
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (EPERM));
  if (ctx == NULL)
    return 1;
  int allowed = 0;
  for (int nr = 0; nr < 1024; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_NATIVE, nr);
      if (name == NULL)
        continue;
      if (!is_denied (name))
        {
          int r = seccomp_rule_add (ctx, SCMP_ACT_ALLOW, nr, 0);
          if (r < 0)
            {
              fprintf (stderr, "mkbpf: %s: %s\n", name, strerror (-r));
              return 1;
            }
          printf ("%s\n", name);
          allowed++;
        }
      free (name);
    }
  int fd = open (argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || seccomp_export_bpf (ctx, fd) < 0 || close (fd) < 0)
    {
      perror (argv[1]);
      return 1;
    }
  seccomp_release (ctx);
  fprintf (stderr, "mkbpf: %d system calls allowed\n", allowed);
  return 0;
}
