/* fuzz-profile.c — libFuzzer target for the profile reader (src/profile/).
 *
 * Each input is a profile file: it is written to a memfd and loaded through
 * /proc/self/fd/N like any other file, so the size, NUL, ${VAR}, include()
 * and validation paths all run.  When it loads, the printed spec must parse
 * back to the same text (the property `cordon show` relies on).  The same
 * bytes are also read as a settings file.  Everything is freed: the run is
 * leak-checked. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A memfd holding DATA, or -1. */
static int
memfd_with (const void *data, size_t size)
{
  int fd = memfd_create ("fuzz-profile.conf", MFD_CLOEXEC);
  if (fd < 0)
    return -1;
  const char *p = data;
  while (size > 0)
    {
      ssize_t w = write (fd, p, size);
      if (w <= 0)
        {
          close (fd);
          return -1;
        }
      p += w;
      size -= (size_t) w;
    }
  return fd;
}

static char *
print_to_string (const struct jail_spec *spec)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&text, &len);
  if (f == NULL)
    abort ();
  profile_print (spec, f);
  fclose (f);
  return text;
}

/* Load the profile in FD; returns its printed form, or NULL. */
static char *
load_and_print (int fd)
{
  static char *dirs[] = { "/nonexistent/cordon-fuzz" };
  struct settings settings = { .profile_path = dirs, .n_profile_path = 1 };
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  struct profile_request req = { .path = path, .settings = &settings };
  struct diagnostics diags = { 0 };
  struct jail_spec *spec = NULL;
  char *text = NULL;
  if (profile_load (&req, &spec, &diags) == 0)
    text = print_to_string (spec);
  jail_spec_free (spec);
  diagnostics_free (&diags);
  return text;
}

static void
load_as_settings (int fd)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  struct settings settings;
  struct diagnostics diags = { 0 };
  settings_load (path, &settings, &diags);
  settings_free (&settings);
  diagnostics_free (&diags);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fd = memfd_with (data, size);
  if (fd < 0)
    return 0;
  char *first = load_and_print (fd);
  load_as_settings (fd);
  close (fd);
  if (first == NULL)
    return 0;

  int again = memfd_with (first, strlen (first));
  char *second = again >= 0 ? load_and_print (again) : NULL;
  if (again >= 0)
    close (again);
  if (second == NULL || strcmp (first, second) != 0)
    {
      fprintf (stderr, "print round trip failed:\n--- first\n%s--- second\n%s",
               first, second ? second : "(does not load)\n");
      abort ();
    }
  free (first);
  free (second);
  return 0;
}
