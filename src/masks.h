/* masks.h — masked and read-only kernel files in the jail's /proc and /sys.
 *
 * As runc and crun do: files that leak host state are hidden behind an
 * empty file or directory, files that change the host are made read-only.
 * Runs in the jail after the root is built (the cwd is the new "/"). */
#ifndef CORDON_MASKS_H
#define CORDON_MASKS_H

#include "error.h"
#include "jail.h"
#include "spec.h"

/* EMPTY: the covers' source (mounts_build_root's *EMPTY), or -1 for a
 * tiny tmpfs of their own; not closed here. */
int masks_apply (const struct jail_spec *spec, const struct jail_options *opts,
                 int empty, cordon_error_t *err);

#endif
