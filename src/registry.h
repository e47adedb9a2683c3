/* registry.h — the running jails: their records in cordon's private state
 * directory (cordon run, ps, enter, stop).
 *
 * Root's records live in /run/cordon/jails/, a user's in
 * $XDG_RUNTIME_DIR/cordon/jails/; both directories are 0700 and owned by
 * the euid, and no jail ever sees them (they are under the host's /run).
 * Root reads users' records too, where their runtime directory is
 * /run/user/UID; a file is trusted only when the directory's owner owns it.
 * One jail is two files: ID (its record, KEY=VALUE lines) and ID.conf (its
 * effective profile, as `cordon show` prints it).  Both are written whole
 * (a temporary file renamed into place).  A record is live while its
 * launcher is: the launcher's pid and start time (field 22 of
 * /proc/PID/stat) still match.  Adding and sweeping hold an flock on the
 * directory, so that a name is checked and taken in one step. */
#ifndef CORDON_REGISTRY_H
#define CORDON_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define REGISTRY_ID_LEN 12

struct jail_record
{
  char id[REGISTRY_ID_LEN + 1];
  char *name;                   /* NULL: none */
  char *profile_path;           /* NULL: the built-in default */
  char *profile_name;
  uid_t uid;                    /* the real uid of the user who started it */
  pid_t launcher;               /* cordon run, on the host */
  unsigned long long launcher_start;    /* its start time, clock ticks */
  unsigned long long pidns;     /* the inode of the launcher's pid
                                   namespace, where its pids mean what
                                   they say; 0: not known (an older
                                   record) */
  pid_t pid;                    /* the jail's pid 1 on the host; 0 until set */
  unsigned long long pid_start;
  long long started;            /* seconds since the epoch */
  char **argv;
  size_t n_argv;
  char **cgroups;               /* the jail's cgroup directories */
  size_t n_cgroups;
  char *address;                /* the jail's network address, or NULL */
  char *peer;                   /* a listen jail's client, "ADDR:PORT";
                                   NULL for cordon run's */
  uid_t dir_owner;              /* whose state directory it was read from
                                   (not from the file): what the record
                                   says is that user's word only */
};

void jail_record_free (struct jail_record *rec);

struct registry;

/* Open the caller's state directory, creating it when CREATE.  With no
 * directory (!CREATE and none yet, or a user without XDG_RUNTIME_DIR),
 * *OUT is NULL and 0 is returned when !CREATE. */
int registry_open (bool create, struct registry **out, cordon_error_t *err);
/* Root: the state directory of user UID, /run/user/UID/cordon/jails (a
 * user's XDG_RUNTIME_DIR as pam_systemd makes it), when there is one that
 * is theirs alone. */
int registry_open_user (uid_t uid, struct registry **out,
                        cordon_error_t *err);
/* The uids that have a directory in /run/user. */
int registry_users (uid_t **uids, size_t *n);
void registry_close (struct registry *r);
const char *registry_dir (const struct registry *r);

/* Is NAME fit to name a jail (letters, digits, '.', '_', '-'; 1 to 64,
 * not starting with '.' or '-')? */
bool registry_name_valid (const char *name);

/* Has the caller a place for a state directory (root, or a user with
 * XDG_RUNTIME_DIR)?  Asks nothing of the file system. */
bool registry_has_place (void);

/* A random id, for a record not written yet. */
void registry_pick_id (char id[REGISTRY_ID_LEN + 1]);

/* Sweep stale records, refuse REC's name when a live jail has it, and
 * write REC, with PROFILE (the effective profile's text, LEN bytes) unless
 * it is NULL.  REC->id: a fresh one is picked when it is empty; one picked
 * before (registry_pick_id) is an error if a record has it. */
int registry_add (struct registry *r, struct jail_record *rec,
                  const char *profile, size_t len, cordon_error_t *err);
/* Write ID's effective profile. */
int registry_write_profile (struct registry *r, const char *id,
                            const char *profile, size_t len,
                            cordon_error_t *err);
/* Write REC again (its pid, cgroups and address once they are known). */
int registry_update (struct registry *r, const struct jail_record *rec,
                     cordon_error_t *err);
/* Remove REC's files. */
void registry_remove (struct registry *r, const char *id);

/* The live records, oldest first (stale ones are swept). */
int registry_list (struct registry *r, struct jail_record **recs,
                   size_t *n, cordon_error_t *err);
void registry_list_free (struct jail_record *recs, size_t n);

/* The live record whose id or name is KEY; -1 with *err when there is
 * none. */
int registry_find (struct registry *r, const char *key,
                   struct jail_record *rec, cordon_error_t *err);

/* The path of REC's effective profile (for the profile module); free it. */
char *registry_profile_file (const struct registry *r,
                             const struct jail_record *rec);

/* Field FIELD of /proc/PID/stat as proc(5) numbers them, one of the
 * non-negative numbers from 4 (the parent) on; -1 with errno when there
 * is no such process (or that field is no such number). */
int proc_stat_number (pid_t pid, int field, unsigned long long *value);
/* Field 22 of /proc/PID/stat: the process's start time in clock ticks
 * since boot; -1 with errno when there is no such process. */
int proc_start_time (pid_t pid, unsigned long long *start);

/* Is PID still the process that started at START? */
bool proc_is (pid_t pid, unsigned long long start);

#endif
