/* capabilities.h — the capabilities the command keeps, through libcap-ng.
 *
 * Every set (effective, permitted, inheritable, bounding, ambient) is
 * reduced to the profile's list; kept capabilities survive the switch to a
 * non-root uid as ambient ones.  Two steps around the id change: the
 * bounding set can only be lowered while we still hold CAP_SETPCAP. */
#ifndef CORDON_CAPABILITIES_H
#define CORDON_CAPABILITIES_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* "CAP_NET_BIND_SERVICE" -> 10; -1 when libcap-ng does not know it. */
int cordon_caps_from_name (const char *name);

/* 10 -> "CAP_NET_BIND_SERVICE" in BUF. */
const char *cordon_caps_name (unsigned cap, char *buf, size_t size);

/* The highest capability number the running kernel knows, read once from
 * /proc/sys/kernel/cap_last_cap.  The launcher asks before the clone, so
 * that the command inherits the answer instead of reading it through stdio
 * inside the jail (~0.05 ms of every start). */
unsigned cordon_caps_last (void);

/* Before setresuid(): lower the bounding set to KEEP and keep the
 * permitted set across the id change. */
int cordon_caps_before_id_change (uint64_t keep, cordon_error_t *err);

/* After the id change: make the effective set the permitted one again (to
 * load a seccomp filter without no_new_privs, which needs CAP_SYS_ADMIN). */
int cordon_caps_raise_effective (cordon_error_t *err);

/* After the id change: effective, permitted, inheritable and ambient sets
 * become KEEP. */
int cordon_caps_apply (uint64_t keep, cordon_error_t *err);

#endif
