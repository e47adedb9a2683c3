/* report.h — the run report: one JSON object describing how a jail ended.
 *
 * `cordon run --report FILE` / `--report-fd N`.  The destination is opened
 * (or checked) before the jail starts, so a bad one fails early; a file
 * gets a "running" report at once, replaced by the whole one (jansson)
 * when the jail has ended. */
#ifndef CORDON_REPORT_H
#define CORDON_REPORT_H

#include "error.h"
#include "jail.h"
#include "spec.h"

/* Where the report goes: --report FILE (FD is the file checked and opened
 * at the start; DFD its directory, BASE its name there) or --report-fd N
 * (FD is N; DFD -1). */
struct report_dest
{
  int fd;
  int dfd;
  char *file;               /* as given, for messages */
  char *base;
};
#define REPORT_DEST_NONE { -1, -1, NULL, NULL }

/* Open the destination, or -1 with *err.
 * FILE: created (mode 0644 less the umask), or an existing regular file of
 * the effective user's with one link, emptied.  Refused, with the reason:
 * a symlink as the last component (never followed), a directory, FIFO,
 * socket or device (never opened: a FIFO would block), another user's
 * file, a file with hard links.  Checked on the fd that is written.
 * FD: checked to be open for writing; it is the caller's, written as it
 * is (a pipe without a reader is an EPIPE error at the end; a report
 * larger than the pipe holds waits for its reader). */
int report_open (struct report_dest *d, const char *file, int fd,
                 cordon_error_t *err);

/* --report FILE: write the report of a run that has not ended ("status":
 * "running", with the limits and the start), so that a launcher killed
 * with SIGKILL leaves it rather than nothing.  --report-fd: nothing (a
 * pipe's reader would get two objects). */
int report_begin (struct report_dest *d, const struct jail_spec *spec,
                  cordon_error_t *err);

/* Write the report of SPEC's run, one line.  ERROR is the set-up error's
 * message for reason "setup_error", else NULL.  --report FILE: written to
 * a new file in the same directory, then renamed over FILE, so that FILE
 * holds one whole report at every moment. */
int report_write (struct report_dest *d, const struct jail_spec *spec,
                  const struct jail_result *r, const char *error,
                  cordon_error_t *err);

/* Close what report_open opened (not the caller's --report-fd). */
void report_close (struct report_dest *d);

/* The same object with a listen connection's PEER ("ADDR:PORT") and its
 * JAIL_ID (NULL: not registered) added, as one line ending in "\n";
 * NULL when out of memory.  Free it. */
char *report_format_listen (const struct jail_spec *spec,
                            const struct jail_result *r, const char *error,
                            const char *peer, const char *jail_id);

/* How a jail ended, as the report's "reason" and serve's log say it. */
const char *report_reason_name (enum jail_end reason);

#endif
