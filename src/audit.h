/* audit.h — `cordon audit`: how much of the host a jail leaves exposed.
 *
 * audit.c owns the checks (one table of descriptors), their weights, the
 * overall exposure formula and its labels, and the text and JSON output.
 * It reads a loaded, validated struct jail_spec and never changes it. */
#ifndef CORDON_AUDIT_H
#define CORDON_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "spec.h"

/* Judge SPEC and print one line per check and the overall exposure (JSON:
 * one object) on OUT; *SCORE is the exposure as printed, 0.0 (sealed) to
 * 10.0 (nothing contained), rounded to one decimal. */
int audit_print (const struct jail_spec *spec, bool json, FILE *out,
                 double *score, cordon_error_t *err);

/* "OK", "MEDIUM", "EXPOSED" or "UNSAFE" for a rounded SCORE. */
const char *audit_label (double score);

#endif
