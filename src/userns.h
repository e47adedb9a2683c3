/* userns.h — the jail's uid and gid maps.
 *
 * The launcher plans the maps before it clones (so the child knows what it
 * will be) and writes them once the child exists.  A spec map with no ranges
 * means the default: the jail's uid (gid) maps to the caller's own uid (gid),
 * or to nobody (65534) when the caller is root, so that a jail never holds
 * root's power over host files unless its profile maps root explicitly. */
#ifndef CORDON_USERNS_H
#define CORDON_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

#define USERNS_NOBODY 65534

struct userns_plan
{
  bool enabled;                 /* the spec asks for a user namespace */
  struct id_map uid, gid;       /* the maps to write (borrowed or default) */
  struct id_range default_uid, default_gid;
  bool uid_by_helper;           /* written by newuidmap (else directly) */
  bool gid_by_helper;           /* written by newgidmap (else directly) */
  bool setgroups_allowed;       /* the jail may call setgroups() */
  bool fsuid_unmapped;          /* the child's own uid is not mapped inside */
  bool fsgid_unmapped;
};

/* Decide the maps and how they are written.  Cheap: no syscalls but
 * geteuid/getegid. */
void userns_plan (const struct jail_spec *spec, struct userns_plan *plan);

/* Write the planned maps for process PID (called by the launcher). */
int userns_write_maps (const struct userns_plan *plan, pid_t pid,
                       const struct jail_options *opts, cordon_error_t *err);

#endif
