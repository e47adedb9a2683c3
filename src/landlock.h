/* landlock.h — the jail's second wall: Landlock rules on the command.
 *
 * Owns the profile's landlock section at run time: which rights the
 * running kernel's Landlock ABI can enforce, the rules derived from the
 * jail's mounts (read and execute beneath read-only ones, everything
 * beneath writable ones) and the profile's own lists, the TCP port and
 * scope restrictions, and the landlock_restrict_self of the command
 * process.  One derivation (derive_rules) makes the list of rules that
 * the ruleset gets and that cordon show and check -v print.  The ruleset
 * is built inside the finished root, as the jail's ids, and put on right
 * before the seccomp filter (jail.c): Landlock needs no_new_privs or
 * CAP_SYS_ADMIN, and the filter may refuse its calls. */
#ifndef CORDON_LANDLOCK_H
#define CORDON_LANDLOCK_H

#include <stdio.h>

#include "error.h"
#include "spec.h"

/* The running kernel's Landlock ABI version; 0 when it has none (not built
 * in, or not enabled at boot). */
int landlock_abi (void);

/* The lowest ABI that enforces everything SPEC asks for (its min_abi, 4
 * for TCP ports, 6 for scope); 0 when Landlock is off. */
int landlock_abi_wanted (const struct landlock_spec *l);

/* In the command process, inside the jail's root: the ruleset for SPEC in
 * *FD, or -1 when there is none to put on (off, or no Landlock and not
 * required).  A right the kernel lacks is warned about once on stderr and
 * left out, or fails the run when the profile says required. */
int landlock_prepare (const struct jail_spec *spec, int *fd,
                      cordon_error_t *err);

/* Put the ruleset FD (from landlock_prepare; -1: nothing) on the calling
 * thread, for good. */
int landlock_restrict (int fd, cordon_error_t *err);

/* For cordon check -v: what the running kernel will and will not enforce
 * of SPEC's landlock section, then the rules landlock_prepare puts in
 * (derived from the mounts and the lists), one line each, into OUT. */
void landlock_describe (const struct jail_spec *spec, FILE *out);

/* For cordon show: the same, after the profile, as comments (so that the
 * output still reads back as the same profile); nothing when Landlock is
 * off. */
void landlock_show (const struct jail_spec *spec, FILE *out);

#endif
