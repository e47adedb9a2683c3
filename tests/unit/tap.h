/* tap.h — a few lines of TAP for the C unit tests (read by tap-driver.sh). */
#ifndef CORDON_TAP_H
#define CORDON_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

__attribute__ ((format (printf, 2, 3))) static void
tap_ok (int passed, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  printf ("%s %d - ", passed ? "ok" : "not ok", ++tap_count);
  vprintf (fmt, ap);
  printf ("\n");
  va_end (ap);
  if (!passed)
    tap_failed++;
  fflush (stdout);
}

/* Call last: prints the plan and gives main's return value. */
static int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif
