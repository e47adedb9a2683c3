/* profile-test-helpers.h — what the profile unit tests (test-profile*.c)
 * share: loading a profile with its diagnostics as text, asserting the exact
 * diagnostics of a failed profile or settings load, show's output read back,
 * and moving into a fixture directory.  Not every test uses every helper,
 * hence the unused attributes. */
#ifndef CORDON_PROFILE_TEST_HELPERS_H
#define CORDON_PROFILE_TEST_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "tap.h"

/* The diagnostics as the CLI prints them (to free). */
__attribute__ ((unused)) static char *
diags_text (const struct diagnostics *d)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  diagnostics_print (d, f);
  fclose (f);
  return text;
}

/* Load REQ; the diagnostics' text goes to *TEXT (to free).  Returns the
 * spec, or NULL when profile_load failed. */
__attribute__ ((unused)) static struct jail_spec *
load_request (const struct profile_request *req, char **text)
{
  struct diagnostics d = { 0 };
  struct jail_spec *spec = NULL;
  int r = profile_load (req, &spec, &d);
  *text = diags_text (&d);
  diagnostics_free (&d);
  if (r != 0 && spec != NULL)
    tap_ok (0, "profile_load failed but set *out");
  return r == 0 ? spec : NULL;
}

/* SPEC in the profile syntax, as show prints it (to free). */
__attribute__ ((unused)) static char *
print_spec (const struct jail_spec *spec)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  profile_print (spec, f);
  fclose (f);
  return text;
}

/* Show SPEC into a temporary file and load that back with the built-in
 * settings: the spec it reads as, or NULL; *TEXT (to free) gets the
 * diagnostics, or why the file could not be written. */
__attribute__ ((unused)) static struct jail_spec *
load_printed (const struct jail_spec *spec, char **text)
{
  char tmp[] = "/tmp/cordon-show.XXXXXX";
  int fd = mkostemp (tmp, O_CLOEXEC);
  FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
  if (f == NULL)
    {
      if (asprintf (text, "cannot write %s: %s\n", tmp, strerror (errno)) < 0)
        *text = NULL;
      if (fd >= 0)
        {
          close (fd);
          unlink (tmp);
        }
      return NULL;
    }
  profile_print (spec, f);
  fclose (f);
  struct profile_request req = { .path = tmp };
  struct jail_spec *again = load_request (&req, text);
  unlink (tmp);
  return again;
}

/* Passes when the load failed (SPEC is NULL) with exactly WANT as its
 * diagnostics TEXT; shows what it got otherwise.  Frees SPEC and TEXT. */
__attribute__ ((unused, format (printf, 4, 5))) static void
expect_failure (struct jail_spec *spec, char *text, const char *want,
                const char *fmt, ...)
{
  char *name = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&name, fmt, ap) < 0)
    name = NULL;
  va_end (ap);
  bool ok = spec == NULL && text && strcmp (text, want) == 0;
  tap_ok (ok, "%s", name ? name : fmt);
  if (!ok)
    printf ("# expected: %s# got:      %s", want,
            text && *text ? text : "(nothing)\n");
  free (name);
  jail_spec_free (spec);
  free (text);
}

/* Passes when settings_load of PATH fails with exactly WANT as its
 * diagnostics; shows what it got otherwise. */
__attribute__ ((unused)) static void
expect_settings_failure (const char *path, const char *want, const char *name)
{
  struct settings s;
  struct diagnostics d = { 0 };
  int r = settings_load (path, &s, &d);
  char *text = diags_text (&d);
  bool ok = r < 0 && strcmp (text, want) == 0;
  tap_ok (ok, "%s", name);
  if (!ok)
    printf ("# expected: %s# got:      %s", want,
            *text ? text : "(nothing)\n");
  free (text);
  settings_free (&s);
  diagnostics_free (&d);
}

/* CHECK (DIR/NAME) for each NAME.conf in DIR; a DIR that cannot be read
 * fails one TAP line. */
__attribute__ ((unused)) static void
each_profile_in (const char *dir, void (*check) (const char *path))
{
  DIR *d = opendir (dir);
  if (d == NULL)
    {
      tap_ok (0, "opendir %s", dir);
      return;
    }
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      size_t n = strlen (de->d_name);
      if (n > 5 && strcmp (de->d_name + n - 5, ".conf") == 0)
        {
          char path[PATH_MAX + 256];
          snprintf (path, sizeof path, "%s/%s", dir, de->d_name);
          check (path);
        }
    }
  closedir (d);
}

/* chdir to tests/fixtures/AREA of the source tree (SRCDIR, set by `make
 * check`; else the current directory).  On failure, bails out of the TAP
 * run and returns -1. */
__attribute__ ((unused)) static int
enter_fixtures (const char *area)
{
  const char *src = getenv ("SRCDIR");
  char dir[PATH_MAX];
  snprintf (dir, sizeof dir, "%s/tests/fixtures/%s", src && *src ? src : ".",
            area);
  if (chdir (dir) != 0)
    {
      printf ("Bail out! cannot chdir to %s: %s\n", dir, strerror (errno));
      return -1;
    }
  return 0;
}

#endif
