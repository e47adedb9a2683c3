/* test-profile-cgroup.c — the cgroup section of profiles and the cgroup
 * settings (src/profile.c), on the fixtures in tests/fixtures/cgroup: values
 * field by field, errors by their exact text, and show's round trip. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "tap.h"
#include "profile-test-helpers.h"

static struct jail_spec *
load (const char *path, char **text)
{
  struct settings settings = { 0 };
  struct profile_request req = { .path = path, .settings = &settings };
  return load_request (&req, text);
}

static void
check_error (const char *file, const char *want)
{
  char *text;
  struct jail_spec *spec = load (file, &text);
  expect_failure (spec, text, want, "%s: %.*s", file,
                  (int) strcspn (want, "\n"), want);
}

static bool
same_cgroup (const struct cgroup_spec *a, const struct cgroup_spec *b)
{
  return a->has_memory == b->has_memory && a->memory == b->memory
         && a->has_memory_swap == b->has_memory_swap
         && a->memory_swap == b->memory_swap && a->pids == b->pids
         && a->cpu == b->cpu;
}

/* show, then load what it printed: the same cgroup spec. */
static void
check_roundtrip (const char *file, const struct jail_spec *spec)
{
  char *text;
  struct jail_spec *again = load_printed (spec, &text);
  tap_ok (again && same_cgroup (&spec->cgroup, &again->cgroup),
          "%s: show prints the cgroup section so that it reads back the same",
          file);
  if (again == NULL)
    printf ("# %s", text);
  jail_spec_free (again);
  free (text);
}

static void
test_valid (void)
{
  char *text;
  struct jail_spec *spec = load ("valid.conf", &text);
  const struct cgroup_spec *c = spec ? &spec->cgroup : NULL;
  tap_ok (c && c->has_memory && c->memory == 512ULL << 20
          && c->has_memory_swap && c->memory_swap == 0 && c->pids == 128
          && c->cpu == 1.5 && strcmp (text, "") == 0,
          "valid.conf: every key, as written");
  tap_ok (c && c->origin.line == 2 && strcmp (c->origin.file, "valid.conf") == 0,
          "valid.conf: the section's origin");
  if (spec)
    check_roundtrip ("valid.conf", spec);
  jail_spec_free (spec);
  free (text);

  spec = load ("max.conf", &text);
  c = spec ? &spec->cgroup : NULL;
  tap_ok (c && !c->has_memory && !c->has_memory_swap && c->pids == 0
          && c->cpu == 0.25, "max.conf: \"max\" is no limit");
  if (spec)
    check_roundtrip ("max.conf", spec);
  jail_spec_free (spec);
  free (text);

  spec = load (NULL, &text);
  c = spec ? &spec->cgroup : NULL;
  tap_ok (c && !c->has_memory && !c->has_memory_swap && c->pids == 0
          && c->cpu == 0, "the built-in default sets no limit");
  jail_spec_free (spec);
  free (text);
}

static void
test_invalid (void)
{
  check_error ("bad-memory.conf", "bad-memory.conf:2: error: cgroup: invalid "
               "'memory' 'lots' (a number of bytes with an optional K, M, G "
               "or T suffix, or \"max\")\n");
  check_error ("memory-overflow.conf", "memory-overflow.conf:2: error: "
               "cgroup: 'memory' size '99999999999T' is too large\n");
  check_error ("bad-pids.conf", "bad-pids.conf:2: error: cgroup: 'pids' must "
               "be between 1 and 4194304, not 0\n");
  check_error ("pids-too-many.conf", "pids-too-many.conf:2: error: cgroup: "
               "'pids' must be between 1 and 4194304, not 5000000\n");
  check_error ("bad-cpu.conf", "bad-cpu.conf:2: error: cgroup: 'cpu' must be "
               "a number of CPUs between 0.01 and 4096, not 0\n");
  check_error ("memory-zero.conf", "memory-zero.conf:2: error: cgroup: "
               "'memory' 0 is less than a page (4096 bytes): the jail is "
               "killed at its first step (\"max\" means no limit)\n");
  check_error ("memory-byte.conf", "memory-byte.conf:2: error: cgroup: "
               "'memory' 1 is less than a page (4096 bytes): the jail is "
               "killed at its first step (\"max\" means no limit)\n");
  char *text;
  struct jail_spec *spec = load ("memory-small.conf", &text);
  tap_ok (spec && strcmp (text, "memory-small.conf:2: warning: cgroup: "
                          "'memory' 65536 is below 1M: the jail is likely "
                          "killed as it starts\n") == 0,
          "a memory limit below 1M is a warning");
  if (spec == NULL || strstr (text, "warning") == NULL)
    printf ("# %s", text);
  jail_spec_free (spec);
  free (text);
  check_error ("swap-without-memory.conf", "swap-without-memory.conf:3: "
               "error: cgroup: 'memory_swap' needs 'memory' (the swap "
               "allowed on top of it)\n");
}

static void
test_cpu_not_number (void)
{
  char *text;
  struct jail_spec *spec = load ("cpu-not-number.conf", &text);
  tap_ok (spec == NULL && strncmp (text, "cpu-not-number.conf:2: error: ",
                                   30) == 0,
          "cpu-not-number.conf: a word is not a number of CPUs");
  if (spec != NULL)
    printf ("# got: %s", text);
  jail_spec_free (spec);
  free (text);
}

/* Whole numbers and the range's ends: show printed 10 as "1e+01", which
 * does not read back (the fuzzer's find). */
static void
test_cpu_roundtrip (void)
{
  static const char *const values[] = { "10", "100", "4096", "0.01", "1.5",
                                        "3.3333" };
  for (size_t i = 0; i < sizeof values / sizeof *values; i++)
    {
      char path[] = "/tmp/cordon-cpu-XXXXXX";
      int fd = mkstemp (path);
      FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
      if (f == NULL)
        {
          tap_ok (false, "cpu = %s: a temporary profile", values[i]);
          continue;
        }
      fprintf (f, "cgroup {\n    cpu = %s\n}\n", values[i]);
      fclose (f);
      char *text;
      struct jail_spec *spec = load (path, &text);
      tap_ok (spec != NULL, "cpu = %s loads", values[i]);
      if (spec)
        check_roundtrip (values[i], spec);
      jail_spec_free (spec);
      free (text);
      unlink (path);
    }
}

static void
test_settings (void)
{
  struct diagnostics d = { 0 };
  struct settings s;
  int r = settings_load ("settings.conf", &s, &d);
  tap_ok (r == 0 && s.cgroup_parent && strcmp (s.cgroup_parent, "ci/jails") == 0
          && s.cgroup_version == 1, "settings: cgroup_parent, cgroup_version");
  settings_free (&s);
  diagnostics_free (&d);

  r = settings_load ("/nonexistent/cordon.conf", &s, &d);
  tap_ok (r == 0 && s.cgroup_parent == NULL && s.cgroup_version == 0,
          "settings: without a file, the default parent and auto");
  settings_free (&s);
  diagnostics_free (&d);

  expect_settings_failure ("settings-bad.conf", "settings-bad.conf:1: error: "
                           "'cgroup_parent' must name a directory below a "
                           "cgroup (no \".\" or \"..\"), not 'a/../b'\n"
                           "settings-bad.conf:2: error: 'cgroup_version' must "
                           "be \"auto\", \"1\" or \"2\", not '3'\n",
                           "settings: bad values, by line");
}

int
main (void)
{
  if (enter_fixtures ("cgroup") < 0)
    return 1;
  test_valid ();
  test_invalid ();
  test_cpu_not_number ();
  test_cpu_roundtrip ();
  test_settings ();
  return tap_done ();
}
