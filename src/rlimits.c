/* rlimits.c — the command's resource limits (setrlimit).
 *
 * Names are the profile's (the RLIMIT_ suffix in lower case); values were
 * checked by the profile module.  The limits are set in the command
 * process before exec and are inherited by everything it starts. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "rlimits.h"
#include "util.h"

static const struct
{
  const char *name;
  int resource;
  bool size;
} limits[] = {
  { "as", RLIMIT_AS, true },
  { "core", RLIMIT_CORE, true },
  { "cpu", RLIMIT_CPU, false },
  { "data", RLIMIT_DATA, true },
  { "fsize", RLIMIT_FSIZE, true },
  { "locks", RLIMIT_LOCKS, false },
  { "memlock", RLIMIT_MEMLOCK, true },
  { "msgqueue", RLIMIT_MSGQUEUE, true },
  { "nice", RLIMIT_NICE, false },
  { "nofile", RLIMIT_NOFILE, false },
  { "nproc", RLIMIT_NPROC, false },
  { "rss", RLIMIT_RSS, true },
  { "rtprio", RLIMIT_RTPRIO, false },
  { "rttime", RLIMIT_RTTIME, false },
  { "sigpending", RLIMIT_SIGPENDING, false },
  { "stack", RLIMIT_STACK, true },
};
#define N_LIMITS (sizeof limits / sizeof limits[0])

_Static_assert (N_LIMITS == JAIL_RLIMIT_COUNT, "every rlimit has a name");
_Static_assert (RLIM_NLIMITS == JAIL_RLIMIT_COUNT, "spec.h matches the kernel");

const char *
cordon_rlimit_name (int resource)
{
  for (size_t i = 0; i < N_LIMITS; i++)
    if (limits[i].resource == resource)
      return limits[i].name;
  return NULL;
}

int
cordon_rlimit_from_name (const char *name)
{
  for (size_t i = 0; name && i < N_LIMITS; i++)
    if (strcmp (limits[i].name, name) == 0)
      return limits[i].resource;
  return -1;
}

bool
cordon_rlimit_is_size (int resource)
{
  for (size_t i = 0; i < N_LIMITS; i++)
    if (limits[i].resource == resource)
      return limits[i].size;
  return false;
}

static rlim_t
to_rlim (uint64_t v)
{
  return v == UINT64_MAX ? RLIM_INFINITY : (rlim_t) v;
}

int
cordon_rlimits_apply (const struct jail_spec *spec, cordon_error_t *err)
{
  for (int r = 0; r < JAIL_RLIMIT_COUNT; r++)
    {
      const struct rlimit_setting *s = &spec->rlimits[r];
      if (!s->set)
        continue;
      struct rlimit rl = { to_rlim (s->soft), to_rlim (s->hard) };
      if (setrlimit ((__rlimit_resource_t) r, &rl) < 0)
        return fail_errno (err, "rlimit %s (%s:%d)%s", cordon_rlimit_name (r),
                           s->origin.file ? s->origin.file : "?",
                           s->origin.line,
                           errno == EPERM ? ": raising a hard limit needs "
                                            "CAP_SYS_RESOURCE on the host"
                                          : "");
    }
  return 0;
}
