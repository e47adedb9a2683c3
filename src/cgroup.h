/* cgroup.h — a jail's cgroup: limits, accounting, OOM, clean-up.
 *
 * One small interface over two backends chosen at run time: cgroup v2 (the
 * unified hierarchy: one directory, controllers enabled down the path through
 * cgroup.subtree_control) and cgroup v1 (one directory per controller's
 * hierarchy).  The launcher creates the jail's cgroup and opens the files
 * through which the child joins it: the child moves itself in before it
 * does anything else (a task that moves itself is the kernel's cheap case).
 * After the jail ends the launcher reads the OOM count and the peaks, kills
 * what is left and removes the directories.
 *
 * Layout: <hierarchy>/<own>/<parent>/cordon-<pid>-<token>, where <own> is
 * the launcher's own cgroup (a relative cgroup_parent; an absolute one
 * starts at the hierarchy's root) and <token> 64 random bits: a pid alone
 * is not unique, as launchers in two pid namespaces (two containers) may
 * have the same one.  The pid is only for people reading the tree.
 * Each jail directory is flock()ed by the launcher
 * (the jail's pid 1 inherits the lock) for as long as either lives; a
 * directory whose lock can be taken is stale and is removed by the next run
 * that makes a cgroup.  The lock, not the name, says who owns it: it is
 * held wherever its owner runs, and goes when the owner dies.
 * Creating and scanning hold the parent's lock, so a scan never takes a
 * directory that is being created. */
#ifndef CORDON_CGROUP_H
#define CORDON_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

enum cgroup_version
{
  CGROUP_VERSION_AUTO = 0,    /* v2 when it has the controllers, else v1 */
  CGROUP_VERSION_1 = 1,
  CGROUP_VERSION_2 = 2,
};

enum cgroup_controller
{
  CGROUP_MEMORY = 1u << 0,
  CGROUP_PIDS = 1u << 1,
  CGROUP_CPU = 1u << 2,
};

struct cgroup_hierarchy
{
  int version;              /* 1 or 2 */
  char *mount;              /* where it is mounted: "/sys/fs/cgroup/memory" */
  char *own;                /* the launcher's cgroup in it: "/" or "/a/b" */
  unsigned controllers;     /* v1: mask of enum cgroup_controller */
};

/* The host's hierarchies and the two operations kernfs does differently
 * from a plain directory (a fake cgroupfs in the unit tests). */
struct cgroup_host
{
  struct cgroup_hierarchy *h;
  size_t n;
  int (*make_dir) (const char *path, int version);   /* 0, or -1 with errno */
  int (*remove_dir) (const char *path);              /* 0, or -1 with errno */
};

/* Read the hierarchies from MOUNTINFO and SELF_CGROUP (the /proc/self files
 * when NULL); make_dir and remove_dir are mkdir(2) and rmdir(2). */
int cgroup_host_probe (struct cgroup_host *host, const char *mountinfo,
                       const char *self_cgroup, cordon_error_t *err);
/* Add one hierarchy by hand (the unit tests' fake cgroupfs). */
void cgroup_host_add (struct cgroup_host *host, int version,
                      const char *mount, const char *own,
                      unsigned controllers);
void cgroup_host_free (struct cgroup_host *host);

struct cgroup_request
{
  const struct cgroup_spec *limits;
  bool accounting;          /* the run report wants peaks: best effort */
  const char *parent;       /* settings' cgroup_parent */
  enum cgroup_version version;
  const char *name;         /* the jail's directory name */
};

struct cgroup;

/* Create the jail's cgroup and set its limits.  *out is NULL (and 0 is
 * returned) when nothing is needed, or when only accounting was asked for
 * and no cgroup can be had.  Limits that cannot be enforced are an error. */
int cgroup_create (const struct cgroup_host *host,
                   const struct cgroup_request *req,
                   const struct jail_options *opts, struct cgroup **out,
                   cordon_error_t *err);
/* Which version the cgroup uses (1 or 2). */
int cgroup_version_of (const struct cgroup *cg);
/* The jail's directory in the hierarchy that holds CONTROLLER, or NULL. */
const char *cgroup_path (const struct cgroup *cg, unsigned controller);

/* How a new process joins the cgroup: one open file per directory (v1:
 * "tasks", v2: "cgroup.procs"), opened by the launcher so that the kernel
 * checks the launcher's credentials, written "0" by the joining process. */
#define CGROUP_MAX_DIRS 3
struct cgroup_join
{
  int fds[CGROUP_MAX_DIRS];
  const char *dirs[CGROUP_MAX_DIRS];    /* for messages: CG's paths */
  const char *file;
  size_t n;
};
/* Open the files (none when CG is NULL). */
int cgroup_open_join (const struct cgroup *cg, struct cgroup_join *join,
                      cordon_error_t *err);
/* In the joining process, single-threaded: move it into every directory,
 * then close the files. */
int cgroup_join (struct cgroup_join *join, cordon_error_t *err);
void cgroup_join_close (struct cgroup_join *join);

struct cgroup_stats
{
  bool has_oom_kills;       /* false: no memory cgroup counted them */
  uint64_t oom_kills;       /* processes the memory limit killed */
  bool has_peak_memory;
  uint64_t peak_memory;     /* bytes */
  bool has_peak_pids;
  uint64_t peak_pids;
  bool has_pids_max_events; /* false: no pids cgroup counted them */
  uint64_t pids_max_events; /* forks the pids limit refused */
};
void cgroup_read_stats (const struct cgroup *cg, struct cgroup_stats *st);

/* Kill what is left, remove the directories (retrying while busy) and free
 * CG.  -1 with *err when a directory could not be removed. */
int cgroup_destroy (struct cgroup *cg, cordon_error_t *err);

/* Remove the stale jail cgroups under PARENT in every hierarchy: those whose
 * launcher and pid 1 are gone.  Leftover processes in them are killed.
 * Failures are ignored (said with -v): this is housekeeping. */
void cgroup_remove_stale (const struct cgroup_host *host, const char *parent,
                          const struct jail_options *opts);

/* The jail's directory name: "cordon-<pid>-<16 hex digits>", the digits
 * from getrandom. */
#define CGROUP_JAIL_NAME_MAX 64
int cgroup_jail_name (char *buf, size_t size, cordon_error_t *err);

/* What jail.c calls: when the profile sets limits or a report wants peaks,
 * probe the host, remove stale cgroups and create the jail's cgroup (*out
 * is NULL when there is nothing to do). */
struct cgroup_jail;
int cgroup_jail_begin (const struct jail_spec *spec,
                       const struct jail_options *opts,
                       struct cgroup_jail **out, cordon_error_t *err);
int cgroup_jail_open_join (const struct cgroup_jail *j,
                           struct cgroup_join *join, cordon_error_t *err);
/* After the jail's pid 1 is reaped: fill *ST, say so when the memory
 * limit killed the command (returning true: SIGKILLED, the command died of
 * SIGKILL, as its wait status says, and the cgroup counted an OOM kill),
 * remove the cgroup and free J. */
bool cgroup_jail_end (struct cgroup_jail *j, const struct jail_spec *spec,
                      bool sigkilled, const struct jail_options *opts,
                      struct cgroup_stats *st);

#endif
