/* masks.h — masked and read-only kernel files in the jail's /proc and /sys.
 *
 * As runc and crun do: files that leak host state are hidden behind an
 * empty file or directory, files that change the host are made read-only.
 * Runs while the root is built, after its entries and before the pivot
 * (mounts.c calls it). */
#ifndef CORDON_MASKS_H
#define CORDON_MASKS_H

#include "error.h"
#include "jail.h"
#include "spec.h"

/* ROOT: an O_PATH fd of the new root, under which every path is resolved;
 * COVERS: a directory holding an empty directory "dir" and an empty mode-0
 * file "empty", cloned read-only over what is hidden.  Neither is closed
 * here.  Called only for a spec with mask_paths (mounts.c makes the covers
 * for it). */
int masks_apply (const struct jail_spec *spec, const struct jail_options *opts,
                 int root, int covers, cordon_error_t *err);

#endif
