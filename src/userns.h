/* userns.h — the jail's uid and gid maps, and the host ids of root's jails.
 *
 * The launcher plans the maps before it clones (so the child knows what it
 * will be) and writes them once the child exists.  A spec map with no ranges
 * means the default: the jail's uid (gid) maps to the caller's own uid (gid);
 * when the caller is root, to a host id of its own, taken from the settings'
 * root_id_range for as long as the jail lives.  So a jail never holds root's
 * power over host files unless its profile maps root explicitly, and since
 * kill() compares uids (not user namespaces), no host process (nobody
 * included) and no other jail shares an id with it to signal it by. */
#ifndef CORDON_USERNS_H
#define CORDON_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

/* One lock file per host id handed out, flock'ed by the launcher (and
 * inherited by the jail's pid 1): the kernel drops the lock when both are
 * gone, killed or not, so there is nothing stale to clean up. */
#define USERNS_IDS_DIR "/run/cordon/ids"

struct userns_plan
{
  bool enabled;                 /* the spec asks for a user namespace */
  int id_lock;                  /* the lock on root_id, or -1 */
  uint32_t root_id;             /* root's jail: its host uid and gid */
  struct id_map uid, gid;       /* the maps to write (borrowed or default) */
  struct id_range default_uid, default_gid;
  bool uid_by_helper;           /* written by newuidmap (else directly) */
  bool gid_by_helper;           /* written by newgidmap (else directly) */
  bool setgroups_allowed;       /* the jail may call setgroups() */
  bool fsuid_unmapped;          /* the child's own uid is not mapped inside */
  bool fsgid_unmapped;
};

/* Decide the maps and how they are written.  Cheap: no syscalls but
 * geteuid/getegid, and for root's default maps the few that take a free
 * id of the range (opts->root_id_start, opts->root_id_count).  Fails when
 * every id of the range is in use by a live jail. */
int userns_plan (const struct jail_spec *spec, const struct jail_options *opts,
                 struct userns_plan *plan, cordon_error_t *err);

/* Give the plan's host id back (after the jail has ended). */
void userns_plan_release (struct userns_plan *plan);

/* Write the planned maps for process PID (called by the launcher). */
int userns_write_maps (const struct userns_plan *plan, pid_t pid,
                       const struct jail_options *opts, cordon_error_t *err);

#endif
