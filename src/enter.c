/* enter.c — `cordon enter` and `cordon stop` (see enter.h): finding the
 * jail's processes again safely, joining its namespaces and cgroup, and
 * the entered command's confinement (the jail core's steps). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"
#include "seccomp-filter.h"
#include "supervise.h"
#include "tty.h"
#include "util.h"

static int
pidfd_open_ (pid_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

/* A pidfd for PID, which must still be the process that started at START:
 * the check comes after the pidfd is taken, so that the pidfd cannot name
 * a process that took the pid over meanwhile. */
static int
open_checked (const struct jail_record *rec, pid_t pid,
              unsigned long long start, const char *what,
              cordon_error_t *err)
{
  int fd = pidfd_open_ (pid);
  if (fd < 0 && errno != ESRCH)
    return fail_errno (err, "jail %s: pidfd_open %s (pid %d)", rec->id, what,
                       (int) pid);
  if (fd < 0 || !proc_is (pid, start))
    {
      if (fd >= 0)
        close (fd);
      return cordon_fail (err, 0, "jail %s has ended: pid %d is no longer "
                          "its %s", rec->id, (int) pid, what);
    }
  return fd;
}

/* Field 4 of /proc/PID/stat: its parent; -1 when it is gone. */
static pid_t
parent_of (pid_t pid)
{
  unsigned long long ppid;
  return proc_stat_number (pid, 4, &ppid) == 0 && ppid <= INT_MAX
         ? (pid_t) ppid : -1;
}

/* The jail's command: pid 1's first child (orphans it adopts come after).
 * Its namespaces are the jail's (its time namespace too, which pid 1 made
 * for its children only), and unlike pid 1, which is not dumpable, its
 * user may join them without CAP_SYS_PTRACE. */
static pid_t
command_of (pid_t pid1)
{
  char path[96], buf[64];
  snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int) pid1,
            (int) pid1);
  if (read_small_file (path, buf, sizeof buf) < 0)
    return -1;
  int pid;
  return sscanf (buf, "%d", &pid) == 1 ? pid : -1;
}

/* Field "Uid:" of /proc/PID/status: its real uid; -1 when it is gone. */
static long
real_uid_of (pid_t pid)
{
  char path[64], line[256];
  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  long uid = -1;
  unsigned u;
  while (fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "Uid: %u", &u) == 1)
      {
        uid = (long) u;
        break;
      }
  fclose (f);
  return uid;
}

/* The uid that made PID's user namespace; -1 when unknown. */
static long
userns_owner_of (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  uid_t owner;
  int r = ioctl (fd, NS_GET_OWNER_UID, &owner);
  close (fd);
  return r < 0 ? -1 : (long) owner;
}

/* A record from another user's state directory (root reads those) is
 * that user's word only: it may name any process, and its profile may
 * ask for anything.  Root acts on it only when the jail's processes are
 * the user's own: launcher and pid 1 run as the user, the command is in a
 * user namespace the user made (so that whatever its profile says, what
 * enter runs there has no more power than the user), and its cgroup
 * directories are the user's.  Checked after the pidfds are taken. */
static int
check_owner (const struct jail_record *rec, pid_t command,
             cordon_error_t *err)
{
  uid_t owner = rec->dir_owner;
  if (owner == geteuid ())
    return 0;
  const char *why = NULL;
  struct stat st;
  if (rec->uid != owner)
    why = "it names another user";
  else if (real_uid_of (rec->launcher) != (long) owner)
    why = "its launcher is not the user's";
  else if (rec->pid > 0 && real_uid_of (rec->pid) != (long) owner)
    why = "its pid 1 is not the user's";
  else if (command > 0 && userns_owner_of (command) != (long) owner)
    why = "its command is not in a user namespace of the user's";
  for (size_t i = 0; why == NULL && i < rec->n_cgroups; i++)
    if (stat (rec->cgroups[i], &st) < 0 || st.st_uid != owner)
      why = "its cgroup is not the user's";
  if (why != NULL)
    return cordon_fail (err, 0, "jail %s of uid %u: refused, %s", rec->id,
                        (unsigned) owner, why);
  return 0;
}

/* Both the launcher and pid 1 still the jail's: a pidfd of its command. */
static int
open_jail (const struct jail_record *rec, cordon_error_t *err)
{
  if (rec->pid <= 0)
    return cordon_fail (err, 0, "jail %s is still starting", rec->id);
  int launcher = open_checked (rec, rec->launcher, rec->launcher_start,
                               "launcher", err);
  if (launcher < 0)
    return -1;
  int pid1 = open_checked (rec, rec->pid, rec->pid_start, "pid 1", err);
  close (launcher);
  if (pid1 < 0)
    return -1;
  pid_t command = command_of (rec->pid);
  int fd = command > 0 ? pidfd_open_ (command) : -1;
  /* Taken, then checked: still pid 1's child, pid 1 still there. */
  if (fd < 0 || parent_of (command) != rec->pid
      || syscall (SYS_pidfd_send_signal, pid1, 0, NULL, 0) < 0)
    {
      if (fd >= 0)
        close (fd);
      fd = cordon_fail (err, 0, "jail %s has ended: its command is gone",
                        rec->id);
    }
  else if (check_owner (rec, command, err) < 0)
    close_fd (&fd);
  close (pid1);
  return fd;
}

/* Whether the jail's user namespace lets it call setgroups(): read on
 * the host, before joining. */
static bool
may_setgroups (const struct jail_record *rec)
{
  char path[64], buf[16] = "";
  snprintf (path, sizeof path, "/proc/%d/setgroups", (int) rec->pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return true;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  return !(n > 0 && strncmp (buf, "deny", 4) == 0);
}

/* Move ourselves into each of the jail's cgroup directories. */
static int
join_cgroups (const struct jail_record *rec, cordon_error_t *err)
{
  for (size_t i = 0; i < rec->n_cgroups; i++)
    {
      char *path = xasprintf ("%s/cgroup.procs", rec->cgroups[i]);
      int fd = open (path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      int r = fd < 0 ? -1 : (int) write (fd, "0", 1);
      if (r != 1)
        fail_errno (err, "join the jail's cgroup: write 0 to %s", path);
      if (fd >= 0)
        close (fd);
      free (path);
      if (r != 1)
        return -1;
    }
  return 0;
}

static int
setns_flags (const struct jail_spec *spec)
{
  static const struct { unsigned ns; int flag; } table[] = {
    { JAIL_NS_USER, CLONE_NEWUSER }, { JAIL_NS_MOUNT, CLONE_NEWNS },
    { JAIL_NS_PID, CLONE_NEWPID },   { JAIL_NS_IPC, CLONE_NEWIPC },
    { JAIL_NS_UTS, CLONE_NEWUTS },   { JAIL_NS_NET, CLONE_NEWNET },
    { JAIL_NS_CGROUP, CLONE_NEWCGROUP }, { JAIL_NS_TIME, CLONE_NEWTIME },
  };
  int flags = 0;
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (spec->namespaces & table[i].ns)
      flags |= table[i].flag;
  return flags;
}

struct entered
{
  const struct enter_request *req;
  struct jail_spec spec;        /* the jail's, with -t and no pass_fds */
  struct cordon_seccomp_bpf seccomp;
  bool may_setgroups;
  sigset_t old_mask;
  int pidfd;                    /* the jail's command */
  int sock;                     /* -t: the terminal's master goes over it */
};

/* In the jail's new process: become its command. */
static _Noreturn void
become_command (struct entered *e)
{
  cordon_error_t err = NULL;
  const struct jail_spec *spec = &e->spec;
  sigprocmask (SIG_SETMASK, &e->old_mask, NULL);
  char *const default_argv[] = { (char *) "/bin/sh", NULL };
  char *const *argv = e->req->command ? e->req->command : default_argv;
  char **envp = NULL;
  if (jail_command_identity (spec, e->may_setgroups, &err) < 0)
    goto fail;
  /* The credential change cleared it: die with the joiner. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    {
      fail_errno (&err, "prctl PR_SET_PDEATHSIG");
      goto fail;
    }
  if ((envp = jail_command_env (&spec->env)) == NULL)
    {
      cordon_fail (&err, ENOMEM, "environment");
      goto fail;
    }
  if (jail_command_harden (spec, &e->seccomp, e->sock, &err) < 0)
    goto fail;
  int why = jail_command_exec (argv, envp);
  _exit (why == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
fail:
  dprintf (STDERR_FILENO, "cordon: %s\n", err ? err->message : "enter failed");
  _exit (EXIT_CORDON_FAILED);
}

/* The joiner, a child of `cordon enter`: join the jail's cgroup and
 * namespaces, fork the jail's new process (only a child of a process that
 * joined a pid namespace is in it) and pass its status on.  It never
 * returns to our caller's code: a process half in the jail has no business
 * there (nor has the sanitizers' leak check, whose helper would land in
 * the jail's pid namespace). */
static _Noreturn void
join_and_run (struct entered *e, pid_t caller)
{
  cordon_error_t err = NULL;
  const struct jail_record *rec = e->req->rec;
  /* Nothing in the jail may open /proc/PID/exe of ours or ptrace us
   * before the command's exec (CVE-2019-5736). */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    {
      fail_errno (&err, "prctl PR_SET_DUMPABLE");
      goto fail;
    }
  /* The cgroup as ourselves on the host, then every namespace at once
   * (the kernel takes the user namespace first). */
  if (join_cgroups (rec, &err) < 0)
    goto fail;
  int flags = setns_flags (&e->spec);
  if (flags != 0 && setns (e->pidfd, flags) < 0)
    {
      fail_errno (&err, "jail %s: join its namespaces (setns on its "
                  "command, a child of pid %d)", rec->id, (int) rec->pid);
      goto fail;
    }
  /* The command checked once more, now that we are in (through its
   * pidfd: our /proc may be the jail's now): a jail that ended while we
   * joined leaves namespaces that no process of it will ever use. */
  if (syscall (SYS_pidfd_send_signal, e->pidfd, 0, NULL, 0) < 0)
    {
      cordon_fail (&err, 0, "jail %s has ended", rec->id);
      goto fail;
    }
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    {
      fail_errno (&err, "prctl PR_SET_PDEATHSIG");
      goto fail;
    }
  if (getppid () != caller)
    _exit (EXIT_CORDON_FAILED);
  pid_t pid = fork ();
  if (pid < 0)
    {
      fail_errno (&err, "fork into the jail");
      goto fail;
    }
  if (pid == 0)
    become_command (e);
  if (e->sock >= 0)
    close_fd (&e->sock);
  bool timed_out = false;
  int ws;
  if (supervise_launcher (pid, 0, NULL, e->req->opts, &timed_out, &ws,
                          &err) < 0)
    goto fail;
  /* 128+N for a command killed by signal N, as cordon run says it */
  _exit (supervise_exit_status (ws));
fail:
  dprintf (STDERR_FILENO, "cordon: %s\n", err ? err->message : "enter failed");
  _exit (EXIT_CORDON_FAILED);
}

/* -t: take the terminal's master from the command and relay it. */
static int
start_relay (int sock, struct tty_relay **relay, cordon_error_t *err)
{
  char buf[512];
  int master;
  ssize_t n = tty_receive_master (sock, buf, sizeof buf, &master, err);
  if (n < 0)
    return -1;
  if (master < 0)
    return 0;           /* it failed and said why; its status tells */
  if (tty_relay_begin (master, relay, err) < 0)
    return -1;
  if (send (sock, "t", 1, MSG_NOSIGNAL) != 1)
    return fail_errno (err, "tty: start the command");
  return 0;
}

/* Wait for the joiner as `cordon run` waits for its jail: signals passed
 * on, the terminal relayed. */
static int
wait_joiner (struct entered *e, pid_t pid, int peer, cordon_error_t *err)
{
  struct tty_relay *relay = NULL;
  int ret;
  bool timed_out = false;
  if (peer >= 0 && start_relay (peer, &relay, err) < 0)
    {
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      ret = -1;
    }
  else
    {
      int ws;
      ret = supervise_launcher (pid, 0, relay, e->req->opts, &timed_out, &ws,
                                err);
      if (ret == 0)
        ret = supervise_exit_status (ws);
    }
  tty_relay_end (relay);
  return ret;
}

int
jail_enter (const struct enter_request *req, cordon_error_t *err)
{
  const struct jail_record *rec = req->rec;
  struct entered e = { .req = req, .spec = *req->spec, .sock = -1,
                       .pidfd = -1 };
  e.spec.tty = req->tty;
  e.spec.new_session = req->spec->new_session || req->tty;
  e.spec.n_pass_fds = 0;        /* the run's descriptors, not ours */
  int peer = -1, ret = -1;
  if (cordon_seccomp_compile (&e.spec.seccomp, &e.seccomp, err) < 0)
    return -1;
  if ((e.pidfd = open_jail (rec, err)) < 0)
    goto out;
  e.may_setgroups = may_setgroups (rec);
  if (req->tty)
    {
      int sv[2];
      if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        {
          fail_errno (err, "socketpair");
          goto out;
        }
      peer = sv[0];
      e.sock = sv[1];
    }
  struct sigaction dfl = { .sa_handler = SIG_DFL }, old_chld;
  sigaction (SIGCHLD, &dfl, &old_chld);
  if (supervise_block_signals (&e.old_mask, err) < 0)
    goto out;
  pid_t caller = getpid ();
  pid_t pid = fork ();
  if (pid < 0)
    fail_errno (err, "fork");
  else if (pid == 0)
    {
      if (peer >= 0)
        close (peer);
      join_and_run (&e, caller);
    }
  else
    {
      close_fd (&e.sock);
      ret = wait_joiner (&e, pid, peer, err);
    }
  sigprocmask (SIG_SETMASK, &e.old_mask, NULL);
  sigaction (SIGCHLD, &old_chld, NULL);
out:
  if (e.pidfd >= 0)
    close (e.pidfd);
  if (peer >= 0)
    close (peer);
  if (e.sock >= 0)
    close (e.sock);
  cordon_seccomp_bpf_free (&e.seccomp);
  return ret;
}

/* ---- stop ---- */

static bool
forwarded_signal (int sig)
{
  return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT
         || sig == SIGUSR1 || sig == SIGUSR2;
}

/* Wait up to MS milliseconds for the process of PIDFD to end. */
static bool
ended_within (int pidfd, long long ms)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int n;
  while ((n = poll (&p, 1, ms > 1000000 ? 1000000 : (int) ms)) < 0
         && errno == EINTR)
    ;
  return n > 0;
}

static int
send_signal (int pidfd, int sig)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int
jail_stop (const struct jail_record *rec, int sig, unsigned timeout,
           cordon_error_t *err)
{
  if (!forwarded_signal (sig) && sig != SIGKILL)
    return cordon_fail (err, 0, "--signal %d: cordon stop sends INT, TERM, "
                        "HUP, QUIT, USR1, USR2 or KILL", sig);
  int launcher = open_checked (rec, rec->launcher, rec->launcher_start,
                               "launcher", err);
  if (launcher < 0)
    return -1;
  int pid1 = -1, ret = -1;
  if (rec->pid > 0)
    {
      pid1 = open_checked (rec, rec->pid, rec->pid_start, "pid 1", err);
      if (pid1 < 0)
        goto out;
    }
  if (check_owner (rec, 0, err) < 0)
    goto out;
  /* The launcher passes the signal on to the command, as for any signal
   * it gets; SIGKILL would only kill the launcher (and pid 1 with it,
   * by its parent-death signal), so it goes to pid 1 itself. */
  int target = sig == SIGKILL && pid1 >= 0 ? pid1 : launcher;
  if (send_signal (target, sig) < 0)
    {
      fail_errno (err, "jail %s: send signal %d", rec->id, sig);
      goto out;
    }
  if (!ended_within (launcher, (long long) timeout * 1000))
    {
      if (send_signal (pid1 >= 0 ? pid1 : launcher, SIGKILL) < 0
          && errno != ESRCH)
        {
          fail_errno (err, "jail %s: SIGKILL", rec->id);
          goto out;
        }
      if (!ended_within (launcher, 10000))
        {
          cordon_fail (err, 0, "jail %s: its launcher (pid %d) is still "
                       "there 10 s after SIGKILL", rec->id,
                       (int) rec->launcher);
          goto out;
        }
    }
  ret = 0;
out:
  if (pid1 >= 0)
    close (pid1);
  close (launcher);
  return ret;
}
