/* mounts.h — the jail's root filesystem.
 *
 * Runs in the cloned child, inside its private mount namespace: assembles
 * the new root from the spec's entries, in order, then pivots into it so
 * that nothing of the host stays reachable but what the profile mounted. */
#ifndef CORDON_MOUNTS_H
#define CORDON_MOUNTS_H

#include <stdbool.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

/* Build the root and pivot into it; on return the cwd is the new "/".
 * IN_USERNS: the mounts are made from inside a user namespace (overlayfs
 * then stores its metadata in user.* xattrs). */
int mounts_build_root (const struct jail_spec *spec, bool in_userns,
                       const struct jail_options *opts, cordon_error_t *err);

#endif
