/* timens.h — the clock offsets of the jail's time namespace.
 *
 * pid 1 unshares the time namespace before it forks the command (jail.c);
 * the offsets of a new time namespace can be set only until the first
 * process enters it, through /proc/self/timens_offsets.  That file is
 * opened while the host's /proc is still in view (the jail may have none)
 * and written right after the unshare. */
#ifndef CORDON_TIMENS_H
#define CORDON_TIMENS_H

#include "error.h"
#include "spec.h"

/* *FD: /proc/self/timens_offsets opened for writing, or -1 when the spec
 * sets no offsets (or has no time namespace). */
int timens_open_offsets (const struct jail_spec *spec, int *fd,
                         cordon_error_t *err);

/* Write the offsets to FD (from timens_open_offsets; -1: nothing to do)
 * once the time namespace for our children exists. */
int timens_write_offsets (const struct jail_spec *spec, int fd,
                          cordon_error_t *err);

#endif
