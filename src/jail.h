/* jail.h — the jail core: one path for every profile.
 *
 * The launcher clones a child into the spec's namespaces, writes its id maps,
 * and releases it over a pipe; the child builds the root filesystem, pivots
 * into it and, as a small pid 1, runs the command and reaps.  The launcher
 * forwards signals, enforces the time limit and returns the exit status. */
#ifndef CORDON_JAIL_H
#define CORDON_JAIL_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

struct jail_options
{
  int verbose;          /* > 0: say each setup step on stderr ("cordon: ...") */
  bool quiet;           /* suppress cordon's own notices (not errors) */
};

/* Run the jail to completion.  Returns the exit status cordon should exit with
 * (the command's status, 128+N for signal N, 126/127 for exec failures), or
 * -1 with *err set when cordon itself failed before the command ran (the CLI
 * then prints the error and exits with (*err)->exit_status, normally 125).
 * Leaves nothing behind in either case. */
int jail_run (const struct jail_spec *spec, const struct jail_options *opts,
              cordon_error_t *err);

#endif
