/* report.h — the run report: one JSON object describing how a jail ended.
 *
 * `cordon run --report FILE` / `--report-fd N`.  The destination is opened
 * (or checked) before the jail starts, so a bad one fails early, and the
 * object is written with jansson when the jail has ended. */
#ifndef CORDON_REPORT_H
#define CORDON_REPORT_H

#include "error.h"
#include "jail.h"
#include "spec.h"

/* An fd to write the report to, or -1 with *err.
 * FILE: created (mode 0644 less the umask), or an existing regular file of
 * the effective user's with one link, emptied.  Refused, with the reason:
 * a symlink as the last component (never followed), a directory, FIFO,
 * socket or device (never opened: a FIFO would block), another user's
 * file, a file with hard links.  Checked on the fd that is written.
 * FD: checked to be open for writing; it is the caller's, written as it
 * is (a pipe without a reader is an EPIPE error at the end; a report
 * larger than the pipe holds waits for its reader). */
int report_open (const char *file, int fd, cordon_error_t *err);

/* Write the report of SPEC's run to FD, one line.  ERROR is the set-up error's message
 * for reason "setup_error", else NULL. */
int report_write (int fd, const struct jail_spec *spec,
                  const struct jail_result *r, const char *error,
                  cordon_error_t *err);

/* The same object with a listen connection's PEER ("ADDR:PORT") and its
 * JAIL_ID (NULL: not registered) added, as one line ending in "\n";
 * NULL when out of memory.  Free it. */
char *report_format_listen (const struct jail_spec *spec,
                            const struct jail_result *r, const char *error,
                            const char *peer, const char *jail_id);

#endif
