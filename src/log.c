/* log.c — what cordon says about itself while it works (log.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "jail.h"
#include "log.h"

void
say (const struct jail_options *opts, const char *fmt, ...)
{
  if (opts == NULL || opts->verbose <= 0)
    return;
  /* One write per line, so lines from the launcher and the jail don't mix. */
  char line[1024];
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (line, sizeof line - 1, fmt, ap);
  va_end (ap);
  if (n < 0)
    return;
  if ((size_t) n > sizeof line - 2)
    n = sizeof line - 2;
  line[n++] = '\n';
  int saved = errno;
  dprintf (STDERR_FILENO, "cordon: %.*s", n, line);
  errno = saved;
}
