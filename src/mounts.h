/* mounts.h — the jail's root filesystem.
 *
 * Runs in the cloned child, inside its private mount namespace: assembles
 * the new root from the spec's entries, in order, then pivots into it so
 * that nothing of the host stays reachable but what the profile mounted. */
#ifndef CORDON_MOUNTS_H
#define CORDON_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "jail.h"
#include "spec.h"

/* Build the root, its masks (masks.h) included, and pivot into it; on
 * return the cwd is the new "/".  IN_USERNS: the mounts are made from
 * inside a user namespace (overlayfs then stores its metadata in user.*
 * xattrs). */
int mounts_build_root (const struct jail_spec *spec, bool in_userns,
                       const struct jail_options *opts, cordon_error_t *err);

/* PATH opened O_PATH (with FLAGS added) under ROOT, an O_PATH fd of a
 * directory that "/" and ".." do not leave (RESOLVE_IN_ROOT, no magic
 * links).  The fd, or -1 with errno. */
int mounts_open_in_root (int root, const char *path, int flags);

/* Set the mount attributes ATTRS (MOUNT_ATTR_*) on the detached or attached
 * mount TREE, and on its submounts when RECURSIVE.  0, or -1 with errno. */
int mounts_set_attrs (int tree, uint64_t attrs, bool recursive);

/* A detached copy (open_tree OPEN_TREE_CLONE, with FLAGS added: AT_RECURSIVE,
 * AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW) of DIRFD/PATH with the mount
 * attributes ATTRS set: open_tree_attr() does both in one call since Linux
 * 6.15; older kernels (and seccomp filters that do not know it) take two.
 * The fd, or -1 with errno. */
int mounts_clone_tree (int dirfd, const char *path, unsigned flags,
                       uint64_t attrs);

#endif
