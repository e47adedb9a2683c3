/* jail.c — the jail core: clone, sync with the launcher, set up, exec.
 *
 * One path for every profile.  The launcher clones a child into the spec's
 * namespaces (fork-like: no custom stack, so sanitizer builds work), writes
 * its id maps, and releases it with one message over a
 * SOCK_SEQPACKET pair.  The child builds its root (mounts.c), becomes pid 1
 * (supervise.c) and forks the command.  A set-up failure in the jail
 * travels back over the same socket as one message holding the error, and
 * so do a failed exec (from the command) and the command's wait status
 * (from pid 1, which cannot die of the command's signal itself): how the
 * command ended is never guessed back from a 128+N exit status. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capabilities.h"
#include "cgroup.h"
#include "jail.h"
#include "mounts.h"
#include "network.h"
#include "rlimits.h"
#include "seccomp-filter.h"
#include "supervise.h"
#include "tty.h"
#include "userns.h"
#include "timens.h"
#include "landlock.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

extern char **environ;

/* What the child needs; it gets its own copy with the fork-like clone. */
struct child
{
  const struct jail_spec *spec;
  const struct jail_options *opts;
  struct userns_plan plan;
  sigset_t old_mask;
  sigset_t command_mask;          /* old_mask, or the caller's choice */
  struct sigaction old_chld;
  mode_t old_umask;
  int sock;
  struct cgroup_join join;        /* the jail's cgroup, for it to join */
  struct cordon_seccomp_bpf seccomp;  /* compiled by the launcher */
  struct network_state net;       /* the jail's address, pasta, ... */
  /* the launcher's steps done, for child_release */
  bool chld_saved, mask_saved, net_prepared;
};

/* What the jail tells the launcher, one message each. */
enum wire_kind
{
  WIRE_ERROR = 1,       /* set-up failed: the command did not run */
  WIRE_EXEC_FAILED,     /* the command's execve failed with ERRNO_VALUE */
  WIRE_ENDED,           /* the command ended with wait status STATUS */
};

struct wire
{
  int32_t kind;
  int32_t errno_value;
  int32_t status;       /* ERROR: cordon's exit status; ENDED: wait status */
  char message[4000];   /* ERROR only */
};

/* How the command ended, as the launcher learns it. */
struct outcome
{
  int wait_status;      /* the command's, or pid 1's when it could not say */
  bool said;            /* pid 1 said the command's (WIRE_ENDED) */
  int exec_errno;       /* the command's execve failed with it, or 0 */
};

static unsigned long
clone_flags (unsigned ns)
{
  static const struct { unsigned ns; unsigned long flag; } table[] = {
    { JAIL_NS_USER, CLONE_NEWUSER }, { JAIL_NS_MOUNT, CLONE_NEWNS },
    { JAIL_NS_PID, CLONE_NEWPID },   { JAIL_NS_IPC, CLONE_NEWIPC },
    { JAIL_NS_UTS, CLONE_NEWUTS },   { JAIL_NS_NET, CLONE_NEWNET },
    /* JAIL_NS_TIME: clone() has no room for CLONE_NEWTIME; pid 1 unshares
     * it before forking the command, which then lives in it.
     * JAIL_NS_CGROUP: unshared once released, when the child has joined
     * the jail's cgroup, so that the jail sees that one as "/". */
  };
  unsigned long flags = 0;
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (ns & table[i].ns)
      flags |= table[i].flag;
  return flags;
}

/* In the jail: send *ERR to the launcher and exit. */
static _Noreturn void
die_with (int sock, cordon_error_t *err)
{
  struct wire w = { .kind = WIRE_ERROR };
  if (*err != NULL)
    {
      w.errno_value = (*err)->errno_value;
      w.status = (*err)->exit_status;
      snprintf (w.message, sizeof w.message, "%s", (*err)->message);
    }
  else
    {
      w.status = EXIT_CORDON_FAILED;
      snprintf (w.message, sizeof w.message, "the jail failed to set up");
    }
  if (send (sock, &w, offsetof (struct wire, message)
            + strlen (w.message) + 1, MSG_NOSIGNAL) < 0)
    dprintf (STDERR_FILENO, "cordon: %s\n", w.message);
  _exit (EXIT_CORDON_FAILED);
}

/* In the jail: a message without text (EXEC_FAILED, ENDED).  Best effort:
 * without it the launcher has pid 1's exit status. */
static void
tell (int sock, enum wire_kind kind, int errno_value, int status)
{
  struct wire w = { .kind = kind, .errno_value = errno_value,
                    .status = status };
  send (sock, &w, offsetof (struct wire, message), MSG_NOSIGNAL);
}

/* In the launcher: take W (N bytes received) into *O; -1 with *err when it
 * is a set-up failure.  Anything else on the socket (the tty's byte) is
 * not ours. */
static int
take_message (struct wire *w, ssize_t n, struct outcome *o,
              cordon_error_t *err)
{
  if (n < (ssize_t) offsetof (struct wire, message))
    return 0;
  switch (w->kind)
    {
    case WIRE_ERROR:
      if (n == (ssize_t) offsetof (struct wire, message))
        return 0;
      w->message[sizeof w->message - 1] = '\0';
      cordon_fail_status (err, w->status, 0, "%s", w->message);
      if (err != NULL && *err != NULL)
        (*err)->errno_value = w->errno_value;
      return -1;
    case WIRE_EXEC_FAILED:
      o->exec_errno = w->errno_value;
      return 0;
    case WIRE_ENDED:
      o->wait_status = w->status;
      o->said = true;
      return 0;
    }
  return 0;
}

/* In the launcher, once pid 1 is reaped: what the jail said meanwhile. */
static int
take_messages (int sock, struct outcome *o, cordon_error_t *err)
{
  struct wire w;
  ssize_t n;
  int r = 0;
  while ((n = recv (sock, &w, sizeof w, MSG_DONTWAIT)) > 0)
    if (take_message (&w, n, o, err) < 0)
      r = -1;
  return r;
}

/* ---- the command (pid 2) ---- */

static bool
same_name (const char *entry, const char *name, size_t len)
{
  return strncmp (entry, name, len) == 0 && entry[len] == '=';
}

/* The command's environment: the caller's (unless cleared), plus the kept
 * names, then the set NAME=value pairs, which replace earlier ones. */
char **
jail_command_env (const struct env_spec *env)
{
  size_t n_caller = 0;
  while (environ != NULL && environ[n_caller] != NULL)
    n_caller++;
  size_t n = 0, cap = (env->clear ? 0 : n_caller) + env->n_keep + env->n_set;
  char **out = calloc (cap + 1, sizeof *out);
  if (out == NULL)
    return NULL;
  if (!env->clear)
    for (size_t i = 0; i < n_caller; i++)
      out[n++] = environ[i];
  for (size_t i = 0; i < env->n_keep; i++)
    {
      size_t len = strlen (env->keep[i]);
      for (size_t j = 0; j < n_caller; j++)
        if (same_name (environ[j], env->keep[i], len))
          {
            bool have = false;
            for (size_t k = 0; k < n && !have; k++)
              have = same_name (out[k], env->keep[i], len);
            if (!have)
              out[n++] = environ[j];
            break;
          }
    }
  for (size_t i = 0; i < env->n_set; i++)
    {
      size_t len = strcspn (env->set[i], "=");
      size_t k = 0;
      while (k < n && !(strncmp (out[k], env->set[i], len) == 0
                        && out[k][len] == '='))
        k++;
      out[k] = env->set[i];
      if (k == n)
        n++;
    }
  out[n] = NULL;
  return out;
}

static const char *
env_path (char **envp)
{
  for (size_t i = 0; envp[i] != NULL; i++)
    if (strncmp (envp[i], "PATH=", 5) == 0)
      return envp[i] + 5;
  return DEFAULT_PATH;
}

/* execvpe() with the jail's PATH (glibc's would search the caller's);
 * returns the errno that explains the failure. */
static int
exec_search (char *const argv[], char **envp)
{
  const char *name = argv[0];
  if (strchr (name, '/') != NULL)
    {
      execve (name, argv, envp);
      return errno;
    }
  const char *path = env_path (envp);
  size_t name_len = strlen (name);
  bool denied = false;
  for (;;)
    {
      size_t dir_len = strcspn (path, ":");
      char buf[4096];
      if (dir_len + 1 + name_len < sizeof buf)
        {
          /* An empty PATH element means the current directory. */
          snprintf (buf, sizeof buf, "%.*s%s%s", (int) dir_len, path,
                    dir_len ? "/" : "", name);
          execve (buf, argv, envp);
          if (errno == EACCES)
            denied = true;
          else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP
                   && errno != ENAMETOOLONG)
            return errno;
        }
      path += dir_len;
      if (*path == '\0')
        break;
      path++;
    }
  return denied ? EACCES : ENOENT;
}

static int
drop_to_jail_ids (const struct jail_spec *spec, bool may_setgroups,
                  cordon_error_t *err)
{
  if (may_setgroups && setgroups (0, NULL) < 0)
    return fail_errno (err, "setgroups");
  if (setresgid (spec->gid, spec->gid, spec->gid) < 0)
    return fail_errno (err, "setresgid %u", (unsigned) spec->gid);
  if (setresuid (spec->uid, spec->uid, spec->uid) < 0)
    return fail_errno (err, "setresuid %u", (unsigned) spec->uid);
  return 0;
}

int
jail_command_identity (const struct jail_spec *spec, bool may_setgroups,
                       cordon_error_t *err)
{
  if (cordon_caps_before_id_change (spec->capabilities, err) < 0
      || drop_to_jail_ids (spec, may_setgroups, err) < 0)
    return -1;
  const char *cwd = spec->cwd ? spec->cwd : "/";
  if (chdir (cwd) < 0)
    {
      /* the path is inside the jail: only now can it be found missing, so
       * the error names the profile line that set it */
      fail_errno (err, "chdir %s", cwd);
      const struct spec_origin *o = &spec->cwd_origin;
      if (o->file && o->line > 0)
        cordon_error_wrap (err, "%s:%d: cwd", o->file, o->line);
      else if (o->file)
        cordon_error_wrap (err, "%s: cwd", o->file);
      return -1;
    }
  return 0;
}

/* Nothing but stdin, stdout, stderr and pass_fds reaches the command,
 * not even what our caller leaked without O_CLOEXEC; the sync socket stays
 * usable until the exec succeeds. */
static int
keep_only_passed_fds (const struct jail_spec *spec, cordon_error_t *err)
{
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return fail_errno (err, "close_range");
  for (size_t i = 0; i < spec->n_pass_fds; i++)
    if (fcntl (spec->pass_fds[i], F_SETFD, 0) < 0)
      return fail_errno (err, "pass_fds: fd %d", spec->pass_fds[i]);
  return 0;
}

int
jail_command_exec (char *const argv[], char **envp)
{
  int e = exec_search (argv, envp);
  dprintf (STDERR_FILENO, "cordon: %s: %s\n", argv[0], strerror (e));
  return e;
}

/* The last steps before exec, in this order: limits, descriptors, session,
 * capabilities, no_new_privs, Landlock and the seccomp filter last, so
 * that none of cordon's own calls meets them.  Without no_new_privs the
 * kernel lets only a holder of CAP_SYS_ADMIN restrict itself or load a
 * filter: both then go in before the capabilities are dropped (as runc
 * does). */
int
jail_command_harden (const struct jail_spec *spec,
                     const struct cordon_seccomp_bpf *seccomp, int sock,
                     cordon_error_t *err)
{
  bool filter_first = !spec->no_new_privs;
  /* built while the rules' paths can still be opened */
  cleanup_fd int landlock_fd = -1;
  if (landlock_prepare (spec, &landlock_fd, err) < 0)
    return -1;
  if (cordon_rlimits_apply (spec, err) < 0
      || keep_only_passed_fds (spec, err) < 0)
    return -1;
  if (spec->new_session && setsid () < 0)
    return fail_errno (err, "setsid");
  /* Its own terminal, ready before the launcher relays a byte to it. */
  if (spec->tty && tty_take_terminal (sock, err) < 0)
    return -1;
  if (filter_first && (cordon_caps_raise_effective (err) < 0
                       || landlock_restrict (landlock_fd, err) < 0
                       || cordon_seccomp_load (seccomp, err) < 0))
    return -1;
  if (cordon_caps_apply (spec->capabilities, err) < 0)
    return -1;
  if (spec->no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_NO_NEW_PRIVS");
  if (!filter_first && (landlock_restrict (landlock_fd, err) < 0
                        || cordon_seccomp_load (seccomp, err) < 0))
    return -1;
  return 0;
}

/* Runs in the command process, vforked by pid 1, whose memory it shares
 * until its execve: returns only on failure, with the status to exit with
 * (set-up failures go to the launcher first). */
static int
start_command (void *arg)
{
  struct child *c = arg;
  const struct jail_spec *spec = c->spec;
  cordon_error_t err = NULL;

  sigaction (SIGCHLD, &c->old_chld, NULL);
  sigprocmask (SIG_SETMASK, &c->command_mask, NULL);
  umask (c->old_umask);
  if (jail_command_identity (spec, c->plan.setgroups_allowed, &err) < 0)
    die_with (c->sock, &err);
  /* Credential changes clear the parent-death signal: set it again last. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    {
      fail_errno (&err, "prctl PR_SET_PDEATHSIG");
      die_with (c->sock, &err);
    }
  char **envp = jail_command_env (&spec->env);
  if (envp == NULL)
    {
      cordon_fail (&err, ENOMEM, "environment");
      die_with (c->sock, &err);
    }
  say (c->opts, "exec %s", spec->argv[0]);
  if (jail_command_harden (spec, &c->seccomp, c->sock, &err) < 0)
    die_with (c->sock, &err);
  int e = jail_command_exec (spec->argv, envp);
  tell (c->sock, WIRE_EXEC_FAILED, e, 0);
  return e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

/* ---- pid 1 ---- */

/* When the child's own host id is not mapped inside (root mapped to
 * nobody), files it creates would fail with EOVERFLOW: act on the files
 * as the jail's ids instead. */
static int
use_jail_fs_ids (const struct child *c, cordon_error_t *err)
{
  if (c->plan.fsgid_unmapped)
    {
      setfsgid (c->spec->gid);
      if ((gid_t) setfsgid ((gid_t) -1) != c->spec->gid)
        return cordon_fail (err, EPERM, "setfsgid %u", (unsigned) c->spec->gid);
    }
  if (c->plan.fsuid_unmapped)
    {
      setfsuid (c->spec->uid);
      if ((uid_t) setfsuid ((uid_t) -1) != c->spec->uid)
        return cordon_fail (err, EPERM, "setfsuid %u", (unsigned) c->spec->uid);
    }
  return 0;
}

/* pid 1's command line, as the jail's ps and /proc/1/cmdline show it:
 * ours is the launcher's copy, with the host paths of cordon and of the
 * profile; its environment is the caller's.  PR_SET_MM_MAP (unlike
 * PR_SET_MM_ARG_START, which wants CAP_SYS_RESOURCE in the host's user
 * namespace) lets any process point them elsewhere, given the rest of its
 * memory layout as the kernel has it: fields 26-28 and 45-51 of
 * /proc/self/stat.  The kernel shows only anonymous memory there, so the
 * new line lives in a page of its own.  Called while the host's /proc is
 * still there. */
#define TITLE_MAX 160

static int
set_title (const char *title, cordon_error_t *err)
{
  char buf[1024];
  int fd = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail_errno (err, "open /proc/self/stat");
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return fail_errno (err, "read /proc/self/stat");
  buf[n] = '\0';
  unsigned long long f[52] = { 0 };
  char *p = strrchr (buf, ')');
  for (int i = 3; p != NULL && i < 52; i++)
    {
      p = strchr (p + 1, ' ');
      if (p != NULL)
        f[i] = strtoull (p + 1, NULL, 10);
    }
  if (p == NULL)
    return cordon_fail (err, 0, "/proc/self/stat: too few fields");
  char *title_buf = mmap (NULL, TITLE_MAX, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (title_buf == MAP_FAILED)
    return fail_errno (err, "mmap");
  size_t len = (size_t) snprintf (title_buf, TITLE_MAX, "%s%c%s",
                                  "cordon-init", '\0', title ? title : "");
  if (len >= TITLE_MAX)
    len = TITLE_MAX - 1;
  if (title == NULL)
    len = strlen ("cordon-init");
  struct prctl_mm_map map = {
    .start_code = f[26], .end_code = f[27], .start_stack = f[28],
    .start_data = f[45], .end_data = f[46], .start_brk = f[47],
    .brk = (uint64_t) (uintptr_t) sbrk (0),
    .arg_start = (uint64_t) (uintptr_t) title_buf,
    .arg_end = (uint64_t) (uintptr_t) (title_buf + len + 1),
    /* no environment at all */
    .env_start = (uint64_t) (uintptr_t) (title_buf + len + 1),
    .env_end = (uint64_t) (uintptr_t) (title_buf + len + 1),
    .exe_fd = (uint32_t) -1,
  };
  if (prctl (PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0) < 0)
    return fail_errno (err, "prctl PR_SET_MM_MAP (pid 1's command line)");
  if (prctl (PR_SET_NAME, "cordon-init", 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_NAME");
  return 0;
}

/* Die with the launcher; and if it died already, go now. */
static int
tie_to_launcher (const struct child *c, cordon_error_t *err)
{
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    return fail_errno (err, "prctl PR_SET_PDEATHSIG");
  struct pollfd p = { .fd = c->sock, .events = POLLIN | POLLRDHUP };
  if (poll (&p, 1, 0) != 0)
    _exit (EXIT_CORDON_FAILED);
  return 0;
}

static int
set_up_jail (struct child *c, cordon_error_t *err)
{
  const struct jail_spec *spec = c->spec;
  /* with the host's /proc in view, and our own ids (timens.h) */
  __attribute__ ((cleanup (close_fd))) int timens_fd = -1;
  if (timens_open_offsets (spec, &timens_fd, err) < 0)
    return -1;
  c->old_umask = umask (0);
  if (use_jail_fs_ids (c, err) < 0 || tie_to_launcher (c, err) < 0)
    return -1;
  if ((spec->namespaces & JAIL_NS_CGROUP) && unshare (CLONE_NEWCGROUP) < 0)
    return fail_errno (err, "unshare the cgroup namespace");
  /* Without a pid namespace, orphans of the jail come to us all the same. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return fail_errno (err, "prctl PR_SET_CHILD_SUBREAPER");
  if (network_configure_inside (spec, &c->net, c->opts, err) < 0)
    return -1;
  /* Nothing in the jail may open our /proc/1/exe (CVE-2019-5736) or
   * ptrace us; the command is dumpable again after its exec. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_DUMPABLE");
  if ((spec->namespaces & JAIL_NS_MOUNT)
      && mounts_build_root (spec, c->plan.enabled, c->opts, err) < 0)
    return -1;
  if (spec->hostname != NULL && (spec->namespaces & JAIL_NS_UTS))
    {
      say (c->opts, "hostname %s", spec->hostname);
      if (sethostname (spec->hostname, strlen (spec->hostname)) < 0)
        return fail_errno (err, "sethostname %s", spec->hostname);
    }
  if ((spec->namespaces & JAIL_NS_TIME) && unshare (CLONE_NEWTIME) < 0)
    return fail_errno (err, "unshare the time namespace");
  return timens_write_offsets (spec, timens_fd, err);
}

static _Noreturn void
child_main (struct child *c, int launcher_end)
{
  cordon_error_t err = NULL;
  close (launcher_end);
  /* While the launcher writes our maps; a failure is told once it listens. */
  int joined = cgroup_join (&c->join, &err);
  if (joined == 0)
    joined = set_title (c->opts->title, &err);
  char go;
  ssize_t n;
  while ((n = recv (c->sock, &go, 1, 0)) < 0 && errno == EINTR)
    ;
  if (n != 1)
    _exit (EXIT_CORDON_FAILED);   /* the launcher is gone and said why */
  if (joined < 0 || set_up_jail (c, &err) < 0)
    die_with (c->sock, &err);
  int ws;
  if (supervise_pid1 (start_command, c, &ws, &err) < 0)
    die_with (c->sock, &err);
  /* Our own exit can only say 128+N for the command's signal N (pid 1 of
   * a pid namespace cannot die of a signal it sends itself): the wait
   * status goes to the launcher as it is. */
  tell (c->sock, WIRE_ENDED, 0, ws);
  _exit (supervise_exit_status (ws));
}

/* ---- the launcher ---- */

static int
check_spec (const struct jail_spec *spec, cordon_error_t *err)
{
  if (spec->argv == NULL || spec->argv[0] == NULL)
    return cordon_fail (err, 0, "no command to run (give one after --)");
  if (!(spec->namespaces & JAIL_NS_USER) && spec->namespaces != 0
      && geteuid () != 0)
    return cordon_fail (err, 0, "without the \"user\" namespace only root can "
                        "create namespaces: add \"user\" to namespaces");
  if (!(spec->namespaces & JAIL_NS_MOUNT)
      && (spec->n_entries > 0 || spec->root != NULL))
    return cordon_fail (err, 0, "mounts need the \"mount\" namespace: add it "
                        "to namespaces");
  /* Before cordon opens anything: an fd that is not open now would be
   * one of ours by the time the command starts. */
  for (size_t i = 0; i < spec->n_pass_fds; i++)
    if (fcntl (spec->pass_fds[i], F_GETFD) < 0)
      return cordon_fail (err, errno, "pass_fds: fd %d", spec->pass_fds[i]);
  return 0;
}

static void
kill_and_reap (pid_t pid)
{
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* Release the child once its maps are written and its network is
 * attached (it joins its cgroup itself meanwhile). */
static int
release (pid_t pid, int sock, struct child *c, cordon_error_t *err)
{
  if (userns_write_maps (&c->plan, pid, c->opts, err) < 0)
    return cordon_error_wrap (err, "set up the user namespace");
  if (network_attach (c->spec, &c->net, pid, c->opts, err) < 0)
    return -1;
  if (send (sock, "g", 1, MSG_NOSIGNAL) != 1)
    return fail_errno (err, "start the jail");
  return 0;
}

/* Tell the caller (the registry) that the jail runs, and where. */
static int
announce (const struct child *c, struct jail_started *s, cordon_error_t *err)
{
  const struct jail_spec *spec = c->spec;
  if (c->opts->started == NULL)
    return 0;
  s->address = spec->network.mode == NETWORK_HOST ? "host"
               : c->net.lease_name[0] ? c->net.lease_name : NULL;
  return c->opts->started (s, c->opts->started_arg, err);
}

/* tty = true: the command sends its terminal's master before it goes on
 * (a set-up failure before that comes as the usual message instead), and
 * waits for our go once the relay is ready. */
static int
start_relay (int sock, struct tty_relay **relay, struct outcome *o,
             cordon_error_t *err)
{
  struct wire w;
  int master;
  ssize_t n = tty_receive_master (sock, &w, sizeof w, &master, err);
  if (n < 0)
    return -1;
  if (master < 0)
    /* Without an error, the jail ended before the command started: its
     * status says the rest. */
    return take_message (&w, n, o, err);
  if (tty_relay_begin (master, relay, err) < 0)
    return -1;
  if (send (sock, "t", 1, MSG_NOSIGNAL) != 1)
    return fail_errno (err, "tty: start the command");
  return 0;
}

/* What run_jail set up in the launcher, undone on every way out (a cleanup
 * attribute, as crun does): each step marks itself done in C. */
static void
child_release (struct child *c)
{
  if (c->net_prepared)
    network_release (c->spec, &c->net, c->opts);
  if (c->mask_saved)
    sigprocmask (SIG_SETMASK, &c->old_mask, NULL);
  if (c->chld_saved)
    sigaction (SIGCHLD, &c->old_chld, NULL);
  userns_plan_release (&c->plan);
  cordon_seccomp_bpf_free (&c->seccomp);
}
#define cleanup_child __attribute__ ((cleanup (child_release)))

static void
tty_relay_release (struct tty_relay **relay)
{
  tty_relay_end (*relay);
}
#define cleanup_relay __attribute__ ((cleanup (tty_relay_release)))

/* The launcher's side of the jail, from its id maps to its end; a jail
 * given up on is killed and reaped here, before its pid can be reused. */
static int
supervise_child (pid_t pid, int sock, struct child *c,
                 struct jail_started *started, bool *timed_out,
                 struct outcome *o, cordon_error_t *err)
{
  const struct jail_spec *spec = c->spec;
  cleanup_relay struct tty_relay *relay = NULL;
  int pid1_status;
  if (release (pid, sock, c, err) < 0
      || announce (c, started, err) < 0
      /* Once its maps are written (a rootless launcher needs the jail's
       * /proc files to be its own for that): no /proc/<pid>/exe of ours
       * for the jail to open when it can see us (CVE-2019-5736). */
      || (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0
          && fail_errno (err, "prctl PR_SET_DUMPABLE") < 0)
      || (spec->tty && start_relay (sock, &relay, o, err) < 0)
      || supervise_launcher (pid, spec->time_limit, relay, c->opts,
                             timed_out, &pid1_status, err) < 0)
    {
      kill_and_reap (pid);
      return -1;
    }
  int ret = take_messages (sock, o, err);
  /* Pid 1 killed before it could say (the time limit's SIGKILL, the OOM
   * killer): its own end is the jail's. */
  if (ret == 0 && !o->said)
    o->wait_status = pid1_status;
  memory_writable_again ();
  return ret;
}

static int
run_jail (const struct jail_spec *spec, const struct jail_options *opts,
          struct cgroup_jail *cgroup, bool *timed_out, struct outcome *o,
          cordon_error_t *err)
{
  cleanup_child struct child c = {
    .spec = spec, .opts = opts, .sock = -1, .plan = { .id_lock = -1 } };
  /* Before the clone: the jail's pid 1 inherits the lock on root's host id
   * with the rest of our descriptors, and holds it as long as it lives. */
  if (userns_plan (spec, opts, &c.plan, err) < 0
      || cordon_seccomp_compile (&spec->seccomp, &c.seccomp, err) < 0)
    return -1;

  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return fail_errno (err, "socketpair");
  cleanup_fd int launcher_sock = sv[0];
  cleanup_fd int jail_sock = sv[1];
  /* An ignored SIGCHLD (inherited from our caller) would reap the jail
   * behind our back; the command gets the caller's disposition back. */
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigaction (SIGCHLD, &dfl, &c.old_chld);
  c.chld_saved = true;
  if (supervise_block_signals (&c.old_mask, err) < 0)
    return -1;
  c.mask_saved = true;
  c.command_mask = opts->command_mask ? *opts->command_mask : c.old_mask;
  /* Before the clone: the jail's copy of the state has its address. */
  network_init (&c.net);
  if (network_prepare (spec, &c.net, opts, err) < 0)
    return -1;
  c.net_prepared = true;
  if (cgroup_jail_open_join (cgroup, &c.join, err) < 0)
    return -1;
  cordon_caps_last ();      /* read here, the command inherits the value */
  heap_settle ();
  unsigned ns = spec->namespaces;
  if (network_clone_joins (spec))
    ns &= ~(unsigned) JAIL_NS_NET;
  unsigned long flags = clone_flags (ns);
  if (network_clone_begin (spec, &c.net, err) < 0)
    return -1;
  say (opts, "clone (namespaces 0x%lx)", flags);
  pid_t pid = (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL,
                               NULL);
  if (pid == 0)
    {
      c.sock = jail_sock;
      network_clone_end (&c.net, true, NULL);
      child_main (&c, launcher_sock);
    }
  int saved = errno;
  if (network_clone_end (&c.net, false, err) < 0)
    {
      /* A launcher left in the jail's network cannot clean up the host's. */
      if (pid > 0)
        kill_and_reap (pid);
      return -1;
    }
  close_fd (&jail_sock);
  struct jail_started started = { .pid = pid };
  const char *cgroup_dirs[CGROUP_MAX_DIRS];
  for (size_t i = 0; i < c.join.n; i++)
    cgroup_dirs[i] = c.join.dirs[i];
  started.cgroup_dirs = cgroup_dirs;
  started.n_cgroup_dirs = c.join.n;
  cgroup_join_close (&c.join);
  if (pid < 0)
    return cordon_fail (err, saved, "clone%s",
                        saved == EPERM || saved == ENOSPC
                        ? " (are user namespaces allowed here? see "
                          "/proc/sys/user/max_user_namespaces)" : "");
  return supervise_child (pid, launcher_sock, &c, &started, timed_out, o,
                          err);
}

/* ---- the result ---- */

static double
seconds_of (struct timeval tv)
{
  return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

static enum jail_end
reason_of (int ret, const struct outcome *o, bool oom, bool timed_out)
{
  if (ret < 0)
    return JAIL_END_SETUP_ERROR;
  if (o->exec_errno)
    return o->exec_errno == ENOENT ? JAIL_END_NOT_FOUND
                                   : JAIL_END_CANNOT_EXEC;
  if (oom)
    return JAIL_END_OOM;
  if (timed_out)
    return JAIL_END_TIME_LIMIT;
  return WIFSIGNALED (o->wait_status) ? JAIL_END_SIGNALED : JAIL_END_EXITED;
}

static void
fill_result (struct jail_result *r, int ret, const struct outcome *o,
             bool oom, bool timed_out, const struct cgroup_stats *st,
             const struct rusage *before, const struct timespec *mono_start)
{
  struct timespec mono_end;
  clock_gettime (CLOCK_MONOTONIC, &mono_end);
  clock_gettime (CLOCK_REALTIME, &r->end);
  r->wall_seconds = (double) (mono_end.tv_sec - mono_start->tv_sec)
                    + (double) (mono_end.tv_nsec - mono_start->tv_nsec) / 1e9;
  /* The launcher's only child is the jail's pid 1, which reaps the rest. */
  struct rusage after;
  getrusage (RUSAGE_CHILDREN, &after);
  r->user_seconds = seconds_of (after.ru_utime) - seconds_of (before->ru_utime);
  r->system_seconds = seconds_of (after.ru_stime)
                      - seconds_of (before->ru_stime);
  r->exit_status = ret < 0 ? EXIT_CORDON_FAILED
                           : supervise_exit_status (o->wait_status);
  r->signal = ret == 0 && WIFSIGNALED (o->wait_status)
              ? WTERMSIG (o->wait_status) : 0;
  r->exec_errno = ret == 0 ? o->exec_errno : 0;
  r->reason = reason_of (ret, o, oom, timed_out);
  r->has_peak_memory = st->has_peak_memory;
  r->peak_memory = st->peak_memory;
  r->has_peak_pids = st->has_peak_pids;
  r->peak_pids = st->peak_pids;
  r->has_oom_kills = st->has_oom_kills;
  r->oom_kills = st->oom_kills;
  r->has_pids_max_events = st->has_pids_max_events;
  r->pids_max_events = st->pids_max_events;
}

int
jail_run (const struct jail_spec *spec, const struct jail_options *opts,
          cordon_error_t *err)
{
  struct jail_result *r = opts->result;
  struct timespec mono_start;
  struct rusage before;
  clock_gettime (CLOCK_MONOTONIC, &mono_start);
  getrusage (RUSAGE_CHILDREN, &before);
  if (r != NULL)
    {
      memset (r, 0, sizeof *r);
      clock_gettime (CLOCK_REALTIME, &r->start);
    }
  struct cgroup_jail *cgroup = NULL;
  bool timed_out = false;
  struct outcome o = { 0 };
  int ret = -1;
  if (check_spec (spec, err) == 0
      && cgroup_jail_begin (spec, opts, &cgroup, err) == 0)
    ret = run_jail (spec, opts, cgroup, &timed_out, &o, err);
  bool sigkilled = ret == 0 && WIFSIGNALED (o.wait_status)
                   && WTERMSIG (o.wait_status) == SIGKILL;
  struct cgroup_stats st;
  bool oom = cgroup_jail_end (cgroup, spec, sigkilled, opts, &st);
  if (r != NULL)
    fill_result (r, ret, &o, oom, timed_out, &st, &before, &mono_start);
  return ret < 0 ? -1 : supervise_exit_status (o.wait_status);
}
