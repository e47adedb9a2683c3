/* rlimits.h — the command's resource limits (setrlimit). */
#ifndef CORDON_RLIMITS_H
#define CORDON_RLIMITS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* The profile's name of each Linux rlimit ("nofile"), by RLIMIT_* number;
 * NULL past the end. */
const char *cordon_rlimit_name (int resource);

/* RLIMIT_* for NAME, or -1. */
int cordon_rlimit_from_name (const char *name);

/* Is the limit a number of bytes (so K/M/G/T suffixes make sense)? */
bool cordon_rlimit_is_size (int resource);

/* Set every limit the spec sets, hard and soft. */
int cordon_rlimits_apply (const struct jail_spec *spec, cordon_error_t *err);

#endif
