/* util.c — small helpers shared by the jail core files. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

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

void
close_fd (int *fd)
{
  if (*fd < 0)
    return;
  int saved = errno;
  close (*fd);
  errno = saved;
  *fd = -1;
}
