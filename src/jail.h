/* jail.h — the jail core: one path for every profile.
 *
 * The launcher clones a child into the spec's namespaces, writes its id maps,
 * and releases it over a pipe; the child builds the root filesystem, pivots
 * into it and, as a small pid 1, runs the command and reaps.  The launcher
 * forwards signals, enforces the time limit and returns the exit status. */
#ifndef CORDON_JAIL_H
#define CORDON_JAIL_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"
#include "log.h"
#include "spec.h"

/* How the jail ended, for the run report (cgroup.c, report.c). */
enum jail_end
{
  JAIL_END_EXITED,
  JAIL_END_SIGNALED,
  JAIL_END_OOM,             /* the memory limit killed the command */
  JAIL_END_TIME_LIMIT,      /* the time limit killed it */
  JAIL_END_SETUP_ERROR,     /* cordon failed; the command did not run */
  JAIL_END_NOT_FOUND,       /* its execve failed: ENOENT (status 127) */
  JAIL_END_CANNOT_EXEC,     /* its execve failed otherwise (status 126) */
};

struct jail_result
{
  enum jail_end reason;
  int exit_status;          /* what cordon exits with */
  int signal;               /* the signal that killed the command, or 0:
                               from its wait status, so an "exit 137" of
                               its own is no SIGKILL */
  int exec_errno;           /* NOT_FOUND, CANNOT_EXEC: execve's errno */
  struct timespec start, end;       /* CLOCK_REALTIME */
  double wall_seconds;
  double user_seconds, system_seconds;  /* the jail's processes, reaped */
  bool has_peak_memory;     /* false: no memory cgroup to measure it */
  uint64_t peak_memory;     /* bytes */
  bool has_peak_pids;
  uint64_t peak_pids;
  bool has_oom_kills;       /* false: no memory cgroup to count them */
  uint64_t oom_kills;
  bool has_pids_max_events; /* false: no pids cgroup to count them */
  uint64_t pids_max_events; /* forks refused at the pids limit */
};

/* What the launcher knows of a running jail, for its record (registry.h). */
struct jail_started
{
  pid_t pid;                /* the jail's pid 1, on the host */
  const char *const *cgroup_dirs;   /* the jail's cgroup directories */
  size_t n_cgroup_dirs;
  const char *address;      /* the jail's network address, or NULL */
};

struct jail_options
{
  int verbose;          /* > 0: say each setup step on stderr ("cordon: ...") */
  bool quiet;           /* suppress cordon's own notices (not errors) */
  const char *cgroup_parent;    /* settings (cgroup.h); NULL: "cordon" */
  int cgroup_version;           /* settings: 0 auto, 1 or 2 */
  uint32_t root_id_start;       /* settings' root_id_range (userns.h); */
  uint32_t root_id_count;       /* count 0: the built-in range */
  struct jail_result *result;   /* filled by jail_run when not NULL; also
                                   asks for a cgroup to measure peaks */
  const char *title;            /* pid 1's command line in the jail
                                   ("cordon-init NAME"); NULL: "cordon-init" */
  /* Called by the launcher once the jail's pid 1 is released; a failure
   * ends the jail before its command runs. */
  int (*started) (const struct jail_started *s, void *arg,
                  cordon_error_t *err);
  void *started_arg;
  /* The signal mask the command starts with; NULL: the caller's.  A
   * listen connection's process keeps the signals the server reads
   * blocked, so that none ends it before its jail's clean-up is armed. */
  const sigset_t *command_mask;
};

/* Run the jail to completion.  Returns the exit status cordon should exit with
 * (the command's status, 128+N for signal N, 126/127 for exec failures), or
 * -1 with *err set when cordon itself failed before the command ran (the CLI
 * then prints the error and exits with (*err)->exit_status, normally 125).
 * Leaves nothing behind in either case. */
int jail_run (const struct jail_spec *spec, const struct jail_options *opts,
              cordon_error_t *err);

/* ---- the command's last steps, shared with `cordon enter` (enter.c) ---- */

struct cordon_seccomp_bpf;
struct env_spec;

/* In the command's process, inside the jail's namespaces: keep the spec's
 * capabilities across the change to its uid and gid (no supplementary
 * groups: setgroups when MAY_SETGROUPS), then go to its cwd. */
int jail_command_identity (const struct jail_spec *spec, bool may_setgroups,
                           cordon_error_t *err);

/* The command's environment: the caller's (unless cleared), the kept
 * names, then the set NAME=value pairs. */
char **jail_command_env (const struct env_spec *env);

/* The last steps before exec: rlimits, only pass_fds open, setsid, the
 * terminal (tty = true, over SOCK), capabilities, no_new_privs, SECCOMP. */
int jail_command_harden (const struct jail_spec *spec,
                         const struct cordon_seccomp_bpf *seccomp, int sock,
                         cordon_error_t *err);

/* Exec ARGV with ENVP's PATH; returns the errno that explains the failure
 * after saying it (ENOENT: exit with 127, else 126). */
int jail_command_exec (char *const argv[], char **envp);

#endif
