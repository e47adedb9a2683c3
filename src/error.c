/* error.c — building, wrapping and freeing cordon_error values. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

__attribute__ ((format (printf, 2, 0))) static char *
format_message (int errno_value, const char *fmt, va_list ap)
{
  char *body = NULL;
  if (vasprintf (&body, fmt, ap) < 0)
    return NULL;
  if (errno_value == 0)
    return body;

  const char *name = strerrorname_np (errno_value);
  char *full = NULL;
  int r = asprintf (&full, "%s: %s (%s)", body, strerror (errno_value),
                    name ? name : "?");
  free (body);
  return r < 0 ? NULL : full;
}

__attribute__ ((format (printf, 4, 0))) static int
fill (cordon_error_t *err, int exit_status, int errno_value, const char *fmt,
      va_list ap)
{
  if (err == NULL)
    return -1;
  /* Keep the first failure: it is the cause, the rest are consequences. */
  if (*err != NULL)
    return -1;
  cordon_error_t e = calloc (1, sizeof *e);
  if (e == NULL)
    return -1;
  e->errno_value = errno_value;
  e->exit_status = exit_status;
  e->message = format_message (errno_value, fmt, ap);
  if (e->message == NULL)
    e->message = strdup ("out of memory while reporting an error");
  *err = e;
  return -1;
}

int
cordon_fail (cordon_error_t *err, int errno_value, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fill (err, EXIT_CORDON_FAILED, errno_value, fmt, ap);
  va_end (ap);
  return -1;
}

int
cordon_fail_status (cordon_error_t *err, int exit_status, int errno_value,
                    const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fill (err, exit_status, errno_value, fmt, ap);
  va_end (ap);
  return -1;
}

int
cordon_error_wrap (cordon_error_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  char *prefix = NULL;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&prefix, fmt, ap);
  va_end (ap);
  if (r < 0)
    return -1;
  char *joined = NULL;
  if (asprintf (&joined, "%s: %s", prefix, (*err)->message) >= 0)
    {
      free ((*err)->message);
      (*err)->message = joined;
    }
  free (prefix);
  return -1;
}

void
cordon_error_free (cordon_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->message);
  free (*err);
  *err = NULL;
}
